# front: FastCGI server, routing, request limits, metrics
src_libdeskpilot_a_SOURCES += \
	src/front/listen.c src/front/listen.h \
	src/front/metrics.c src/front/metrics.h \
	src/front/front.c src/front/front.h
