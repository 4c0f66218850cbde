# store: SQLite schema, migrations and one file per table (plus the
# read-only reports across them)
src_libdeskpilot_a_SOURCES += \
	src/store/store.c src/store/store.h src/store/store_internal.h \
	src/store/schema.sql.h \
	src/store/events.c src/store/events.h \
	src/store/decisions.c src/store/decisions.h \
	src/store/outbox.c src/store/outbox.h \
	src/store/sla.c src/store/sla.h \
	src/store/demotions.c src/store/demotions.h \
	src/store/vip.c src/store/vip.h \
	src/store/model.c src/store/model.h \
	src/store/kb.c src/store/kb.h \
	src/store/retention.c src/store/retention.h \
	src/store/reports.c src/store/reports.h
