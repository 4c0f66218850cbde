# tests/plugin: the osTicket plugin's logic tests (TAP; skipped without
# php), against stubs of the osTicket classes it uses.
TESTS += tests/plugin/check_plugin.sh
dist_noinst_SCRIPTS += tests/plugin/check_plugin.sh
EXTRA_DIST += \
	tests/plugin/test_plugin.php \
	tests/plugin/stubs/osticket.php \
	tests/plugin/stubs/forms.php \
	tests/plugin/stubs/class.api.php \
	tests/plugin/stubs/class.plugin.php \
	tests/plugin/stubs/class.signal.php
