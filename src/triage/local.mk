# triage: tiers, cues, intent classifier, decision, evaluation; plus the
# store tables (vip_rules, models) and the commands built on them
# (vip, train, triage, eval), kept in this one fragment.
src_libdeskpilot_a_SOURCES += \
	src/common/csv.c src/common/csv.h \
	src/triage/decision.c src/triage/decision.h \
	src/triage/policy.c src/triage/policy.h \
	src/triage/text.c src/triage/text.h \
	src/triage/cues.c src/triage/cues.h \
	src/triage/lang.c src/triage/lang.h \
	src/triage/tier.c src/triage/tier.h \
	src/triage/classifier.c src/triage/classifier.h \
	src/triage/triage.c src/triage/triage.h \
	src/triage/eval.c src/triage/eval.h \
	src/store/vip.c src/store/vip.h \
	src/store/model.c src/store/model.h
src_libdeskpilot_a_SOURCES += \
	src/cli/vip.c src/cli/train.c src/cli/triage_cmd.c src/cli/eval.c
check_PROGRAMS += tests/unit/check_triage
TESTS += tests/unit/check_triage
tests_unit_check_triage_SOURCES = tests/unit/check_triage.c
tests_unit_check_triage_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_triage_LDADD = $(DP_TEST_LIBS)
check_PROGRAMS += tests/unit/check_triage_model
TESTS += tests/unit/check_triage_model
tests_unit_check_triage_model_SOURCES = tests/unit/check_triage_model.c
tests_unit_check_triage_model_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_triage_model_LDADD = $(DP_TEST_LIBS)
EXTRA_DIST += \
	tests/data/triage/out_of_scope.csv \
	tests/data/triage/other_phrasings.csv \
	tests/data/triage/premium.csv
