/*
 * front.c - routing, request limits and webhook ingest (see front.h).
 *
 * Order for a hook: route and method, then the declared length against
 * max_body (413 before reading anything), then the body read to EOF into a
 * capped buffer (400 when it disagrees with CONTENT_LENGTH), then the
 * connector verifies the signature and parses, and only then is anything
 * stored. A failure at any step stores nothing.
 */
#include "front/front.h"

#include "config.h" /* PACKAGE_VERSION */

#include "common/event.h"
#include "common/log.h"
#include "connectors/connector.h"
#include "front/metrics.h"
#include "ops/stats.h"
#include "store/decisions.h"
#include "store/events.h"
#include "store/outbox.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void front_response_init(struct front_response *r)
{
	r->status = 200;
	r->allow = NULL;
	r->content_type = "application/json";
	buf_init(&r->body, 16 * 1024 * 1024);
}

void front_response_release(struct front_response *r)
{
	buf_release(&r->body);
}

const char *front_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	}
	return "Unknown";
}

static void respond_json(struct front_response *resp, int status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	resp->status = status;
	buf_reset(&resp->body);
	buf_puts(&resp->body, s);
	buf_putc(&resp->body, '\n');
	free(s);
	json_decref(j);
}

static void respond_error(struct front_response *resp, int status,
			  const char *error, const char *detail)
{
	respond_json(resp, status,
		     json_pack("{s:s, s:s}", "error", error, "detail", detail));
}

/* The request path without query string. nginx's fastcgi_params sets
 * DOCUMENT_URI; REQUEST_URI is the fallback. */
static char *request_path(char **envp)
{
	const char *p = dp_env_get(envp, "DOCUMENT_URI");

	if (!p || !*p) {
		p = dp_env_get(envp, "REQUEST_URI");
		if (!p)
			p = dp_env_get(envp, "SCRIPT_NAME");
		if (!p)
			p = "/";
	}
	return xstrndup(p, strcspn(p, "?"));
}

static size_t count_params(char **envp)
{
	size_t n = 0;

	while (envp && envp[n])
		n++;
	return n;
}

static void handle_healthz(struct front_ctx *ctx, struct front_response *resp)
{
	bool ok = store_ping(ctx->store) == 0;
	int64_t depth = ok ? store_event_queue_depth(ctx->store) : -1;

	respond_json(resp, ok ? 200 : 503,
		     json_pack("{s:s, s:s, s:I, s:s}", "status",
			       ok ? "ok" : "degraded", "store",
			       ok ? "ok" : "unavailable", "queue_depth",
			       (json_int_t)depth, "version", PACKAGE_VERSION));
}

static void render_outcome(void *ctx, const char *outcome, int64_t n)
{
	buf_printf(ctx, "deskpilot_decisions_total{outcome=\"%s\"} %lld\n",
		   outcome, (long long)n);
}

static void handle_metrics(struct front_ctx *ctx, struct front_response *resp)
{
	int64_t events = store_event_count(ctx->store);
	int64_t depth = store_event_queue_depth(ctx->store);

	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4";
	buf_reset(&resp->body);
	metrics_render(&resp->body);
	buf_printf(&resp->body,
		   "# HELP deskpilot_events_stored_total Events committed to the store.\n"
		   "# TYPE deskpilot_events_stored_total counter\n"
		   "deskpilot_events_stored_total %lld\n"
		   "# HELP deskpilot_queue_depth Events waiting for a decision.\n"
		   "# TYPE deskpilot_queue_depth gauge\n"
		   "deskpilot_queue_depth %lld\n",
		   (long long)events, (long long)depth);
	buf_puts(&resp->body,
		 "# HELP deskpilot_decisions_total Decisions by outcome.\n"
		 "# TYPE deskpilot_decisions_total counter\n");
	store_decision_counts(ctx->store, render_outcome, &resp->body);
	buf_printf(&resp->body,
		   "# HELP deskpilot_outbox_actions Write-back actions by state.\n"
		   "# TYPE deskpilot_outbox_actions gauge\n"
		   "deskpilot_outbox_actions{state=\"pending\"} %lld\n"
		   "deskpilot_outbox_actions{state=\"dead\"} %lld\n",
		   (long long)store_outbox_count(ctx->store, "pending"),
		   (long long)store_outbox_count(ctx->store, "dead"));
	/* Reasons, model use, SLA breaches, acceptance and demotions. */
	stats_render_metrics(ctx->store, &resp->body);
}

/* Read the body into out. Returns 0 or sets the error response. */
static int read_body(struct front_ctx *ctx, const struct front_request *req,
		     struct buf *out, struct front_response *resp)
{
	const char *cl = dp_env_get(req->envp, "CONTENT_LENGTH");
	long long declared;
	char chunk[8192];
	int n;

	if (!cl || !*cl) {
		respond_error(resp, 411, "length required",
			      "a Content-Length header is required");
		return -1;
	}
	if (dp_parse_ll(cl, 0, INT64_MAX, &declared) < 0) {
		respond_error(resp, 400, "bad request",
			      "Content-Length is not a non-negative integer");
		return -1;
	}
	if ((unsigned long long)declared > ctx->cfg->max_body) {
		char detail[128];

		snprintf(detail, sizeof(detail),
			 "body of %lld bytes exceeds max_body of %zu bytes",
			 declared, ctx->cfg->max_body);
		respond_error(resp, 413, "payload too large", detail);
		return -1;
	}
	/* Read to EOF: libfcgi does not enforce CONTENT_LENGTH, so a body
	 * longer than declared is caught here rather than trusted. */
	out->max = (size_t)declared;
	while ((n = req->read(req->read_ctx, chunk, sizeof(chunk))) > 0) {
		if (buf_append(out, chunk, (size_t)n) < 0) {
			respond_error(resp, 400, "bad request",
				      "body is longer than Content-Length");
			return -1;
		}
	}
	if (n < 0 || out->len != (size_t)declared) {
		respond_error(resp, 400, "bad request",
			      "body is shorter than Content-Length (truncated)");
		return -1;
	}
	if (!out->data)
		buf_append(out, "", 0);
	return 0;
}

static int status_of(int rc)
{
	switch (rc) {
	case DP_EAUTH: return 401;
	case DP_ETOOBIG: return 413;
	case DP_EMEDIA: return 415;
	case DP_EINVAL:
	case DP_EPARSE: return 400;
	case DP_EBUSY: return 503;
	}
	return 500;
}

static const char *error_of(int status)
{
	switch (status) {
	case 401: return "unauthorized";
	case 413: return "payload too large";
	case 415: return "unsupported media type";
	case 400: return "bad request";
	case 503: return "unavailable";
	}
	return "internal error";
}

static void handle_hook(struct front_ctx *ctx, const struct front_request *req,
			const struct connector *conn,
			struct front_response *resp)
{
	struct hook_request hr = {req->envp, NULL, 0};
	struct ticket_event ev;
	struct dp_error err = {{0}};
	struct buf body;
	int64_t id = 0;
	int rc, status;

	ticket_event_init(&ev);
	buf_init(&body, 0); /* read_body sets the cap once the length is known */
	if (read_body(ctx, req, &body, resp) < 0)
		goto out;
	hr.body = body.data;
	hr.body_len = body.len;
	rc = conn->accept(config_helpdesk(ctx->cfg, conn), &hr, &ev, &err);
	if (rc < 0) {
		status = status_of(rc);
		respond_error(resp, status, error_of(status),
			      err.msg[0] ? err.msg : dp_strerror(rc));
		log_info("msg=\"hook refused\" source=%s status=%d reason=\"%s\"",
			 conn->name, status, err.msg);
		goto out;
	}
	rc = store_event_insert(ctx->store, &ev, body.data, body.len,
				dp_now_ms(), &id);
	if (rc == DP_EDUP) {
		respond_json(resp, 200,
			     json_pack("{s:s, s:I}", "status", "duplicate",
				       "event_id", (json_int_t)id));
		log_info("msg=\"duplicate delivery\" source=%s event=%lld ticket=%lld",
			 conn->name, (long long)id, (long long)ev.ticket_id);
		goto out;
	}
	if (rc < 0) {
		/* Not committed: a 5xx makes the helpdesk deliver it again. */
		respond_error(resp, 503, "unavailable",
			      "the event could not be stored; retry later");
		log_error("msg=\"event not stored\" source=%s ticket=%lld",
			  conn->name, (long long)ev.ticket_id);
		goto out;
	}
	respond_json(resp, 202,
		     json_pack("{s:s, s:I, s:s}", "status", "accepted", "event_id",
			       (json_int_t)id, "kind", event_kind_name(ev.kind)));
	log_info("msg=\"event stored\" source=%s event=%lld ticket=%lld kind=%s",
		 conn->name, (long long)id, (long long)ev.ticket_id,
		 event_kind_name(ev.kind));
out:
	buf_release(&body);
	ticket_event_release(&ev);
}

static enum metric_route route_label(const char *path,
				     const struct connector *conn)
{
	if (conn)
		return metric_route_hook(conn);
	if (strcmp(path, "/healthz") == 0)
		return ROUTE_HEALTHZ;
	if (strcmp(path, "/metrics") == 0)
		return ROUTE_METRICS;
	return ROUTE_OTHER;
}

static bool method_is(const char *m, const char *want)
{
	return m && strcmp(m, want) == 0;
}

void front_handle(struct front_ctx *ctx, const struct front_request *req,
		  struct front_response *resp)
{
	int64_t t0 = dp_mono_us();
	const char *method = dp_env_get(req->envp, "REQUEST_METHOD");
	char *path = request_path(req->envp);
	const struct connector *conn = connector_for_route(path);
	enum metric_route label = route_label(path, conn);

	if (count_params(req->envp) > FRONT_MAX_PARAMS) {
		respond_error(resp, 431, "request header fields too large",
			      "too many request headers");
		goto out;
	}
	if (strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0) {
		if (!method_is(method, "GET") && !method_is(method, "HEAD")) {
			resp->allow = "GET, HEAD";
			respond_error(resp, 405, "method not allowed",
				      "this path accepts GET");
		} else if (label == ROUTE_HEALTHZ) {
			handle_healthz(ctx, resp);
		} else {
			handle_metrics(ctx, resp);
		}
		goto out;
	}
	if (!conn || !config_helpdesk_enabled(ctx->cfg, conn)) {
		respond_error(resp, 404, "not found",
			      conn ? "this helpdesk is not configured"
				   : "no such path");
		goto out;
	}
	if (!method_is(method, "POST")) {
		resp->allow = "POST";
		respond_error(resp, 405, "method not allowed",
			      "webhooks are delivered with POST");
		goto out;
	}
	handle_hook(ctx, req, conn, resp);
out:
	metrics_observe(label, resp->status, dp_mono_us() - t0);
	free(path);
}
