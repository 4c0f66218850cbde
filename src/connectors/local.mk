# connectors: one file per helpdesk behind connector.h, and the table of
# them (connectors.c). A new helpdesk adds its files here (connector.h).
src_libdeskpilot_a_SOURCES += \
	src/connectors/connector.h src/connectors/connectors.c \
	src/connectors/zammad.c src/connectors/zammad.h \
	src/connectors/zammad_setup.c \
	src/connectors/osticket.c src/connectors/osticket.h \
	src/connectors/xml_safe.c src/connectors/xml_safe.h
