# pipeline: workers (triage, draft, decide) and the outbox dispatcher
src_libdeskpilot_a_SOURCES += \
	src/pipeline/decide.c src/pipeline/decide.h \
	src/pipeline/pipeline.c src/pipeline/pipeline.h \
	src/pipeline/replay.c src/pipeline/replay.h

check_PROGRAMS += tests/unit/check_replay
TESTS += tests/unit/check_replay
tests_unit_check_replay_SOURCES = tests/unit/check_replay.c
tests_unit_check_replay_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_replay_LDADD = $(DP_TEST_LIBS)

check_PROGRAMS += tests/unit/check_outbox
TESTS += tests/unit/check_outbox
tests_unit_check_outbox_SOURCES = tests/unit/check_outbox.c
tests_unit_check_outbox_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_outbox_LDADD = $(DP_TEST_LIBS)

# Zammad as the integration tests see it (shared by the e2e and
# reliability tests).
check_LIBRARIES += tests/integration/libzammadpeer.a
tests_integration_libzammadpeer_a_SOURCES = \
	tests/integration/zammad_peer.c tests/integration/zammad_peer.h
tests_integration_libzammadpeer_a_CFLAGS = $(DP_IT_CFLAGS)
DP_ZAMMAD_IT_LIBS = tests/integration/libzammadpeer.a $(DP_IT_LIBS)

check_PROGRAMS += tests/integration/check_zammad_e2e
TESTS += tests/integration/check_zammad_e2e
tests_integration_check_zammad_e2e_SOURCES = tests/integration/check_zammad_e2e.c
tests_integration_check_zammad_e2e_CFLAGS = $(DP_IT_CFLAGS)
tests_integration_check_zammad_e2e_LDADD = $(DP_ZAMMAD_IT_LIBS)

check_PROGRAMS += tests/integration/check_pipeline
TESTS += tests/integration/check_pipeline
tests_integration_check_pipeline_SOURCES = tests/integration/check_pipeline.c
tests_integration_check_pipeline_CFLAGS = $(DP_IT_CFLAGS)
tests_integration_check_pipeline_LDADD = $(DP_ZAMMAD_IT_LIBS)

check_PROGRAMS += tests/integration/check_llm_pipeline
TESTS += tests/integration/check_llm_pipeline
tests_integration_check_llm_pipeline_SOURCES = tests/integration/check_llm_pipeline.c
tests_integration_check_llm_pipeline_CFLAGS = $(DP_IT_CFLAGS)
tests_integration_check_llm_pipeline_LDADD = $(DP_ZAMMAD_IT_LIBS)

check_PROGRAMS += tests/integration/check_zammad_fidelity
TESTS += tests/integration/check_zammad_fidelity
tests_integration_check_zammad_fidelity_SOURCES = tests/integration/check_zammad_fidelity.c
tests_integration_check_zammad_fidelity_CFLAGS = $(DP_IT_CFLAGS)
tests_integration_check_zammad_fidelity_LDADD = $(DP_ZAMMAD_IT_LIBS)
