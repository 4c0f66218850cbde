# draft: the knowledge-base and LLM drafters, reply templates, redaction
src_libdeskpilot_a_SOURCES += \
	src/draft/reply.c src/draft/reply.h \
	src/draft/redact.c src/draft/redact.h \
	src/draft/llm.c src/draft/llm.h \
	src/draft/drafter.c src/draft/drafter.h
