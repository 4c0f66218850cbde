/*
 * listen.h - the listening socket the FastCGI threads accept on.
 *
 * Not FCGX_OpenSocket: that exits on bind failure, steals a live unix
 * socket and leaves the mode to the umask. Here a unix socket that another
 * process still answers on is an error, a stale one is replaced, and the
 * mode is set explicitly so nginx's user can connect.
 */
#ifndef DP_LISTEN_H
#define DP_LISTEN_H

#include <sys/types.h>

#include "common/dp.h"

/* Open `spec`: "unix:/path", "host:port" (IPv4 or [IPv6]) or "fd:0" (an
 * inherited listening socket from spawn-fcgi or systemd). mode applies to
 * unix sockets. Returns the fd, or a negative dp_err with err set. */
int listen_open(const char *spec, mode_t mode, struct dp_error *err);

/* Wake n threads blocked in accept() on fd at shutdown. A socket we
 * opened is shut down. An inherited socket belongs to whoever passed it
 * (systemd keeps it for the next start), so it is left listening and each
 * thread gets an empty connection instead, after which libfcgi sees the
 * pending shutdown. */
void listen_wake(int fd, const char *spec, int n);

/* Close fd and, for a unix socket we created, remove its path. */
void listen_close(int fd, const char *spec);

#endif
