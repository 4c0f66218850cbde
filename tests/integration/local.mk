# tests/integration: the real `deskpilot serve` behind the real nginx
# (harness.h), with each helpdesk as these tests see it (NAME_peer.h) and
# fakes from tests/fakes. Programs are named after the module they take
# end to end.
check_LIBRARIES += tests/integration/libintegration.a
tests_integration_libintegration_a_SOURCES = \
	tests/integration/harness.c tests/integration/harness.h \
	tests/integration/zammad_peer.c tests/integration/zammad_peer.h \
	tests/integration/osticket_peer.c tests/integration/osticket_peer.h
DP_INTEGRATION_TESTS = \
	tests/integration/check_serve \
	tests/integration/check_pipeline \
	tests/integration/check_zammad_e2e \
	tests/integration/check_zammad_fidelity \
	tests/integration/check_osticket_pipeline \
	tests/integration/check_osticket_e2e \
	tests/integration/check_llm_pipeline \
	tests/integration/check_ops_e2e
check_PROGRAMS += $(DP_INTEGRATION_TESTS)
TESTS += $(DP_INTEGRATION_TESTS)
