# osticket: the connector, the hardened XML parse, the PHP plugin and their tests
src_libdeskpilot_a_SOURCES += \
	src/connectors/osticket.c src/connectors/osticket.h \
	src/connectors/xml_safe.c src/connectors/xml_safe.h

check_PROGRAMS += tests/unit/check_osticket
TESTS += tests/unit/check_osticket
tests_unit_check_osticket_SOURCES = tests/unit/check_osticket.c
tests_unit_check_osticket_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_osticket_LDADD = $(DP_TEST_LIBS)
