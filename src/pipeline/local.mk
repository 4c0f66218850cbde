# pipeline: deciding one event (shared with replay), the workers, the
# outbox dispatcher and the checkpointer
src_libdeskpilot_a_SOURCES += \
	src/pipeline/decide.c src/pipeline/decide.h \
	src/pipeline/pipeline.c src/pipeline/pipeline.h \
	src/pipeline/replay.c src/pipeline/replay.h
