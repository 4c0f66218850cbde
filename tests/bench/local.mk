# tests/bench: the benchmarks (`make bench`, `make bench-draft`; never run
# by make check). Built with everything, so they keep compiling
# warning-free.

# wrk through nginx against deskpilot's ingest path and a trivial libfcgi
# responder; ingest_cpu measures the front in-process; pipeline.py the
# pipeline's latency and write-back against the fake Zammad.
noinst_PROGRAMS += tests/bench/trivial_fcgi tests/bench/ingest_cpu
tests_bench_trivial_fcgi_SOURCES = tests/bench/trivial_fcgi.c
tests_bench_trivial_fcgi_LDADD = $(FCGI_LIBS)
tests_bench_ingest_cpu_SOURCES = tests/bench/ingest_cpu.c
tests_bench_ingest_cpu_LDADD = $(DP_LIBS)
EXTRA_DIST += tests/bench/run.sh tests/bench/zammad_ingest.lua \
	tests/bench/pipeline.py
bench: src/deskpilot tests/bench/trivial_fcgi tests/bench/ingest_cpu
	SRCDIR='$(abs_top_srcdir)' BUILDDIR='$(abs_top_builddir)' NGINX_BIN='$(NGINX)' \
	PYTHON3='$(PYTHON3)' bash $(srcdir)/tests/bench/run.sh
.PHONY: bench

# Drafting figures (built by make check, never run by it).
check_PROGRAMS += tests/bench/bench_draft
bench-draft: tests/bench/bench_draft
	DP_SRCDIR='$(abs_top_srcdir)' DP_PYTHON3='$(PYTHON3)' ./tests/bench/bench_draft
.PHONY: bench-draft
