# examples: what an install lays down beside the binary. The default config
# goes to $(sysconfdir)/deskpilot/deskpilot.conf (never over an existing
# one), state to $(localstatedir)/lib/deskpilot, the rest to
# $(docdir)/examples for the admin to copy.
examplesdir = $(docdir)/examples
dist_examples_DATA = examples/deskpilot.conf
dist_examples_SCRIPTS = examples/spawn-fcgi.sh examples/demo.py
examplesnginxdir = $(examplesdir)/nginx
dist_examplesnginx_DATA = \
	examples/nginx/deskpilot-locations.conf \
	examples/nginx/deskpilot-site.conf \
	examples/nginx/osticket-site.conf
examplessystemddir = $(examplesdir)/systemd
examplessystemd_DATA = \
	examples/systemd/deskpilot.service \
	examples/systemd/deskpilot.socket
# The sample knowledge base for the quick start, installed to
# $(pkgdatadir)/kb so `deskpilot kb import $(pkgdatadir)/kb` works.
kbdir = $(pkgdatadir)/kb
dist_kb_DATA = \
	examples/kb/change_order.md \
	examples/kb/change_shipping_address.md \
	examples/kb/check_invoice.md \
	examples/kb/check_payment_methods.md \
	examples/kb/check_refund_policy.md \
	examples/kb/contact_customer_service.md \
	examples/kb/create_account.md \
	examples/kb/delivery_options.md \
	examples/kb/delivery_period.md \
	examples/kb/edit_account.md \
	examples/kb/get_invoice.md \
	examples/kb/newsletter_subscription.md \
	examples/kb/payment_methods.md \
	examples/kb/place_order.md \
	examples/kb/recover_password.md \
	examples/kb/registration_problems.md \
	examples/kb/review.md \
	examples/kb/set_up_shipping_address.md \
	examples/kb/switch_account.md \
	examples/kb/track_order.md \
	examples/kb/track_order_de.md
examplespayloadsdir = $(examplesdir)/payloads
dist_examplespayloads_DATA = \
	examples/payloads/zammad-customer-email.json \
	examples/payloads/osticket-message.json
dist_examplespayloads_SCRIPTS = examples/payloads/post-zammad.sh

# The systemd units name the installed paths of this build.
EXTRA_DIST += \
	examples/systemd/deskpilot.service.in \
	examples/systemd/deskpilot.socket.in
CLEANFILES += $(examplessystemd_DATA)
DP_SUBST = sed -e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@localstatedir[@]|$(localstatedir)|g' \
	-e 's|@docdir[@]|$(docdir)|g'
examples/systemd/deskpilot.service: $(srcdir)/examples/systemd/deskpilot.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) examples/systemd && \
	$(DP_SUBST) $(srcdir)/examples/systemd/deskpilot.service.in > $@.tmp && mv $@.tmp $@
examples/systemd/deskpilot.socket: $(srcdir)/examples/systemd/deskpilot.socket.in Makefile
	$(AM_V_GEN)$(MKDIR_P) examples/systemd && \
	$(DP_SUBST) $(srcdir)/examples/systemd/deskpilot.socket.in > $@.tmp && mv $@.tmp $@

DP_CONF_DIR = $(DESTDIR)$(sysconfdir)/deskpilot
install-data-hook:
	$(MKDIR_P) "$(DP_CONF_DIR)" "$(DESTDIR)$(localstatedir)/lib/deskpilot"
	@if test -f "$(DP_CONF_DIR)/deskpilot.conf"; then \
	  echo "keeping the existing $(DP_CONF_DIR)/deskpilot.conf"; \
	else \
	  echo " $(INSTALL_DATA) examples/deskpilot.conf '$(DP_CONF_DIR)/deskpilot.conf'"; \
	  $(INSTALL_DATA) "$(srcdir)/examples/deskpilot.conf" "$(DP_CONF_DIR)/deskpilot.conf"; \
	fi
	-chmod 0700 "$(DESTDIR)$(localstatedir)/lib/deskpilot"

# Remove the config only if it is still the shipped one: an admin's edits
# survive `make uninstall`.
uninstall-local:
	@if cmp -s "$(srcdir)/examples/deskpilot.conf" "$(DP_CONF_DIR)/deskpilot.conf"; then \
	  echo " rm -f '$(DP_CONF_DIR)/deskpilot.conf'"; \
	  rm -f "$(DP_CONF_DIR)/deskpilot.conf"; \
	fi
