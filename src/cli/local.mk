# cli: the deskpilot subcommands (main.c dispatches to them), and serve's
# wiring of the front, the pipeline and the store
src_libdeskpilot_a_SOURCES += \
	src/cli/cli.h \
	src/cli/config_cmd.c \
	src/cli/serve.c \
	src/cli/outbox_cmd.c \
	src/cli/kb.c \
	src/cli/vip.c \
	src/cli/train.c \
	src/cli/triage_cmd.c \
	src/cli/eval.c \
	src/cli/stats.c \
	src/cli/decisions.c \
	src/cli/intents.c \
	src/cli/replay.c
