# front: one request from FastCGI parameters to a response, the listening
# socket, and the request metrics
src_libdeskpilot_a_SOURCES += \
	src/front/listen.c src/front/listen.h \
	src/front/metrics.c src/front/metrics.h \
	src/front/front.c src/front/front.h
