# common: below every other module. Errors, allocation, buffers, logging,
# HMAC, the HTTP client, the INI key tables, business hours; the plain
# values passed between modules (events, decisions, VIP rules); and the
# text helpers (UTF-8, HTML to text, cleaning, CSV).
src_libdeskpilot_a_SOURCES += \
	src/common/dp.c src/common/dp.h \
	src/common/buf.c src/common/buf.h \
	src/common/log.c src/common/log.h \
	src/common/hmac.c src/common/hmac.h \
	src/common/http_client.c src/common/http_client.h \
	src/common/json_limits.c src/common/json_limits.h \
	src/common/json_doc.c src/common/json_doc.h \
	src/common/settings.c src/common/settings.h \
	src/common/hours.c src/common/hours.h \
	src/common/event.c src/common/event.h \
	src/common/decision.c src/common/decision.h \
	src/common/vip_rules.c src/common/vip_rules.h \
	src/common/utf8.c src/common/utf8.h \
	src/common/html.c src/common/html.h \
	src/common/clean.c src/common/clean.h \
	src/common/csv.c src/common/csv.h
