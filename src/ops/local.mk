# ops: the VIP SLA watchdog, draft acceptance and demotions, stats
src_libdeskpilot_a_SOURCES += \
	src/ops/watchdog.c src/ops/watchdog.h \
	src/ops/acceptance.c src/ops/acceptance.h \
	src/ops/stats.c src/ops/stats.h
