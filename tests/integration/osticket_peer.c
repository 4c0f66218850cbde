/*
 * osticket_peer.c - osTicket's side of the integration tests (see
 * osticket_peer.h).
 */
#include "osticket_peer.h"

#include "common/dp.h"
#include "common/hmac.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

pid_t osticket_fake_start(struct harness *h, int port)
{
	return harness_assert_fake(h, "fake_osticket.py", port, NULL);
}

char *osticket_fixture(const char *name, size_t *len)
{
	return harness_assert_fixture("osticket", name, len);
}

char *osticket_event(const char *name, long long ts, const char *delivery,
		     const char *const *set)
{
	size_t len;
	char *text = osticket_fixture(name, &len);
	json_t *j = json_loadb(text, len, 0, NULL);
	char *out;

	ck_assert_ptr_nonnull(j);
	json_object_set_new(j, "timestamp", json_integer(ts));
	json_object_set_new(j, "delivery_id", json_string(delivery));
	for (size_t i = 0; set && set[i]; i += 2)
		json_object_set_new(j, set[i], json_loads(set[i + 1], JSON_DECODE_ANY, NULL));
	out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	free(text);
	return out;
}

long osticket_deliver(struct harness *h, const char *ctype, const char *body,
		      const char *key, long long ts,
		      struct harness_response *resp)
{
	char hex[HMAC_HEX_MAX];
	char *ct = xasprintf("Content-Type: %s", ctype);
	char *sig, *tsh;
	long status;

	hmac_hex(HMAC_SHA256, key, body, strlen(body), hex);
	sig = xasprintf("X-Deskpilot-Signature: sha256=%s", hex);
	tsh = xasprintf("X-Deskpilot-Timestamp: %lld", ts);
	const char *headers[] = {ct, sig, tsh, NULL};
	ck_assert_int_eq(harness_post(h, "/hooks/osticket", headers, body,
				      strlen(body), resp),
			 0);
	status = resp->status;
	free(ct);
	free(sig);
	free(tsh);
	return status;
}

json_t *osticket_fake_ticket(json_t *state, int id)
{
	char key[16];

	snprintf(key, sizeof(key), "%d", id);
	return json_object_get(json_object_get(state, "tickets"), key);
}

size_t osticket_fake_notes(json_t *state, int id)
{
	return json_array_size(json_object_get(osticket_fake_ticket(state, id), "notes"));
}
