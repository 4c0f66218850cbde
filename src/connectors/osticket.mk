# osticket: the connector, the hardened XML parse, the PHP plugin and their tests
src_libdeskpilot_a_SOURCES += \
	src/connectors/osticket.c src/connectors/osticket.h \
	src/connectors/xml_safe.c src/connectors/xml_safe.h

check_PROGRAMS += tests/unit/check_osticket
TESTS += tests/unit/check_osticket
tests_unit_check_osticket_SOURCES = tests/unit/check_osticket.c
tests_unit_check_osticket_CFLAGS = $(DP_TEST_CFLAGS)
tests_unit_check_osticket_LDADD = $(DP_TEST_LIBS)

# The plugin's logic tests (TAP; skipped without php) and their data.
TESTS += tests/plugin/check_plugin.sh
dist_noinst_SCRIPTS += tests/plugin/check_plugin.sh
EXTRA_DIST += \
	tests/plugin/test_plugin.php \
	tests/plugin/stubs/osticket.php \
	tests/plugin/stubs/forms.php \
	tests/plugin/stubs/class.api.php \
	tests/plugin/stubs/class.plugin.php \
	tests/plugin/stubs/class.signal.php \
	tests/data/osticket/message_html.json tests/data/osticket/message_html.xml \
	tests/data/osticket/message_vip.json tests/data/osticket/message_vip.xml \
	tests/data/osticket/reply_text.json tests/data/osticket/reply_text.xml \
	tests/data/osticket/plugin_event.json tests/data/osticket/plugin_event.xml \
	tests/data/osticket/decision_route.json \
	tests/data/osticket/hostile_xxe_file.xml \
	tests/data/osticket/hostile_billion_laughs.xml \
	tests/data/osticket/hostile_external_dtd.xml \
	tests/data/osticket/hostile_parameter_entity.xml \
	tests/data/osticket/hostile_deep_nesting.xml \
	tests/data/osticket/deep_nesting.json

# The plugin ships as source: admins copy this folder into osTicket's
# include/plugins/ (README "osTicket").
osticketplugindir = $(datadir)/deskpilot/plugin/osticket
dist_osticketplugin_DATA = \
	plugin/osticket/plugin.php plugin/osticket/config.php \
	plugin/osticket/deskpilot.php plugin/osticket/api.deskpilot.php \
	plugin/osticket/install.sql plugin/osticket/README.md
osticketpluginlibdir = $(osticketplugindir)/lib
dist_osticketpluginlib_DATA = \
	plugin/osticket/lib/class.settings.php \
	plugin/osticket/lib/class.signature.php \
	plugin/osticket/lib/class.payload.php \
	plugin/osticket/lib/class.outbound.php \
	plugin/osticket/lib/class.store.php \
	plugin/osticket/lib/class.status.php \
	plugin/osticket/lib/class.decision.php

# Through the real nginx and the pipeline to a fake of the plugin's route;
# and against a real osTicket when OSTICKET_* are set (skipped otherwise).
check_PROGRAMS += tests/integration/check_osticket_pipeline \
	tests/integration/check_osticket_e2e
TESTS += tests/integration/check_osticket_pipeline \
	tests/integration/check_osticket_e2e
tests_integration_check_osticket_pipeline_SOURCES = tests/integration/check_osticket_pipeline.c
tests_integration_check_osticket_pipeline_CFLAGS = $(DP_IT_CFLAGS)
tests_integration_check_osticket_pipeline_LDADD = $(DP_IT_LIBS)
tests_integration_check_osticket_e2e_SOURCES = tests/integration/check_osticket_e2e.c
tests_integration_check_osticket_e2e_CFLAGS = $(DP_IT_CFLAGS)
tests_integration_check_osticket_e2e_LDADD = $(DP_IT_LIBS)
EXTRA_DIST += tests/fakes/fake_osticket.py
