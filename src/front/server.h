/*
 * server.h - `deskpilot serve`: the FastCGI accept threads, the pipeline
 * threads behind them, and an orderly shutdown.
 *
 * Startup order (before any thread exists): SIGPIPE ignored; TERM, INT and
 * HUP blocked so only main's sigwait sees them; libxml2, libcurl and
 * libfcgi initialised; the store opened once to migrate it; the socket
 * opened. Shutdown on SIGTERM/SIGINT: FCGX_ShutdownPending and
 * listen_wake wake every blocked accept, requests in flight
 * finish, the pipeline stops after its current step, everything is joined
 * and closed, exit 0.
 */
#ifndef DP_SERVER_H
#define DP_SERVER_H

#include "config/config.h"

/* Run until SIGTERM/SIGINT. Returns the process exit status. */
int server_run(const struct config *cfg);

#endif
