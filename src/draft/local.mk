# draft: text cleaning, redaction, the knowledge-base and LLM drafters
src_libdeskpilot_a_SOURCES += \
	src/draft/clean.c src/draft/clean.h \
	src/draft/reply.c src/draft/reply.h \
	src/draft/redact.c src/draft/redact.h \
	src/draft/llm.c src/draft/llm.h \
	src/draft/drafter.c src/draft/drafter.h \
	src/store/kb.c src/store/kb.h
# `deskpilot kb`: lives with the knowledge base it manages
src_libdeskpilot_a_SOURCES += src/cli/kb.c
