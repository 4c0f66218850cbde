# connectors: one file per helpdesk behind connector.h
src_libdeskpilot_a_SOURCES += \
	src/connectors/connector.h src/connectors/connectors.c

# zammad: connector, outbound HTTP client, HTML to text, zammad-setup
src_libdeskpilot_a_SOURCES += \
	src/connectors/zammad.c src/connectors/zammad.h \
	src/common/http_client.c src/common/http_client.h \
	src/draft/html.c src/draft/html.h
include src/connectors/osticket.mk
