# connectors: one file per helpdesk behind connector.h
src_libdeskpilot_a_SOURCES += \
	src/connectors/connector.h src/connectors/connectors.c

# zammad: connector, outbound HTTP client, HTML to text, zammad-setup
src_libdeskpilot_a_SOURCES += \
	src/connectors/zammad.c src/connectors/zammad.h \
	src/common/http_client.c src/common/http_client.h \
	src/connectors/zammad_setup.c
include src/connectors/osticket.mk
check_PROGRAMS += tests/unit/check_zammad tests/unit/check_html \
	tests/unit/check_http_client
TESTS += tests/unit/check_zammad tests/unit/check_html \
	tests/unit/check_http_client
tests_unit_check_zammad_SOURCES = tests/unit/check_zammad.c \
	tests/unit/fake_zammad_ctl.c tests/unit/fake_zammad_ctl.h
tests_unit_check_zammad_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_zammad_LDADD = $(DP_TEST_LIBS)
tests_unit_check_html_SOURCES = tests/unit/check_html.c
tests_unit_check_html_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_html_LDADD = $(DP_TEST_LIBS)
tests_unit_check_http_client_SOURCES = tests/unit/check_http_client.c \
	tests/unit/fake_zammad_ctl.c tests/unit/fake_zammad_ctl.h
tests_unit_check_http_client_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_http_client_LDADD = $(DP_TEST_LIBS)
EXTRA_DIST += tests/fakes/fake_zammad.py plugin/zammad/README.md
# The Zammad webhook and API fixtures (check_zammad, the integration tests
# and the fuzz seeds read them from the source tree).
EXTRA_DIST += \
	tests/data/zammad/README.md \
	tests/data/zammad/api-create-internal-note.request.json \
	tests/data/zammad/api-tag-add.request.json \
	tests/data/zammad/api-update-ticket.request.json \
	tests/data/zammad/signatures.txt \
	tests/data/zammad/webhook-custom-payload.template.json \
	tests/data/zammad/webhook-auto-response.body \
	tests/data/zammad/webhook-default-customer-email.body \
	tests/data/zammad/webhook-default-customer-email.json \
	tests/data/zammad/webhook-default-no-article.body \
	tests/data/zammad/webhook-default-no-article.json \
	tests/data/zammad/webhook-default-vip-customer.body \
	tests/data/zammad/webhook-default-vip-customer.json \
	tests/data/zammad/webhook-request-headers.example.txt
