/*
 * http_client.h - outbound HTTP for connectors and the LLM drafter
 * (libcurl easy interface).
 *
 * One client per thread, reused for every call so connections are kept
 * alive; never shared between threads. Every call has connect and total
 * timeouts, follows no redirects, speaks only http/https, and caps the
 * response body (HTTP_CLIENT_MAX_RESPONSE).
 */
#ifndef DP_HTTP_CLIENT_H
#define DP_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/dp.h"

#define HTTP_CLIENT_MAX_RESPONSE (4u * 1024 * 1024)

struct http_client;

struct http_call {
	const char *method; /* "GET", "POST", "PUT", ... */
	const char *url;
	const char *const *headers; /* "Name: value" strings, NULL-terminated */
	const char *body;           /* request body, or NULL */
	size_t body_len;
	int connect_timeout_ms;
	int timeout_ms;
	bool verify_tls;
};

struct http_response {
	long status;          /* HTTP status; 0 when no response */
	struct buf body;      /* response body, capped */
	char retry_after[32]; /* Retry-After header value, "" when absent */
};

/* Returns a new client (free with http_client_free). */
struct http_client *http_client_new(void);
void http_client_free(struct http_client *c);

void http_response_init(struct http_response *r);
void http_response_release(struct http_response *r);

/* Perform one call. Returns 0 when a response arrived (any status: check
 * resp->status); DP_ETIMEOUT on a timeout; DP_EIO on connection failure;
 * DP_ETOOBIG when the response passed the cap. err gets curl's message. */
int http_client_do(struct http_client *c, const struct http_call *call,
		   struct http_response *resp, struct dp_error *err);

#endif
