# ops: VIP SLA watchdog, draft acceptance and demotions, stats, the manual
src_libdeskpilot_a_SOURCES += \
	src/ops/watchdog.c src/ops/watchdog.h \
	src/ops/acceptance.c src/ops/acceptance.h \
	src/ops/stats.c src/ops/stats.h \
	src/store/ops.c src/store/ops.h \
	src/cli/stats.c src/cli/decisions.c src/cli/intents.c

check_PROGRAMS += tests/unit/check_ops
TESTS += tests/unit/check_ops
tests_unit_check_ops_SOURCES = tests/unit/check_ops.c
tests_unit_check_ops_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_ops_LDADD = $(DP_TEST_LIBS)
