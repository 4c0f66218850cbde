# Fuzzing: libFuzzer targets for everything that reads outside bytes.
# Build with `./configure CC=clang --enable-fuzzing && make fuzz`; run them
# with tests/fuzz/run (the test command runs each for a short, fixed time).
FUZZ_TARGETS = \
	tests/fuzz/fuzz_zammad \
	tests/fuzz/fuzz_html \
	tests/fuzz/fuzz_clean \
	tests/fuzz/fuzz_config \
	tests/fuzz/fuzz_osticket \
	tests/fuzz/fuzz_redact \
	tests/fuzz/fuzz_triage
EXTRA_PROGRAMS += $(FUZZ_TARGETS)
CLEANFILES += $(FUZZ_TARGETS)
FUZZ_COMMON = tests/fuzz/fuzz.h tests/fuzz/fuzz_common.c
FUZZ_LDADD = $(DP_LIBS)
tests_fuzz_fuzz_zammad_SOURCES = tests/fuzz/fuzz_zammad.c $(FUZZ_COMMON)
tests_fuzz_fuzz_zammad_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_zammad_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_html_SOURCES = tests/fuzz/fuzz_html.c $(FUZZ_COMMON)
tests_fuzz_fuzz_html_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_html_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_clean_SOURCES = tests/fuzz/fuzz_clean.c $(FUZZ_COMMON)
tests_fuzz_fuzz_clean_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_clean_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c $(FUZZ_COMMON)
tests_fuzz_fuzz_config_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_config_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_osticket_SOURCES = tests/fuzz/fuzz_osticket.c $(FUZZ_COMMON)
tests_fuzz_fuzz_osticket_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_osticket_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_redact_SOURCES = tests/fuzz/fuzz_redact.c $(FUZZ_COMMON)
tests_fuzz_fuzz_redact_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_redact_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_triage_SOURCES = tests/fuzz/fuzz_triage.c $(FUZZ_COMMON)
tests_fuzz_fuzz_triage_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_triage_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
dist_noinst_SCRIPTS += tests/fuzz/run

if FUZZING
fuzz: $(FUZZ_TARGETS)
else
fuzz:
	@echo "fuzz targets need: ./configure CC=clang --enable-fuzzing" >&2; exit 1
endif
.PHONY: fuzz
EXTRA_DIST += \
	tests/fuzz/corpus/html/mail.html \
	tests/fuzz/corpus/clean/thread.txt \
	tests/fuzz/corpus/config/basic.conf \
	tests/fuzz/corpus/zammad/min.json \
	tests/fuzz/corpus/osticket/event-json \
	tests/fuzz/corpus/osticket/event-xml \
	tests/fuzz/corpus/redact/mail.txt \
	tests/fuzz/corpus/triage/mail.txt
