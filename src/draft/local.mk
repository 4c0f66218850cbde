# draft: text cleaning, redaction, the knowledge-base and LLM drafters
src_libdeskpilot_a_SOURCES += \
	src/draft/clean.c src/draft/clean.h \
	src/draft/drafter.h
