#!/bin/sh
# Run deskpilot under spawn-fcgi instead of systemd: spawn-fcgi opens the
# unix socket with the right owner and mode and hands it over on fd 0, so
# deskpilot.conf must say `listen = fd:0` in [server].
#
# -n keeps it in the foreground (for a supervisor such as runit or
# daemontools; without -n, spawn-fcgi sends deskpilot's log to /dev/null).
set -eu
SOCKET=${SOCKET:-/run/deskpilot/deskpilot.sock}
CONFIG=${CONFIG:-/etc/deskpilot/deskpilot.conf}

install -d -m 0755 "$(dirname "$SOCKET")"
exec spawn-fcgi -n \
	-s "$SOCKET" -M 0660 -U www-data -G www-data \
	-u deskpilot -g deskpilot \
	-- /usr/local/bin/deskpilot serve -c "$CONFIG"
