# cli: the deskpilot subcommands (main.c dispatches to them)
src_libdeskpilot_a_SOURCES += \
	src/cli/cli.h \
	src/cli/config_cmd.c \
	src/cli/serve.c \
	src/cli/outbox_cmd.c
