# ops: VIP SLA watchdog, draft acceptance and demotions, stats, the manual
src_libdeskpilot_a_SOURCES += \
	src/ops/watchdog.c src/ops/watchdog.h \
	src/ops/acceptance.c src/ops/acceptance.h \
	src/ops/stats.c src/ops/stats.h \
	src/cli/stats.c src/cli/decisions.c src/cli/intents.c \
	src/cli/replay.c

check_PROGRAMS += tests/unit/check_ops
TESTS += tests/unit/check_ops
tests_unit_check_ops_SOURCES = tests/unit/check_ops.c
tests_unit_check_ops_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_ops_LDADD = $(DP_TEST_LIBS)

# The manual, and the test that keeps it in sync with the code.
dist_man_MANS = man/deskpilot.8 man/deskpilot.conf.5
check_PROGRAMS += tests/unit/check_manual
TESTS += tests/unit/check_manual
tests_unit_check_manual_SOURCES = tests/unit/check_manual.c
tests_unit_check_manual_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_manual_LDADD = $(DP_TEST_LIBS)

# End to end through nginx and a fake Zammad, with short windows.
check_PROGRAMS += tests/integration/check_ops_e2e
TESTS += tests/integration/check_ops_e2e
tests_integration_check_ops_e2e_SOURCES = tests/integration/check_ops_e2e.c
tests_integration_check_ops_e2e_CFLAGS = $(DP_IT_CFLAGS)
tests_integration_check_ops_e2e_LDADD = $(DP_ZAMMAD_IT_LIBS)
