/*
 * http_client.c - outbound HTTP over one libcurl easy handle (see
 * http_client.h).
 *
 * Design: the handle is reset before every call (curl_easy_reset keeps the
 * connection cache, so keep-alive survives) and then every safety option is
 * set again: no signals, connect and total timeouts, no redirects, http and
 * https only, TLS verification as the call asks. The response body goes
 * through a write callback into a capped buf; passing the cap aborts the
 * transfer. Only the Retry-After header is kept.
 *
 * Invariants: a client is used by one thread at a time; curl_global_init
 * ran before the first client was made.
 */
#include "common/http_client.h"

#include <curl/curl.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct http_client {
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
};

/* What the callbacks write into during one call. */
struct call_state {
	struct http_response *resp;
	bool too_big;
};

struct http_client *http_client_new(void)
{
	struct http_client *c = xcalloc(1, sizeof(*c));

	c->curl = curl_easy_init();
	if (!c->curl)
		abort(); /* only fails when out of memory */
	return c;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

void http_response_init(struct http_response *r)
{
	r->status = 0;
	buf_init(&r->body, HTTP_CLIENT_MAX_RESPONSE);
	r->retry_after[0] = '\0';
}

void http_response_release(struct http_response *r)
{
	buf_release(&r->body);
	http_response_init(r);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct call_state *st = ud;

	if (buf_append(&st->resp->body, p, size * n) < 0) {
		st->too_big = true;
		return 0; /* anything but size * n aborts the transfer */
	}
	return size * n;
}

/* Keep Retry-After; every other header is ignored. Headers of an earlier
 * response in the same call (a 100 Continue) are overwritten by later ones. */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	static const char name[] = "retry-after:";
	struct call_state *st = ud;
	size_t len = size * n;
	size_t vlen;

	if (len > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
		p += sizeof(name) - 1;
		len -= sizeof(name) - 1;
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		vlen = len < sizeof(st->resp->retry_after) - 1
			       ? len
			       : sizeof(st->resp->retry_after) - 1;
		memcpy(st->resp->retry_after, p, vlen);
		st->resp->retry_after[vlen] = '\0';
	}
	return size * n;
}

/* Set every option for one call; the first failure wins. */
static CURLcode setup(struct http_client *c, const struct http_call *call,
		      struct curl_slist *headers, struct call_state *st)
{
	CURL *h = c->curl;
	CURLcode rc = CURLE_OK;

#define SET(opt, val)                                       \
	do {                                                \
		if (rc == CURLE_OK)                         \
			rc = curl_easy_setopt(h, opt, val); \
	} while (0)

	SET(CURLOPT_ERRORBUFFER, c->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_URL, call->url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)call->connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, (long)call->timeout_ms);
	SET(CURLOPT_SSL_VERIFYPEER, call->verify_tls ? 1L : 0L);
	SET(CURLOPT_SSL_VERIFYHOST, call->verify_tls ? 2L : 0L);
	SET(CURLOPT_CUSTOMREQUEST, call->method);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, st);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, st);
	if (strcmp(call->method, "HEAD") == 0)
		SET(CURLOPT_NOBODY, 1L);
	if (call->body) {
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->body_len);
		SET(CURLOPT_POSTFIELDS, call->body);
	}
#undef SET
	return rc;
}

int http_client_do(struct http_client *c, const struct http_call *call,
		   struct http_response *resp, struct dp_error *err)
{
	struct call_state st = {resp, false};
	struct curl_slist *headers = NULL;
	CURLcode rc;
	int ret = 0;

	buf_reset(&resp->body);
	resp->status = 0;
	resp->retry_after[0] = '\0';
	c->errbuf[0] = '\0';
	curl_easy_reset(c->curl);
	for (size_t i = 0; call->headers && call->headers[i]; i++) {
		struct curl_slist *next = curl_slist_append(headers, call->headers[i]);

		if (!next)
			abort();
		headers = next;
	}
	rc = setup(c, call, headers, &st);
	if (rc != CURLE_OK) {
		ret = dp_fail(err, DP_EINVAL, "cannot set up request to '%s': %s",
			      call->url, curl_easy_strerror(rc));
		goto out;
	}
	rc = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	if (st.too_big)
		ret = dp_fail(err, DP_ETOOBIG,
			      "response from '%s' is larger than %u bytes",
			      call->url, HTTP_CLIENT_MAX_RESPONSE);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		ret = dp_fail(err, DP_ETIMEOUT, "request to '%s' timed out: %s",
			      call->url, c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
	else if (rc != CURLE_OK)
		ret = dp_fail(err, DP_EIO, "request to '%s' failed: %s", call->url,
			      c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
out:
	/* The handle keeps a pointer to the list until the next reset. */
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	if (ret < 0)
		buf_reset(&resp->body);
	return ret;
}
