# plugin: the helpdesk-side parts. The osTicket plugin ships as source:
# admins copy this folder into osTicket's include/plugins/ (README
# "osTicket"). plugin/zammad/README.md documents Zammad's side.
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
EXTRA_DIST += plugin/zammad/README.md
