# pipeline: workers (triage, draft, decide) and the outbox dispatcher
src_libdeskpilot_a_SOURCES += src/pipeline/pipeline.c src/pipeline/pipeline.h
