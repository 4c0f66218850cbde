# cli: the deskpilot subcommands (main.c dispatches to them)
src_libdeskpilot_a_SOURCES += \
	src/cli/cli.h \
	src/cli/config_cmd.c \
	src/cli/serve.c \
	src/cli/outbox_cmd.c

# tests
check_PROGRAMS += tests/unit/check_train
TESTS += tests/unit/check_train
tests_unit_check_train_SOURCES = tests/unit/check_train.c
tests_unit_check_train_CFLAGS = $(DP_IT_CFLAGS)
tests_unit_check_train_LDADD = $(DP_IT_LIBS)
