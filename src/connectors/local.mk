# connectors: one file per helpdesk behind connector.h
src_libdeskpilot_a_SOURCES += \
	src/connectors/connector.h src/connectors/connectors.c
