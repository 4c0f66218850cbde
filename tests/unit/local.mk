# tests/unit: Check programs that drive one module each in-process, named
# check_<module>. They link libdeskpilot.a and the test library (LDADD
# in Makefile.am); the fake Zammad's control client serves the Zammad
# connector's and the HTTP client's tests.
DP_UNIT_TESTS = \
	tests/unit/check_csv \
	tests/unit/check_json_doc \
	tests/unit/check_clean \
	tests/unit/check_html \
	tests/unit/check_http_client \
	tests/unit/check_config \
	tests/unit/check_manual \
	tests/unit/check_store \
	tests/unit/check_outbox \
	tests/unit/check_front \
	tests/unit/check_zammad \
	tests/unit/check_osticket \
	tests/unit/check_triage \
	tests/unit/check_classifier \
	tests/unit/check_train \
	tests/unit/check_redact \
	tests/unit/check_kb \
	tests/unit/check_llm_validate \
	tests/unit/check_llm \
	tests/unit/check_ops \
	tests/unit/check_replay
check_PROGRAMS += $(DP_UNIT_TESTS)
TESTS += $(DP_UNIT_TESTS)
tests_unit_check_zammad_SOURCES = tests/unit/check_zammad.c \
	tests/unit/fake_zammad_ctl.c tests/unit/fake_zammad_ctl.h
tests_unit_check_http_client_SOURCES = tests/unit/check_http_client.c \
	tests/unit/fake_zammad_ctl.c tests/unit/fake_zammad_ctl.h
