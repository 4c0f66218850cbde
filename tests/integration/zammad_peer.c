/*
 * zammad_peer.c - Zammad's side of the integration tests (see
 * zammad_peer.h).
 */
#include "zammad_peer.h"

#include "common/dp.h"
#include "common/hmac.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

pid_t zammad_fake_start(struct harness *h, int port)
{
	char *state = harness_path(h, "zammad-state.json");
	pid_t pid = harness_assert_fake(h, "fake_zammad.py", port,
					(const char *const[]){"--state-file", state, NULL});

	free(state);
	return pid;
}

struct harness *zammad_harness(const char *ini, const char *zammad_keys,
			       int *port)
{
	struct harness *h;
	char *all;

	*port = harness_free_port();
	ck_assert_int_gt(*port, 0);
	all = xasprintf("%s[zammad]\nurl = http://127.0.0.1:%d\ntoken = " ZAMMAD_TOKEN
			"\nwebhook_secret = " ZAMMAD_SECRET "\n%s",
			ini ? ini : "", *port, zammad_keys ? zammad_keys : "");
	h = harness_new(&(struct harness_opts){.ini = all});
	free(all);
	ck_assert_msg(h != NULL, "%s", harness_error());
	zammad_fake_start(h, *port);
	return h;
}

char *zammad_fixture(const char *name, size_t *len)
{
	return harness_assert_fixture("zammad", name, len);
}

char *zammad_event(long ticket_id, long article_id, const char *text,
		   size_t *len)
{
	size_t n;
	char *raw = zammad_fixture("webhook-default-customer-email.body", &n);
	json_error_t jerr;
	json_t *j = json_loadb(raw, n, 0, &jerr);
	json_t *t, *a;
	char *out;

	ck_assert_ptr_nonnull(j);
	t = json_object_get(j, "ticket");
	a = json_object_get(j, "article");
	json_object_set_new(t, "id", json_integer(ticket_id));
	json_object_set_new(t, "number", json_sprintf("%ld", 26000 + ticket_id));
	json_object_set_new(a, "ticket_id", json_integer(ticket_id));
	json_object_set_new(a, "id", json_integer(article_id));
	json_object_set_new(a, "body", json_string(text));
	json_object_set_new(a, "content_type", json_string("text/plain"));
	out = json_dumps(j, JSON_COMPACT);
	*len = strlen(out);
	json_decref(j);
	free(raw);
	return out;
}

long zammad_deliver_as(struct harness *h, const char *content_type,
		       const char *body, size_t len, const char *delivery,
		       const char *key, struct harness_response *resp)
{
	char hex[HMAC_HEX_MAX];
	char *ct, *sig, *dlv;

	hmac_hex(HMAC_SHA1, key, body, len, hex);
	ct = xasprintf("Content-Type: %s", content_type);
	sig = xasprintf("X-Hub-Signature: sha1=%s", hex);
	dlv = xasprintf("X-Zammad-Delivery: %s", delivery);
	const char *headers[] = {ct, "User-Agent: Zammad User Agent",
				 "X-Zammad-Trigger: deskpilot", sig, dlv, NULL};
	if (harness_post(h, "/hooks/zammad", headers, body, len, resp) < 0)
		resp->status = 0;
	free(ct);
	free(sig);
	free(dlv);
	return resp->status;
}

long zammad_deliver(struct harness *h, const char *body, size_t len,
		    const char *delivery, const char *key,
		    struct harness_response *resp)
{
	return zammad_deliver_as(h, "application/json; charset=utf-8", body, len,
				 delivery, key, resp);
}

bool zammad_has_tag(json_t *state, long ticket, const char *tag)
{
	char key[32];
	json_t *t;
	size_t i;

	snprintf(key, sizeof(key), "%ld", ticket);
	json_array_foreach(json_object_get(json_object_get(state, "tags"), key), i, t)
		if (json_is_string(t) && strcmp(json_string_value(t), tag) == 0)
			return true;
	return false;
}

int zammad_articles(json_t *state, long ticket, bool internal,
		    const char *needle)
{
	json_t *a;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(state, "articles"), i, a) {
		const char *body = json_string_value(json_object_get(a, "body"));

		if (json_integer_value(json_object_get(a, "ticket_id")) != ticket ||
		    json_is_true(json_object_get(a, "internal")) != internal)
			continue;
		if (!needle || (body && strstr(body, needle)))
			n++;
	}
	return n;
}

int zammad_marked(json_t *state, long long decision_id)
{
	/* The marker ends the note as "...:<id></p>" or "...:<id></small>":
	 * with the '<' it cannot match a longer id. */
	char *needle = xasprintf("deskpilot-decision:%lld<", decision_id);
	json_t *a;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(state, "articles"), i, a) {
		const char *body = json_string_value(json_object_get(a, "body"));

		if (body && strstr(body, needle))
			n++;
	}
	free(needle);
	return n;
}
