# tests: the integration harness every module's integration tests link,
# the foundation's unit and integration tests, and the benchmark.
#
# An integration test in any module's local.mk looks like:
#   check_PROGRAMS += tests/integration/check_zammad_e2e
#   TESTS += tests/integration/check_zammad_e2e
#   tests_integration_check_zammad_e2e_SOURCES = tests/integration/check_zammad_e2e.c
#   tests_integration_check_zammad_e2e_CFLAGS = $(DP_IT_CFLAGS)
#   tests_integration_check_zammad_e2e_LDADD = $(DP_IT_LIBS)
check_LIBRARIES += tests/libtest.a
tests_libtest_a_SOURCES = tests/test.c tests/test.h
tests_libtest_a_CFLAGS = $(DP_TEST_CFLAGS)
check_LIBRARIES += tests/integration/libharness.a
tests_integration_libharness_a_SOURCES = \
	tests/integration/harness.c tests/integration/harness.h \
	tests/integration/osticket_peer.c tests/integration/osticket_peer.h
tests_integration_libharness_a_CFLAGS = $(DP_TEST_CFLAGS)
DP_IT_CFLAGS = $(DP_TEST_CFLAGS) -I$(top_srcdir)/tests/integration
DP_IT_LIBS = tests/integration/libharness.a $(DP_TEST_LIBS)

check_PROGRAMS += tests/integration/check_serve
TESTS += tests/integration/check_serve
tests_integration_check_serve_SOURCES = tests/integration/check_serve.c
tests_integration_check_serve_CFLAGS = $(DP_IT_CFLAGS)
tests_integration_check_serve_LDADD = $(DP_IT_LIBS)

# The benchmark (`make bench`, not part of make check): wrk through nginx
# against deskpilot's ingest path and a trivial libfcgi responder.
# Built with everything, so it keeps compiling warning-free.
noinst_PROGRAMS += tests/bench/trivial_fcgi tests/bench/ingest_cpu
tests_bench_trivial_fcgi_SOURCES = tests/bench/trivial_fcgi.c
tests_bench_trivial_fcgi_LDADD = $(FCGI_LIBS)
tests_bench_ingest_cpu_SOURCES = tests/bench/ingest_cpu.c
tests_bench_ingest_cpu_LDADD = $(DP_LIBS)
EXTRA_DIST += tests/bench/run.sh tests/bench/zammad_ingest.lua
bench: src/deskpilot tests/bench/trivial_fcgi tests/bench/ingest_cpu
	SRCDIR='$(abs_top_srcdir)' BUILDDIR='$(abs_top_builddir)' NGINX_BIN='$(NGINX)' \
	bash $(srcdir)/tests/bench/run.sh
.PHONY: bench

# Unit tests of the service core: config, store, front.
check_PROGRAMS += tests/unit/check_config tests/unit/check_store tests/unit/check_front
TESTS += tests/unit/check_config tests/unit/check_store tests/unit/check_front
tests_unit_check_config_SOURCES = tests/unit/check_config.c
tests_unit_check_config_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_config_LDADD = $(DP_TEST_LIBS)
tests_unit_check_store_SOURCES = tests/unit/check_store.c
tests_unit_check_store_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_store_LDADD = $(DP_TEST_LIBS)
tests_unit_check_front_SOURCES = tests/unit/check_front.c
tests_unit_check_front_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_front_LDADD = $(DP_TEST_LIBS)
