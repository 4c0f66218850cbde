# pipeline: workers (triage, draft, decide) and the outbox dispatcher
src_libdeskpilot_a_SOURCES += src/pipeline/pipeline.h

check_PROGRAMS += tests/unit/check_outbox
TESTS += tests/unit/check_outbox
tests_unit_check_outbox_SOURCES = tests/unit/check_outbox.c
tests_unit_check_outbox_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_outbox_LDADD = $(DP_TEST_LIBS)
