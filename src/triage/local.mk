# triage: tiers, cues, intent classifier, decision
src_libdeskpilot_a_SOURCES += \
	src/triage/decision.c src/triage/decision.h \
	src/triage/policy.c src/triage/policy.h \
	src/triage/triage.h
