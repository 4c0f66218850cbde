/*
 * serve.c - `deskpilot serve [-c FILE]`: the FastCGI accept threads, the
 * pipeline threads behind them, and an orderly shutdown. This is where
 * the service is wired together; the front (front/), the pipeline
 * (pipeline/) and the store know nothing of each other's threads.
 *
 * Startup order (before any thread exists): SIGPIPE ignored; TERM, INT and
 * HUP blocked so only main's sigwait sees them; libxml2, libcurl and
 * libfcgi initialised; the store opened once to migrate it; the socket
 * opened. Shutdown on SIGTERM/SIGINT: FCGX_ShutdownPending and
 * listen_wake wake every blocked accept, requests in flight
 * finish, the pipeline stops after its current step, everything is joined
 * and closed, exit 0.
 *
 * Each front thread owns its FCGX_Request and its store connection; there
 * is no mutex around FCGX_Accept_r (Debian's libfcgi accepts concurrently,
 * and a mutex would stall threads behind a kept-alive connection).
 */
#include "cli/cli.h"

#include "common/html.h"
#include "common/log.h"
#include "config/config.h"
#include "connectors/connector.h"
#include "front/front.h"
#include "front/listen.h"
#include "pipeline/pipeline.h"
#include "store/store.h"

#include <curl/curl.h>
#include <fcgiapp.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct front_thread {
	pthread_t tid;
	const struct config *cfg;
	int listen_fd;
	int index;
};

static int fcgx_read(void *ctx, char *p, int n)
{
	return FCGX_GetStr(p, n, ((FCGX_Request *)ctx)->in);
}

/* The headers are formatted with our own printf: libfcgi's FCGX_FPrintF
 * has its own format parser, which knows no %zu. */
static void write_response(FCGX_Request *req, const struct front_response *r)
{
	const char *method = FCGX_GetParam("REQUEST_METHOD", req->envp);
	char *head = xasprintf("Status: %d %s\r\nContent-Type: %s\r\n%s%s%s"
			       "Content-Length: %zu\r\n\r\n",
			       r->status, front_status_text(r->status),
			       r->content_type, r->allow ? "Allow: " : "",
			       r->allow ? r->allow : "", r->allow ? "\r\n" : "",
			       r->body.len);

	FCGX_PutStr(head, (int)strlen(head), req->out);
	free(head);
	if (!(method && strcmp(method, "HEAD") == 0) && r->body.len)
		FCGX_PutStr(buf_str(&r->body), (int)r->body.len, req->out);
}

static void *front_main(void *arg)
{
	struct front_thread *t = arg;
	struct dp_error err;
	FCGX_Request req;
	struct front_ctx ctx = {t->cfg, NULL};
	char name[16];

	snprintf(name, sizeof(name), "dp-front/%d", t->index % 1000);
	pthread_setname_np(pthread_self(), name);
	ctx.store = store_open(t->cfg->database, &err);
	if (!ctx.store) {
		log_error("msg=\"front thread cannot open store\" error=\"%s\"", err.msg);
		return NULL;
	}
	FCGX_InitRequest(&req, t->listen_fd, 0);
	while (FCGX_Accept_r(&req) >= 0) {
		struct front_request fr = {req.envp, fcgx_read, &req};
		struct front_response resp;

		front_response_init(&resp);
		front_handle(&ctx, &fr, &resp);
		write_response(&req, &resp);
		front_response_release(&resp);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 0);
	store_close(ctx.store);
	return NULL;
}

/* A helpdesk whose webhooks are taken unsigned is worth a line at start. */
static void warn_unsigned(const struct config *cfg)
{
	for (size_t i = 0; connector_at(i); i++) {
		const struct connector *conn = connector_at(i);

		if (config_helpdesk_enabled(cfg, conn) &&
		    conn->hooks_unsigned(config_helpdesk(cfg, conn)))
			log_warn("msg=\"%s webhooks are accepted unsigned (allow_unsigned = true)\"",
				 conn->name);
	}
}

static int server_run(const struct config *cfg)
{
	struct front_thread *threads = NULL;
	struct pipeline *pipe = NULL;
	struct dp_error err;
	sigset_t set;
	store *s;
	int fd, sig = 0, started = 0, status = 1;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	html_init();
	curl_global_init(CURL_GLOBAL_ALL);
	if (FCGX_Init() != 0) {
		log_error("msg=\"cannot initialise libfcgi\"");
		goto out_libs;
	}
	/* Open once in main: migrations run before any thread, and a bad path
	 * is a clear startup error. */
	s = store_open(cfg->database, &err);
	if (!s) {
		log_error("msg=\"cannot start\" error=\"%s\"", err.msg);
		goto out_libs;
	}
	store_close(s);
	fd = listen_open(cfg->listen, (mode_t)strtol(cfg->listen_mode, NULL, 8), &err);
	if (fd < 0) {
		log_error("msg=\"cannot start\" error=\"%s\"", err.msg);
		goto out_libs;
	}
	pipe = pipeline_start(cfg, &err);
	if (!pipe) {
		log_error("msg=\"cannot start pipeline\" error=\"%s\"", err.msg);
		goto out_listen;
	}
	warn_unsigned(cfg);

	threads = xcalloc((size_t)cfg->threads, sizeof(*threads));
	for (int i = 0; i < cfg->threads; i++) {
		threads[i] = (struct front_thread){0, cfg, fd, i};
		if (pthread_create(&threads[i].tid, NULL, front_main, &threads[i]) != 0)
			break;
		started++;
	}
	log_info("msg=\"deskpilot serving\" listen=%s threads=%d workers=%d database=\"%s\" mode=%s",
		 cfg->listen, started, cfg->worker_threads, cfg->database,
		 policy_mode_name(cfg->policy.mode));
	while (started == cfg->threads && sigwait(&set, &sig) == 0 && sig == SIGHUP)
		log_info("msg=\"SIGHUP ignored: restart to reload the config\"");
	log_info("msg=\"shutting down\" signal=%d", sig);

	/* Wake every accept; busy threads finish their request first. */
	FCGX_ShutdownPending();
	listen_wake(fd, cfg->listen, started);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i].tid, NULL);
	free(threads);
	pipeline_stop(pipe);
	status = started == cfg->threads ? 0 : 1;
out_listen:
	listen_close(fd, cfg->listen);
out_libs:
	curl_global_cleanup();
	html_cleanup();
	if (status == 0)
		log_info("msg=\"stopped\"");
	return status;
}

int cmd_serve(int argc, char **argv)
{
	struct config cfg;
	int rc = cli_load_config(&argc, argv, &cfg);

	if (rc == 0 && argc > 1) {
		fprintf(stderr, "usage: deskpilot serve [-c FILE]\n");
		rc = EXIT_USAGE;
	}
	if (rc == 0)
		rc = server_run(&cfg);
	config_release(&cfg);
	return rc;
}
