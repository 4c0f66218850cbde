/*
 * check_zammad.c - the Zammad connector: signatures over the webhook
 * fixtures, payload parsing, event kinds, the plan for every outcome, and
 * apply against the fake Zammad (idempotent retries, outages, refusals).
 *
 * The fixtures are read from $DP_SRCDIR/tests/data/zammad.
 */
#include "connectors/zammad.h"

#include "cli/cli.h"
#include "common/buf.h"
#include "common/hmac.h"
#include "common/http_client.h"
#include "config/config.h"
#include "fake_zammad_ctl.h"
#include "test.h"

#include <check.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET "test-webhook-secret"

static const struct connector *zc = &zammad_connector;
static struct fake_zammad fake;

/* ---- helpers --------------------------------------------------------- */

static char *read_fixture(const char *name, size_t *len)
{
	const char *src = getenv("DP_SRCDIR");
	char *path = xasprintf("%s/tests/data/zammad/%s",
			       src && *src ? src : ".", name);
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	ck_assert_msg(f != NULL, "cannot open fixture %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = xmalloc((size_t)n + 1);
	ck_assert_uint_eq(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	free(path);
	*len = (size_t)n;
	return data;
}

/* The "sha1=..." of name in tests/data/zammad/signatures.txt (new
 * string). */
static char *repo_signature(const char *name)
{
	size_t len, n = strlen(name);
	char *list = read_fixture("signatures.txt", &len);
	char *out = NULL;

	for (char *p = list; p && *p && !out;) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		if (strncmp(p, name, n) == 0 && p[n] == '\t') {
			char *sig = strstr(p + n, "sha1=");

			ck_assert_ptr_nonnull(sig);
			out = xstrndup(sig, strcspn(sig, "\t"));
		}
		p = nl ? nl + 1 : NULL;
	}
	free(list);
	ck_assert_msg(out != NULL, "no signature for %s", name);
	return out;
}

static void set_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

/* The [zammad] settings of a test config. */
static struct zammad_settings *zs(struct config *cfg)
{
	return config_helpdesk_slot(cfg, &zammad_connector)->settings;
}

static void test_config(struct config *cfg)
{
	config_init(cfg);
	config_helpdesk_slot(cfg, &zammad_connector)->enabled = true;
	set_str(&zs(cfg)->webhook_secret, SECRET);
	set_str(&zs(cfg)->url, fake.url[0] ? fake.url : "http://127.0.0.1:1");
	set_str(&zs(cfg)->token, FAKE_TOKEN);
	zs(cfg)->connect_timeout_ms = 2000;
	zs(cfg)->timeout_ms = 5000;
}

/* Run accept over body. sig: NULL signs correctly, "" sends none. */
static int accept_with(const struct config *cfg, const char *body, size_t len,
		       const char *sig, const char *ctype, const char *auth,
		       struct ticket_event *ev, struct dp_error *err)
{
	char hex[HMAC_HEX_MAX];
	char *env[5] = {NULL};
	size_t n = 0;
	int rc;

	if (!sig) {
		hmac_hex(HMAC_SHA1, SECRET, body, len, hex);
		env[n++] = xasprintf("HTTP_X_HUB_SIGNATURE=sha1=%s", hex);
	} else if (*sig) {
		env[n++] = xasprintf("HTTP_X_HUB_SIGNATURE=%s", sig);
	}
	if (ctype)
		env[n++] = xasprintf("CONTENT_TYPE=%s", ctype);
	if (auth)
		env[n++] = xasprintf("HTTP_AUTHORIZATION=%s", auth);
	env[n++] = xstrdup("HTTP_X_ZAMMAD_DELIVERY=3f1c2b9e-8d0a-4c55-9a51-0d6e3b7a9c10");
	{
		struct hook_request req = {env, body, len};

		rc = zc->accept(config_helpdesk(cfg, zc), &req, ev, err);
	}
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	return rc;
}

#define JSON_CT "application/json; charset=utf-8"

/* Parse a fixture, signed correctly; asserts success. */
static void parse_fixture(const char *name, struct ticket_event *ev)
{
	struct config cfg;
	struct dp_error err = {{0}};
	size_t len;
	char *body = read_fixture(name, &len);

	test_config(&cfg);
	ticket_event_init(ev);
	ck_assert_msg(accept_with(&cfg, body, len, NULL, JSON_CT, NULL, ev, &err) == 0,
		      "%s: %s", name, err.msg);
	free(body);
	config_release(&cfg);
}

/* Accept the customer fixture after edit() changed its article. */
static int accept_edited(const struct config *cfg, void (*edit)(json_t *article),
			 struct ticket_event *ev)
{
	struct dp_error err = {{0}};
	size_t len;
	char *raw = read_fixture("webhook-default-customer-email.body", &len);
	json_t *root = json_loadb(raw, len, 0, NULL);
	char *body;
	int rc;

	edit(json_object_get(root, "article"));
	body = json_dumps(root, JSON_COMPACT);
	ticket_event_init(ev);
	rc = accept_with(cfg, body, strlen(body), NULL, JSON_CT, NULL, ev, &err);
	free(body);
	free(raw);
	json_decref(root);
	return rc;
}

/* ---- signatures ------------------------------------------------------ */

START_TEST(signatures_from_fixtures)
{
	size_t len, n_checked = 0;
	char *list = read_fixture("signatures.txt", &len);
	struct config cfg;

	test_config(&cfg);
	for (char *p = list; p && *p;) {
		char *nl = strchr(p, '\n');
		char *tab, *sig, *end;

		if (nl)
			*nl = '\0';
		if (*p != '#' && (tab = strchr(p, '\t'))) {
			struct ticket_event ev;
			struct dp_error err = {{0}};
			size_t blen;
			char *body;

			*tab = '\0';
			sig = strstr(tab + 1, "sha1=");
			ck_assert_ptr_nonnull(sig);
			end = strchr(sig, '\t');
			if (end)
				*end = '\0';
			body = read_fixture(p, &blen);
			/* Right signature: accepted. */
			ticket_event_init(&ev);
			ck_assert_int_eq(accept_with(&cfg, body, blen, sig, JSON_CT, NULL,
						     &ev, &err),
					 0);
			ck_assert_int_gt(ev.ticket_id, 0);
			ticket_event_release(&ev);
			/* One body byte changed: refused before parsing. */
			body[blen / 2] ^= 1;
			ck_assert_int_eq(accept_with(&cfg, body, blen, sig, JSON_CT, NULL,
						     &ev, &err),
					 DP_EAUTH);
			ck_assert_int_eq(ev.ticket_id, 0);
			body[blen / 2] ^= 1;
			/* One signature digit changed. */
			sig[5] = sig[5] == '0' ? '1' : '0';
			ck_assert_int_eq(accept_with(&cfg, body, blen, sig, JSON_CT, NULL,
						     &ev, &err),
					 DP_EAUTH);
			/* No signature, or not in Zammad's format. */
			ck_assert_int_eq(accept_with(&cfg, body, blen, "", JSON_CT, NULL,
						     &ev, &err),
					 DP_EAUTH);
			ck_assert_int_eq(accept_with(&cfg, body, blen, sig + 5, JSON_CT,
						     NULL, &ev, &err),
					 DP_EAUTH);
			ck_assert_int_eq(ev.ticket_id, 0);
			ticket_event_release(&ev);
			free(body);
			n_checked++;
		}
		p = nl ? nl + 1 : NULL;
	}
	ck_assert_uint_eq(n_checked, 4);
	free(list);
	config_release(&cfg);
}
END_TEST

START_TEST(unsigned_needs_explicit_opt_in)
{
	struct config cfg;
	struct ticket_event ev;
	struct dp_error err = {{0}};
	const char *body = "{\"ticket\":{\"id\":5},\"article\":{}}";

	test_config(&cfg);
	set_str(&zs(&cfg)->webhook_secret, "");
	ticket_event_init(&ev);
	ck_assert_int_eq(accept_with(&cfg, body, strlen(body), "", JSON_CT, NULL, &ev,
				     &err),
			 DP_EAUTH);
	zs(&cfg)->allow_unsigned = true;
	ck_assert_int_eq(accept_with(&cfg, body, strlen(body), "", JSON_CT, NULL, &ev,
				     &err),
			 0);
	ck_assert_int_eq(ev.ticket_id, 5);
	ticket_event_release(&ev);
	config_release(&cfg);
}
END_TEST

START_TEST(bearer_and_basic_auth)
{
	struct config cfg;
	struct ticket_event ev;
	struct dp_error err = {{0}};
	const char *body = "{\"ticket\":{\"id\":5},\"article\":{}}";
	size_t n = strlen(body);

	test_config(&cfg);
	set_str(&zs(&cfg)->auth_bearer, "s3cret");
	ticket_event_init(&ev);
	ck_assert_int_eq(accept_with(&cfg, body, n, NULL, JSON_CT, "Bearer s3cret",
				     &ev, &err),
			 0);
	ticket_event_release(&ev);
	ck_assert_int_eq(accept_with(&cfg, body, n, NULL, JSON_CT, "Bearer s3creT",
				     &ev, &err),
			 DP_EAUTH);
	ck_assert_int_eq(accept_with(&cfg, body, n, NULL, JSON_CT, NULL, &ev, &err),
			 DP_EAUTH);
	set_str(&zs(&cfg)->auth_bearer, "");
	set_str(&zs(&cfg)->auth_basic_user, "zammad");
	set_str(&zs(&cfg)->auth_basic_password, "pw");
	/* base64("zammad:pw") */
	ck_assert_int_eq(accept_with(&cfg, body, n, NULL, JSON_CT,
				     "Basic emFtbWFkOnB3", &ev, &err),
			 0);
	ticket_event_release(&ev);
	ck_assert_int_eq(accept_with(&cfg, body, n, NULL, JSON_CT,
				     "Basic emFtbWFkOnB4", &ev, &err),
			 DP_EAUTH);
	ck_assert_int_eq(ev.ticket_id, 0);
	config_release(&cfg);
}
END_TEST

/* ---- parsing --------------------------------------------------------- */

START_TEST(parse_customer_email)
{
	struct ticket_event ev;

	parse_fixture("webhook-default-customer-email.body", &ev);
	ck_assert_str_eq(ev.source, "zammad");
	ck_assert_str_eq(ev.delivery_id, "3f1c2b9e-8d0a-4c55-9a51-0d6e3b7a9c10");
	ck_assert_int_eq(ev.kind, EVENT_CUSTOMER_MESSAGE);
	ck_assert_int_eq(ev.ticket_id, 81);
	ck_assert_str_eq(ev.ticket_number, "26081");
	ck_assert_str_eq(ev.title, "Password reset link expired");
	ck_assert_str_eq(ev.state, "new");
	ck_assert_str_eq(ev.priority, "2 normal");
	ck_assert_str_eq(ev.group, "Users");
	ck_assert_str_eq(ev.channel, "email");
	ck_assert_int_eq(ev.customer_id, 8);
	ck_assert_str_eq(ev.customer_email, "nora.customer@customer.example.test");
	ck_assert_str_eq(ev.customer_name, "Nora Customer");
	ck_assert(!ev.customer_vip);
	ck_assert_str_eq(ev.organization, "Example Customer Ltd");
	ck_assert(!ev.organization_vip);
	ck_assert_int_eq(ev.article_id, 104);
	ck_assert_str_eq(ev.sender, "Customer");
	ck_assert_str_eq(ev.article_type, "email");
	ck_assert(!ev.internal);
	ck_assert_str_eq(ev.from, "Nora Customer <nora.customer@customer.example.test>");
	ck_assert_str_eq(ev.to, "support@helpdesk.example.test");
	ck_assert_str_eq(ev.subject, "Password reset link expired");
	ck_assert_str_eq(ev.content_type, "text/html");
	ck_assert_str_eq(ev.body,
			 "Hello,\nhow do I reset my password? The reset link says \"expired\" "
			 "& nothing happens.\nThanks, Nora \xe2\x80\x93 caf\xc3\xa9 team");
	ck_assert_str_eq(ev.created_at, "2026-03-02T09:15:04.498Z");
	ck_assert_ptr_null(ev.topic);
	ticket_event_release(&ev);
}
END_TEST

START_TEST(parse_vip_customer)
{
	struct ticket_event ev;

	parse_fixture("webhook-default-vip-customer.body", &ev);
	ck_assert_int_eq(ev.kind, EVENT_CUSTOMER_MESSAGE);
	ck_assert_int_eq(ev.ticket_id, 82);
	ck_assert_str_eq(ev.ticket_number, "26082");
	ck_assert_str_eq(ev.title, "Invoice 4711 charged twice");
	ck_assert_int_eq(ev.customer_id, 9);
	ck_assert_str_eq(ev.customer_email, "victor.vip@bigcorp.example.test");
	ck_assert_str_eq(ev.customer_name, "Victor Vip");
	ck_assert(ev.customer_vip);
	ck_assert_str_eq(ev.organization, "BigCorp AG");
	ck_assert(ev.organization_vip);
	ck_assert_int_eq(ev.article_id, 105);
	ck_assert_str_eq(ev.body, "We were charged twice for invoice 4711. Please refund.");
	ck_assert_str_eq(ev.subject, "Invoice 4711 charged twice");
	ck_assert_str_eq(ev.created_at, "2026-03-02T10:01:12.011Z");
	ticket_event_release(&ev);
}
END_TEST

START_TEST(parse_no_article)
{
	struct ticket_event ev;

	parse_fixture("webhook-default-no-article.body", &ev);
	ck_assert_int_eq(ev.kind, EVENT_SYSTEM);
	ck_assert_int_gt(ev.ticket_id, 0);
	ck_assert_int_eq(ev.article_id, 0);
	ck_assert_ptr_null(ev.body);
	ck_assert_ptr_null(ev.sender);
	ck_assert_str_eq(ev.channel, "email");
	ck_assert_ptr_nonnull(ev.customer_email);
	ticket_event_release(&ev);
}
END_TEST

/* An out-of-office reply as Zammad delivers it: a public customer e-mail
 * whose preferences carry "is-auto-response": true. */
START_TEST(parse_auto_response)
{
	struct config cfg;
	struct ticket_event ev;
	struct dp_error err = {{0}};
	size_t len;
	char *body = read_fixture("webhook-auto-response.body", &len);
	char *sig = repo_signature("webhook-auto-response.body");

	test_config(&cfg);
	ticket_event_init(&ev);
	/* The committed signature matches the committed bytes. */
	ck_assert_msg(accept_with(&cfg, body, len, sig, JSON_CT, NULL, &ev, &err) == 0,
		      "%s", err.msg);
	ck_assert_int_eq(ev.kind, EVENT_CUSTOMER_MESSAGE);
	ck_assert(ev.auto_response);
	ck_assert_int_eq(ev.ticket_id, 81);
	ck_assert_int_eq(ev.article_id, 106);
	ck_assert_str_eq(ev.sender, "Customer");
	ck_assert_str_eq(ev.subject, "Automatic reply: Password reset link expired");
	ck_assert_ptr_nonnull(strstr(ev.body, "out of the office"));
	ticket_event_release(&ev);
	/* The routine fixture is no auto-response. */
	parse_fixture("webhook-default-customer-email.body", &ev);
	ck_assert(!ev.auto_response);
	ticket_event_release(&ev);
	free(sig);
	free(body);
	config_release(&cfg);
}
END_TEST

static void edit_not_auto(json_t *a)
{
	json_object_set_new(a, "preferences",
			    json_pack("{s:b, s:b}", "send-auto-response", 1,
				      "is-auto-response", 0));
}

static void edit_auto_as_string(json_t *a)
{
	json_object_set_new(a, "preferences",
			    json_pack("{s:s}", "is-auto-response", "true"));
}

static void edit_auto(json_t *a)
{
	json_object_set_new(a, "preferences",
			    json_pack("{s:b}", "is-auto-response", 1));
}

START_TEST(auto_response_flag_is_a_json_true)
{
	static const struct {
		void (*edit)(json_t *);
		bool want;
	} cases[] = {
		{edit_not_auto, false},
		{edit_auto_as_string, false},
		{edit_auto, true},
	};
	struct config cfg;

	test_config(&cfg);
	for (size_t i = 0; i < DP_ARRAY_LEN(cases); i++) {
		struct ticket_event ev;

		ck_assert_int_eq(accept_edited(&cfg, cases[i].edit, &ev), 0);
		ck_assert_msg(ev.auto_response == cases[i].want, "case %zu", i);
		/* Stored and read back (the worker sees the stored form). */
		{
			json_t *j = ticket_event_to_json(&ev);
			struct ticket_event back;
			struct dp_error err = {{0}};

			char *text = ticket_event_to_text(&ev);
			json_t *stored = json_loads(text, 0, NULL);

			/* The text the events table stores is that object. */
			ck_assert_msg(json_equal(stored, j), "%s", text);
			ticket_event_init(&back);
			ck_assert_int_eq(ticket_event_from_json(stored, &back, &err), 0);
			ck_assert(back.auto_response == cases[i].want);
			ticket_event_release(&back);
			json_decref(stored);
			free(text);
			json_decref(j);
		}
		ticket_event_release(&ev);
	}
	config_release(&cfg);
}
END_TEST

/* The stored text escapes what JSON must and keeps the rest, as
 * json_dumps would. */
START_TEST(event_text_escapes)
{
	struct ticket_event ev;
	json_t *want, *got;
	char *text;

	ticket_event_init(&ev);
	ev.kind = EVENT_CUSTOMER_MESSAGE;
	ev.ticket_id = -42;
	ev.customer_id = INT64_MIN;
	ev.article_id = INT64_MAX;
	ev.internal = true;
	ev.source = xstrdup("zammad");
	ev.body = xstrdup("quote \" backslash \\ nl \n tab \t cr \r bs \b ff \f"
			  " ctl \x01\x1f slash / caf\xc3\xa9 \xf0\x9f\x98\x80");
	ev.subject = xstrdup("");
	text = ticket_event_to_text(&ev);
	want = ticket_event_to_json(&ev);
	got = json_loads(text, 0, NULL);
	ck_assert_msg(got && json_equal(got, want), "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "\\u0001\\u001f"));
	ck_assert_ptr_nonnull(strstr(text, "caf\xc3\xa9"));
	json_decref(got);
	json_decref(want);
	free(text);
	ticket_event_release(&ev);
}
END_TEST

/* Bytes that are not UTF-8 (a header, say) become U+FFFD: the stored text
 * must always read back, or the event could never be claimed. */
START_TEST(event_text_is_always_utf8)
{
	struct ticket_event ev;
	json_t *got;
	char *text;

	ticket_event_init(&ev);
	ev.kind = EVENT_CUSTOMER_MESSAGE;
	ev.delivery_id = xstrdup("abc\xff");
	ev.body = xstrdup("cut \xc3 surrogate \xed\xa0\x80 overlong \xc0\xaf ok \xc3\xa9");
	text = ticket_event_to_text(&ev);
	got = json_loads(text, 0, NULL);
	ck_assert_msg(got != NULL, "%s", text);
	ck_assert_str_eq(json_string_value(json_object_get(got, "delivery_id")),
			 "abc\xef\xbf\xbd");
	ck_assert_str_eq(json_string_value(json_object_get(got, "body")),
			 "cut \xef\xbf\xbd surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
			 " overlong \xef\xbf\xbd\xef\xbf\xbd ok \xc3\xa9");
	json_decref(got);
	free(text);
	ticket_event_release(&ev);
}
END_TEST

/* The delivery header is not signed: one that is not UTF-8 is refused. */
START_TEST(delivery_header_must_be_utf8)
{
	static const char body[] = "{\"ticket\":{\"id\":1}}";
	char hex[HMAC_HEX_MAX];
	char *env[4] = {NULL};
	struct hook_request req = {env, body, sizeof(body) - 1};
	struct ticket_event ev;
	struct dp_error err = {{0}};
	struct config cfg;

	test_config(&cfg);
	hmac_hex(HMAC_SHA1, SECRET, body, sizeof(body) - 1, hex);
	env[0] = xasprintf("HTTP_X_HUB_SIGNATURE=sha1=%s", hex);
	env[1] = xstrdup("CONTENT_TYPE=" JSON_CT);
	env[2] = xstrdup("HTTP_X_ZAMMAD_DELIVERY=abc\xff");
	ticket_event_init(&ev);
	ck_assert_int_eq(zc->accept(config_helpdesk(&cfg, zc), &req, &ev, &err), DP_EINVAL);
	ck_assert_msg(strstr(err.msg, "X-Zammad-Delivery is not valid UTF-8"), "%s", err.msg);
	ticket_event_release(&ev);
	for (int i = 0; i < 3; i++)
		free(env[i]);
	config_release(&cfg);
}
END_TEST

/* Accept the customer fixture after edit() changed its ticket. */
static int accept_ticket_edited(const struct config *cfg, void (*edit)(json_t *ticket),
				struct ticket_event *ev)
{
	struct dp_error err = {{0}};
	size_t len;
	char *raw = read_fixture("webhook-default-customer-email.body", &len);
	json_t *root = json_loadb(raw, len, 0, NULL);
	char *body;
	int rc;

	edit(json_object_get(root, "ticket"));
	body = json_dumps(root, JSON_COMPACT);
	ticket_event_init(ev);
	rc = accept_with(cfg, body, strlen(body), NULL, JSON_CT, NULL, ev, &err);
	free(body);
	free(raw);
	json_decref(root);
	return rc;
}

/* The fixture's customer: primary organization 3 (the ticket's, VIP flag
 * in the payload), secondary 3, 5, 7, 5. */
static void edit_secondary_orgs(json_t *t)
{
	json_object_set_new(json_object_get(t, "customer"), "organization_ids",
			    json_pack("[i,i,i,i]", 3, 5, 7, 5));
}

/* The same on a ticket filed without an organization. */
static void edit_secondary_orgs_no_ticket_org(json_t *t)
{
	edit_secondary_orgs(t);
	json_object_set_new(t, "organization", json_object());
	json_object_set_new(t, "organization_id", json_null());
}

static void edit_many_orgs(json_t *t)
{
	json_t *ids = json_array();

	for (int i = 0; i < ZAMMAD_MAX_ORGS + 8; i++)
		json_array_append_new(ids, json_integer(100 + i));
	json_object_set_new(json_object_get(t, "customer"), "organization_ids", ids);
}

START_TEST(parse_other_organizations)
{
	struct config cfg;
	struct ticket_event ev;

	test_config(&cfg);
	/* The shared fixture: one organization, the ticket's. */
	parse_fixture("webhook-default-customer-email.body", &ev);
	ck_assert_ptr_null(ev.other_organization_ids);
	ticket_event_release(&ev);
	ck_assert_int_eq(accept_ticket_edited(&cfg, edit_secondary_orgs, &ev), 0);
	ck_assert_str_eq(ev.other_organization_ids, "5,7");
	ck_assert_str_eq(ev.organization, "Example Customer Ltd");
	ticket_event_release(&ev);
	ck_assert_int_eq(accept_ticket_edited(&cfg, edit_secondary_orgs_no_ticket_org, &ev), 0);
	ck_assert_str_eq(ev.other_organization_ids, "3,5,7");
	ticket_event_release(&ev);
	ck_assert_int_eq(accept_ticket_edited(&cfg, edit_many_orgs, &ev), 0);
	/* The primary (3) is the ticket's; then the first 32 others, then "+". */
	ck_assert_ptr_nonnull(strstr(ev.other_organization_ids, "100,101,"));
	ck_assert_ptr_nonnull(strstr(ev.other_organization_ids, ",131,+"));
	ck_assert_ptr_null(strstr(ev.other_organization_ids, "132"));
	ticket_event_release(&ev);
	config_release(&cfg);
}
END_TEST

START_TEST(bad_bodies_refused)
{
	static const struct {
		const char *body, *ctype, *reason;
		int rc;
	} cases[] = {
		{"not json at all", JSON_CT, "not JSON", DP_EPARSE},
		{"{\"ticket\":{\"id\":1},\"ticket\":{\"id\":2}}", JSON_CT, "not JSON", DP_EPARSE},
		{"{\"ticket\":{}}", JSON_CT, "ticket.id", DP_EINVAL},
		{"{\"ticket\":{\"id\":\"81\"}}", JSON_CT, "ticket.id", DP_EINVAL},
		{"{\"ticket\":{\"id\":-3}}", JSON_CT, "ticket.id", DP_EINVAL},
		{"[1,2]", JSON_CT, "no 'ticket'", DP_EINVAL},
		{"{\"error\":\"undefined method `x'\"}", JSON_CT, "undefined method", DP_EINVAL},
		{"{\"ticket\":{\"id\":1}}", "text/plain", "Content-Type", DP_EMEDIA},
		{"{\"ticket\":{\"id\":1}}", NULL, "Content-Type", DP_EMEDIA},
		{"{\"ticket\":{\"id\":1}}", "application/jsonx", "Content-Type", DP_EMEDIA},
	};
	struct config cfg;

	test_config(&cfg);
	for (size_t i = 0; i < DP_ARRAY_LEN(cases); i++) {
		struct ticket_event ev;
		struct dp_error err = {{0}};
		int rc;

		ticket_event_init(&ev);
		rc = accept_with(&cfg, cases[i].body, strlen(cases[i].body), NULL,
				 cases[i].ctype, NULL, &ev, &err);
		ck_assert_msg(rc == cases[i].rc, "case %zu: rc %d", i, rc);
		ck_assert_msg(strstr(err.msg, cases[i].reason), "case %zu: '%s'", i,
			      err.msg);
		ticket_event_release(&ev);
	}
	config_release(&cfg);
}
END_TEST

START_TEST(deep_nesting_refused)
{
	struct config cfg;
	struct ticket_event ev;
	struct dp_error err = {{0}};
	struct buf b;

	test_config(&cfg);
	buf_init(&b, 1 << 20);
	buf_puts(&b, "{\"ticket\":{\"id\":1,\"x\":");
	for (int i = 0; i < 100; i++)
		buf_puts(&b, "[");
	for (int i = 0; i < 100; i++)
		buf_puts(&b, "]");
	buf_puts(&b, "}}");
	ticket_event_init(&ev);
	ck_assert_int_eq(accept_with(&cfg, b.data, b.len, NULL, JSON_CT, NULL, &ev, &err),
			 DP_EPARSE);
	ck_assert_ptr_nonnull(strstr(err.msg, "deeper"));
	/* Brackets inside strings do not count. */
	buf_reset(&b);
	buf_puts(&b, "{\"ticket\":{\"id\":1,\"title\":\"");
	for (int i = 0; i < 100; i++)
		buf_puts(&b, "[{\\\"");
	buf_puts(&b, "\"}}");
	ck_assert_int_eq(accept_with(&cfg, b.data, b.len, NULL, JSON_CT, NULL, &ev, &err), 0);
	ck_assert_int_eq(ev.ticket_id, 1);
	ticket_event_release(&ev);
	buf_release(&b);
	config_release(&cfg);
}
END_TEST

static void make_long_body(json_t *a)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	for (int i = 0; i < 20000; i++)
		buf_puts(&b, "<p>caf\xc3\xa9</p>");
	json_object_set_new(a, "body", json_string(buf_str(&b)));
	json_object_set_new(a, "subject", json_string(buf_str(&b)));
	buf_release(&b);
}

START_TEST(text_is_capped)
{
	struct config cfg;
	struct ticket_event ev;

	test_config(&cfg);
	ck_assert_int_eq(accept_edited(&cfg, make_long_body, &ev), 0);
	ck_assert_uint_le(strlen(ev.body), ZAMMAD_MAX_TEXT);
	ck_assert_uint_ge(strlen(ev.body), ZAMMAD_MAX_TEXT - 8);
	ck_assert_uint_le(strlen(ev.subject), ZAMMAD_MAX_FIELD);
	/* Cut on a character boundary: never a lone lead byte at the end. */
	ck_assert_int_lt((unsigned char)ev.body[strlen(ev.body) - 1], 0xC0);
	ticket_event_release(&ev);
	config_release(&cfg);
}
END_TEST

/* ---- event kinds ----------------------------------------------------- */

static void edit_internal_note(json_t *a)
{
	json_object_set_new(a, "internal", json_true());
	json_object_set_new(a, "sender", json_string("Agent"));
	json_object_set_new(a, "type", json_string("note"));
}

static void edit_agent_reply(json_t *a)
{
	json_object_set_new(a, "sender", json_string("Agent"));
}

static void edit_system(json_t *a)
{
	json_object_set_new(a, "sender", json_string("System"));
}

static void edit_own_note(json_t *a)
{
	edit_internal_note(a);
	json_object_set_new(a, "body",
			    json_string("<p>draft</p><p>" ZAMMAD_MARKER "17</p>"));
}

static void edit_customer_quoting_us(json_t *a)
{
	json_object_set_new(a, "body",
			    json_string("<p>Still broken.</p><blockquote>ref " ZAMMAD_MARKER "17</blockquote>"));
}

static void edit_by_api_user(json_t *a)
{
	edit_agent_reply(a);
	json_object_set_new(json_object_get(a, "created_by"), "login",
			    json_string("deskpilot-api"));
}

static void edit_empty(json_t *a)
{
	json_object_clear(a);
}

START_TEST(event_kinds)
{
	static const struct {
		void (*edit)(json_t *);
		enum event_kind kind;
	} cases[] = {
		{edit_internal_note, EVENT_NOTE},
		{edit_agent_reply, EVENT_AGENT_REPLY},
		{edit_system, EVENT_SYSTEM},
		{edit_own_note, EVENT_OWN},
		{edit_customer_quoting_us, EVENT_CUSTOMER_MESSAGE},
		{edit_by_api_user, EVENT_OWN},
		{edit_empty, EVENT_SYSTEM},
	};
	struct config cfg;

	test_config(&cfg);
	set_str(&zs(&cfg)->api_user, "deskpilot-api");
	for (size_t i = 0; i < DP_ARRAY_LEN(cases); i++) {
		struct ticket_event ev;

		ck_assert_int_eq(accept_edited(&cfg, cases[i].edit, &ev), 0);
		ck_assert_msg(ev.kind == cases[i].kind, "case %zu: kind %s", i,
			      event_kind_name(ev.kind));
		ticket_event_release(&ev);
	}
	/* Without api_user the login means nothing. */
	set_str(&zs(&cfg)->api_user, "");
	{
		struct ticket_event ev;

		ck_assert_int_eq(accept_edited(&cfg, edit_by_api_user, &ev), 0);
		ck_assert_int_eq(ev.kind, EVENT_AGENT_REPLY);
		ticket_event_release(&ev);
	}
	config_release(&cfg);
}
END_TEST

/* ---- plan ------------------------------------------------------------ */

static json_t *plan_sla(const char *fixture, enum outcome o, const char *draft,
			void (*tweak)(struct decision *), bool sla_breach)
{
	struct config cfg;
	struct ticket_event ev;
	struct decision d;
	json_t *actions = json_array();

	test_config(&cfg);
	parse_fixture(fixture, &ev);
	decision_init(&d);
	d.outcome = o;
	if (tweak)
		tweak(&d);
	{
		struct plan_input in = {
			.ev = &ev,
			.d = &d,
			.decision_id = 42,
			.draft = draft,
			.note_text = "Reasons:\n- vip: premium customer",
			.sla_breach = sla_breach,
		};

		zc->plan(zs(&cfg), &in, actions);
	}
	ticket_event_release(&ev);
	config_release(&cfg);
	return actions;
}

static json_t *plan_for(const char *fixture, enum outcome o, const char *draft,
			void (*tweak)(struct decision *))
{
	return plan_sla(fixture, o, draft, tweak, false);
}

static const char *field(const json_t *actions, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(actions, i), key));
}

/* No action may put text in front of the customer. */
static void assert_nothing_public(const json_t *actions)
{
	for (size_t i = 0; i < json_array_size(actions); i++) {
		const json_t *a = json_array_get(actions, i);

		ck_assert_str_ne(field(actions, i, "action"), "reply");
		if (json_object_get(a, "internal"))
			ck_assert(json_is_true(json_object_get(a, "internal")));
	}
}

static void tweak_vip(struct decision *d)
{
	decision_add_reason(d, "vip", "customer flagged VIP in Zammad");
}

START_TEST(plan_human_vip)
{
	json_t *a = plan_for("webhook-default-vip-customer.body", OUTCOME_HUMAN_VIP,
			     "AI text that must never show", tweak_vip);

	ck_assert_uint_eq(json_array_size(a), 4);
	ck_assert_str_eq(field(a, 0, "action"), "tag_add");
	ck_assert_str_eq(field(a, 0, "tag"), "vip");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(a, 0), "ticket_id")), 82);
	ck_assert_str_eq(field(a, 1, "tag"), "human-only");
	ck_assert_str_eq(field(a, 2, "action"), "ticket_update");
	ck_assert_str_eq(field(a, 2, "priority"), "3 high");
	ck_assert_str_eq(field(a, 2, "group"), "VIP");
	ck_assert_str_eq(field(a, 3, "action"), "note");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(a, 3), "decision_id")), 42);
	ck_assert_ptr_nonnull(strstr(field(a, 3, "body"), ZAMMAD_MARKER "42"));
	ck_assert_ptr_nonnull(strstr(field(a, 3, "body"), "vip: premium customer"));
	ck_assert_ptr_null(strstr(field(a, 3, "body"), "must never show"));
	assert_nothing_public(a);
	json_decref(a);
}
END_TEST

static void tweak_reply(struct decision *d)
{
	snprintf(d->intent, sizeof(d->intent), "track_order");
	d->confidence = 0.93;
}

START_TEST(plan_vip_never_gets_public_reply)
{
	json_t *a = plan_for("webhook-default-vip-customer.body", OUTCOME_AI_REPLY,
			     "Your refund is on its way.", tweak_reply);

	assert_nothing_public(a);
	ck_assert_str_eq(field(a, 0, "tag"), "vip");
	json_decref(a);
}
END_TEST

static void tweak_human(struct decision *d)
{
	decision_add_reason(d, "human_requested", "I want to talk to a person");
	decision_add_reason(d, "angry", NULL);
}

START_TEST(plan_human)
{
	json_t *a = plan_for("webhook-default-customer-email.body", OUTCOME_HUMAN,
			     "Suggested <reply> & more", tweak_human);

	ck_assert_uint_eq(json_array_size(a), 4);
	ck_assert_str_eq(field(a, 0, "tag"), "needs-human");
	ck_assert_str_eq(field(a, 1, "tag"), "reason-human_requested");
	ck_assert_str_eq(field(a, 2, "tag"), "reason-angry");
	ck_assert_str_eq(field(a, 3, "action"), "note");
	/* The internal draft is escaped HTML and labelled as not sent. */
	ck_assert_ptr_nonnull(strstr(field(a, 3, "body"), "Suggested &lt;reply&gt; &amp; more"));
	ck_assert_ptr_nonnull(strstr(field(a, 3, "body"), "not sent"));
	assert_nothing_public(a);
	json_decref(a);
}
END_TEST

START_TEST(plan_ai_draft)
{
	json_t *a = plan_for("webhook-default-customer-email.body", OUTCOME_AI_DRAFT,
			     "Hello Nora,\nreset links last 24 hours.", tweak_reply);

	ck_assert_uint_eq(json_array_size(a), 3);
	ck_assert_str_eq(field(a, 0, "tag"), "ai-draft");
	ck_assert_str_eq(field(a, 1, "tag"), "intent-track_order");
	ck_assert_str_eq(field(a, 2, "action"), "note");
	ck_assert_ptr_nonnull(strstr(field(a, 2, "body"), "Hello Nora,<br>reset links last 24 hours."));
	ck_assert_ptr_nonnull(strstr(field(a, 2, "body"), "confidence 0.93"));
	assert_nothing_public(a);
	json_decref(a);
}
END_TEST

START_TEST(plan_ai_draft_without_draft_goes_to_human)
{
	json_t *a = plan_for("webhook-default-customer-email.body", OUTCOME_AI_DRAFT,
			     NULL, tweak_reply);

	ck_assert_str_eq(field(a, 0, "tag"), "needs-human");
	assert_nothing_public(a);
	json_decref(a);
}
END_TEST

START_TEST(plan_ai_reply)
{
	json_t *a = plan_for("webhook-default-customer-email.body", OUTCOME_AI_REPLY,
			     "Hello Nora, here is a new link.", tweak_reply);
	const json_t *reply;

	ck_assert_uint_eq(json_array_size(a), 4);
	ck_assert_str_eq(field(a, 0, "tag"), "ai-replied");
	ck_assert_str_eq(field(a, 1, "tag"), "intent-track_order");
	ck_assert_str_eq(field(a, 2, "action"), "reply");
	reply = json_array_get(a, 2);
	ck_assert(json_is_false(json_object_get(reply, "internal")));
	ck_assert_str_eq(field(a, 2, "type"), "email");
	ck_assert_str_eq(field(a, 2, "to"), "nora.customer@customer.example.test");
	ck_assert_ptr_nonnull(strstr(field(a, 2, "body"), "Hello Nora, here is a new link."));
	ck_assert_ptr_nonnull(strstr(field(a, 2, "body"), ZAMMAD_MARKER "42"));
	ck_assert_str_eq(field(a, 3, "action"), "note");
	json_decref(a);
}
END_TEST

/* Whatever triage said, an automatic reply gets no AI answer from the
 * connector: two auto-responders answering each other never stop. */
START_TEST(plan_auto_response_gets_nothing)
{
	struct config cfg;
	struct ticket_event ev;
	struct dp_error err = {{0}};
	struct decision d;
	json_t *actions = json_array();
	size_t len;
	char *body = read_fixture("webhook-auto-response.body", &len);

	test_config(&cfg);
	ticket_event_init(&ev);
	ck_assert_int_eq(accept_with(&cfg, body, len, NULL, JSON_CT, NULL, &ev, &err), 0);
	decision_init(&d);
	d.outcome = OUTCOME_AI_REPLY;
	tweak_reply(&d);
	{
		struct plan_input in = {
			.ev = &ev,
			.d = &d,
			.decision_id = 42,
			.draft = "Thanks, enjoy your time off!",
		};

		zc->plan(zs(&cfg), &in, actions);
	}
	ck_assert_uint_eq(json_array_size(actions), 0);
	json_decref(actions);
	ticket_event_release(&ev);
	free(body);
	config_release(&cfg);
}
END_TEST

static void tweak_channel(struct ticket_event *ev, const char *channel)
{
	free(ev->channel);
	ev->channel = channel ? xstrdup(channel) : NULL;
}

/* Zammad sends an agent's answer only as e-mail on e-mail and web
 * tickets: on any other channel the AI reply stays an internal draft. */
START_TEST(plan_reply_only_where_zammad_delivers)
{
	static const struct {
		const char *channel;
		bool public_reply;
		/* clang-format off */
	} cases[] = {
		{"email", true}, {"web", true}, {"sms", false}, {"telegram personal-message", false},
		{"chat", false}, {"phone", false}, {"note", false}, {"facebook feed post", false},
		{NULL, false},
	};
	/* clang-format on */
	struct config cfg;

	test_config(&cfg);
	for (size_t i = 0; i < DP_ARRAY_LEN(cases); i++) {
		struct ticket_event ev;
		struct decision d;
		json_t *a = json_array();

		parse_fixture("webhook-default-customer-email.body", &ev);
		tweak_channel(&ev, cases[i].channel);
		decision_init(&d);
		d.outcome = OUTCOME_AI_REPLY;
		tweak_reply(&d);
		{
			struct plan_input in = {
				.ev = &ev,
				.d = &d,
				.decision_id = 42,
				.draft = "Here is a new link.",
			};

			zc->plan(zs(&cfg), &in, a);
		}
		if (cases[i].public_reply) {
			ck_assert_str_eq(field(a, 0, "tag"), "ai-replied");
			ck_assert_str_eq(field(a, 2, "action"), "reply");
			ck_assert_str_eq(field(a, 2, "type"), "email");
			ck_assert_str_eq(field(a, 2, "to"), "nora.customer@customer.example.test");
		} else {
			assert_nothing_public(a);
			ck_assert_uint_eq(json_array_size(a), 3);
			ck_assert_str_eq(field(a, 0, "tag"), "ai-draft");
			ck_assert_str_eq(field(a, 1, "tag"), "intent-track_order");
			ck_assert_str_eq(field(a, 2, "action"), "note");
			ck_assert_msg(strstr(field(a, 2, "body"), "Here is a new link."),
				      "case %zu: draft missing", i);
			ck_assert_ptr_nonnull(strstr(field(a, 2, "body"), "not sent"));
		}
		json_decref(a);
		ticket_event_release(&ev);
	}
	/* No address to write to: no reply either. */
	{
		struct ticket_event ev;
		struct decision d;
		json_t *a = json_array();

		parse_fixture("webhook-default-customer-email.body", &ev);
		free(ev.customer_email);
		ev.customer_email = NULL;
		decision_init(&d);
		d.outcome = OUTCOME_AI_REPLY;
		{
			struct plan_input in = {
				.ev = &ev,
				.d = &d,
				.decision_id = 42,
				.draft = "Here is a new link.",
			};

			zc->plan(zs(&cfg), &in, a);
		}
		assert_nothing_public(a);
		json_decref(a);
		ticket_event_release(&ev);
	}
	config_release(&cfg);
}
END_TEST

START_TEST(plan_sla_breach)
{
	json_t *a = plan_sla("webhook-default-vip-customer.body", OUTCOME_HUMAN_VIP,
			     "AI text that must never show", tweak_vip, true);

	ck_assert_uint_eq(json_array_size(a), 3);
	ck_assert_str_eq(field(a, 0, "tag"), "vip-sla-breach");
	ck_assert_str_eq(field(a, 1, "action"), "ticket_update");
	ck_assert_str_eq(field(a, 1, "priority"), "3 high");
	ck_assert_ptr_null(json_object_get(json_array_get(a, 1), "group"));
	ck_assert_str_eq(field(a, 2, "action"), "note");
	ck_assert_str_eq(field(a, 2, "marker"), ZAMMAD_MARKER "42-sla");
	ck_assert_ptr_nonnull(strstr(field(a, 2, "body"), "vip: premium customer"));
	assert_nothing_public(a);
	json_decref(a);
}
END_TEST

START_TEST(plan_none)
{
	json_t *a = plan_for("webhook-default-customer-email.body", OUTCOME_NONE,
			     "draft", tweak_reply);

	ck_assert_uint_eq(json_array_size(a), 0);
	json_decref(a);
}
END_TEST

/* ---- apply against the fake ------------------------------------------ */

static void start_fake(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	fake_zammad_start(&fake);
}

static void stop_fake(void)
{
	fake_zammad_stop(&fake);
	curl_global_cleanup();
}

/* Apply every action in order; returns the first failure or 0. */
static int apply_all(const struct config *cfg, const json_t *actions,
		     struct dp_error *err)
{
	struct http_client *http = http_client_new();
	int rc = 0;

	for (size_t i = 0; i < json_array_size(actions) && rc == 0; i++) {
		json_t *result = NULL;

		rc = zc->apply(config_helpdesk(cfg, zc), http, json_array_get(actions, i), &result, err);
		json_decref(result);
	}
	http_client_free(http);
	return rc;
}

/* Articles of a ticket in the fake's state (borrowed from state). */
static size_t count_articles(const json_t *state, int ticket, bool public_only)
{
	const json_t *arts = json_object_get(state, "articles");
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(arts); i++) {
		const json_t *a = json_array_get(arts, i);

		if (json_integer_value(json_object_get(a, "ticket_id")) == ticket &&
		    (!public_only || json_is_false(json_object_get(a, "internal"))))
			n++;
	}
	return n;
}

START_TEST(apply_vip_plan)
{
	json_t *actions = plan_for("webhook-default-vip-customer.body",
				   OUTCOME_HUMAN_VIP, NULL, tweak_vip);
	struct dp_error err = {{0}};
	struct config cfg;
	json_t *state, *t, *tags, *note;

	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	test_config(&cfg);
	ck_assert_msg(apply_all(&cfg, actions, &err) == 0, "%s", err.msg);
	state = fake_zammad_state(&fake);
	tags = json_object_get(json_object_get(state, "tags"), "82");
	ck_assert_uint_eq(json_array_size(tags), 2);
	ck_assert_str_eq(json_string_value(json_array_get(tags, 0)), "vip");
	ck_assert_str_eq(json_string_value(json_array_get(tags, 1)), "human-only");
	t = json_object_get(json_object_get(state, "tickets"), "82");
	ck_assert_str_eq(json_string_value(json_object_get(t, "group")), "VIP");
	ck_assert_str_eq(json_string_value(json_object_get(t, "priority")), "3 high");
	ck_assert_uint_eq(count_articles(state, 82, false), 1);
	ck_assert_uint_eq(count_articles(state, 82, true), 0);
	note = json_array_get(json_object_get(state, "articles"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(note, "type")), "note");
	ck_assert_str_eq(json_string_value(json_object_get(note, "sender")), "Agent");
	ck_assert_str_eq(json_string_value(json_object_get(note, "content_type")), "text/html");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(note, "body")),
				     ZAMMAD_MARKER "42"));
	json_decref(state);
	json_decref(actions);
	config_release(&cfg);
}
END_TEST

START_TEST(apply_is_idempotent)
{
	json_t *actions = plan_for("webhook-default-customer-email.body",
				   OUTCOME_AI_DRAFT, "A draft.", tweak_reply);
	struct dp_error err = {{0}};
	struct config cfg;
	json_t *state, *result = NULL;
	struct http_client *http = http_client_new();

	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	test_config(&cfg);
	ck_assert_int_eq(apply_all(&cfg, actions, &err), 0);
	/* Everything again, as after a crash before the outbox row was done. */
	ck_assert_int_eq(apply_all(&cfg, actions, &err), 0);
	ck_assert_int_eq(zc->apply(zs(&cfg), http, json_array_get(actions, 2), &result, &err), 0);
	ck_assert(json_is_true(json_object_get(result, "existing")));
	json_decref(result);
	state = fake_zammad_state(&fake);
	ck_assert_uint_eq(count_articles(state, 81, false), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(state, "tags"), "81")), 2);
	json_decref(state);
	http_client_free(http);
	json_decref(actions);
	config_release(&cfg);
}
END_TEST

START_TEST(apply_sla_note_is_a_second_note)
{
	json_t *first = plan_for("webhook-default-vip-customer.body", OUTCOME_HUMAN_VIP,
				 NULL, tweak_vip);
	json_t *sla = plan_sla("webhook-default-vip-customer.body", OUTCOME_HUMAN_VIP,
			       NULL, tweak_vip, true);
	struct dp_error err = {{0}};
	struct config cfg;
	json_t *state;

	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	test_config(&cfg);
	ck_assert_int_eq(apply_all(&cfg, first, &err), 0);
	ck_assert_int_eq(apply_all(&cfg, sla, &err), 0);
	ck_assert_int_eq(apply_all(&cfg, sla, &err), 0);
	ck_assert_int_eq(apply_all(&cfg, first, &err), 0);
	state = fake_zammad_state(&fake);
	ck_assert_uint_eq(count_articles(state, 82, false), 2);
	ck_assert_uint_eq(count_articles(state, 82, true), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(state, "tags"), "82")), 3);
	json_decref(state);
	json_decref(first);
	json_decref(sla);
	config_release(&cfg);
}
END_TEST

START_TEST(apply_outage_then_recovery)
{
	json_t *actions = plan_for("webhook-default-customer-email.body",
				   OUTCOME_AI_DRAFT, "A draft.", tweak_reply);
	const json_t *note = json_array_get(actions, 2);
	struct dp_error err = {{0}};
	struct config cfg;
	struct http_client *http = http_client_new();
	json_t *state, *result = NULL;

	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	test_config(&cfg);
	ck_assert_int_eq(fake_zammad_control(&fake, "{\"fail_next\":2,\"status\":500}"), 0);
	ck_assert_int_eq(zc->apply(zs(&cfg), http, note, &result, &err), DP_EBUSY);
	ck_assert_ptr_nonnull(strstr(err.msg, "500"));
	ck_assert_int_eq(zc->apply(zs(&cfg), http, note, &result, &err), DP_EBUSY);
	ck_assert_int_eq(fake_zammad_control(&fake, "{\"fail_next\":1,\"status\":429}"), 0);
	ck_assert_int_eq(zc->apply(zs(&cfg), http, note, &result, &err), DP_EBUSY);
	ck_assert_int_eq(zc->apply(zs(&cfg), http, note, &result, &err), 0);
	ck_assert(json_is_false(json_object_get(result, "existing")));
	json_decref(result);
	ck_assert_int_eq(zc->apply(zs(&cfg), http, note, &result, &err), 0);
	json_decref(result);
	state = fake_zammad_state(&fake);
	ck_assert_uint_eq(count_articles(state, 81, false), 1);
	json_decref(state);
	http_client_free(http);
	json_decref(actions);
	config_release(&cfg);
}
END_TEST

START_TEST(apply_refusals_are_remote_errors)
{
	json_t *update = json_pack("{s:s, s:i, s:s}", "action", "ticket_update",
				   "ticket_id", 82, "group", "No Such Group");
	struct dp_error err = {{0}};
	struct config cfg;
	struct http_client *http = http_client_new();
	json_t *result = NULL, *state;

	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	test_config(&cfg);
	ck_assert_int_eq(zc->apply(zs(&cfg), http, update, &result, &err), DP_EREMOTE);
	ck_assert_ptr_nonnull(strstr(err.msg, "422"));
	ck_assert_ptr_nonnull(strstr(err.msg, "No lookup value found for 'group'"));
	ck_assert_ptr_null(result);
	/* A wrong token is a refusal too, with Zammad's text. */
	set_str(&zs(&cfg)->token, "wrong");
	json_object_set_new(update, "group", json_string("VIP"));
	ck_assert_int_eq(zc->apply(zs(&cfg), http, update, &result, &err), DP_EREMOTE);
	ck_assert_ptr_nonnull(strstr(err.msg, "Authentication required"));
	state = fake_zammad_state(&fake);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(json_object_get(state, "tickets"), "82"), "group")),
			 "Users");
	json_decref(state);
	http_client_free(http);
	json_decref(update);
	config_release(&cfg);
}
END_TEST

START_TEST(apply_unreachable_is_busy)
{
	json_t *tag = json_pack("{s:s, s:i, s:s}", "action", "tag_add", "ticket_id", 81,
				"tag", "x");
	struct dp_error err = {{0}};
	struct config cfg;
	struct http_client *http = http_client_new();
	json_t *result = NULL;
	char url[64];

	test_config(&cfg);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", fake_zammad_dead_port());
	set_str(&zs(&cfg)->url, url);
	ck_assert_int_eq(zc->apply(zs(&cfg), http, tag, &result, &err), DP_EBUSY);
	ck_assert_ptr_nonnull(strstr(err.msg, "unreachable"));
	http_client_free(http);
	json_decref(tag);
	config_release(&cfg);
}
END_TEST

START_TEST(apply_public_reply)
{
	json_t *actions = plan_for("webhook-default-customer-email.body",
				   OUTCOME_AI_REPLY, "Here is a new link.", tweak_reply);
	struct dp_error err = {{0}};
	struct config cfg;
	json_t *state, *reply = NULL, *arts;

	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	test_config(&cfg);
	ck_assert_int_eq(apply_all(&cfg, actions, &err), 0);
	state = fake_zammad_state(&fake);
	ck_assert_uint_eq(count_articles(state, 81, false), 2);
	ck_assert_uint_eq(count_articles(state, 81, true), 1);
	arts = json_object_get(state, "articles");
	for (size_t i = 0; i < json_array_size(arts); i++)
		if (json_is_false(json_object_get(json_array_get(arts, i), "internal")))
			reply = json_array_get(arts, i);
	ck_assert_str_eq(json_string_value(json_object_get(reply, "type")), "email");
	ck_assert_str_eq(json_string_value(json_object_get(reply, "to")),
			 "nora.customer@customer.example.test");
	json_decref(state);
	json_decref(actions);
	config_release(&cfg);
}
END_TEST

/* Apply action i of actions; returns its result code, the result into
 * *result when not NULL (caller decrefs). */
static int apply_one(const struct config *cfg, const json_t *actions, size_t i,
		     json_t **result, struct dp_error *err)
{
	struct http_client *http = http_client_new();
	json_t *r = NULL;
	int rc = zc->apply(config_helpdesk(cfg, zc), http, json_array_get(actions, i), &r, err);

	if (result)
		*result = r;
	else
		json_decref(r);
	http_client_free(http);
	return rc;
}

static bool has_tag(const json_t *state, const char *ticket, const char *tag)
{
	const json_t *tags = json_object_get(json_object_get(state, "tags"), ticket);

	for (size_t i = 0; i < json_array_size(tags); i++)
		if (strcmp(json_string_value(json_array_get(tags, i)), tag) == 0)
			return true;
	return false;
}

/* An AI reply on a ticket whose group has no e-mail address: Zammad
 * answers 500 whatever the attempt, so the reply fails for good, and the
 * note after it keeps the draft for a human instead. */
static void undeliverable_reply(bool admin)
{
	json_t *actions = plan_for("webhook-default-customer-email.body",
				   OUTCOME_AI_REPLY, "Here is a new link.", tweak_reply);
	struct dp_error err = {{0}};
	struct config cfg;
	json_t *state, *result = NULL, *note = NULL, *arts;

	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	ck_assert_int_eq(fake_zammad_control(&fake, admin
							    ? "{\"ticket_group\":{\"81\":4},\"admin\":true}"
							    : "{\"ticket_group\":{\"81\":4}}"),
			 0);
	test_config(&cfg);
	ck_assert_str_eq(field(actions, 2, "action"), "reply");
	ck_assert_int_eq(apply_one(&cfg, actions, 0, NULL, &err), 0);
	ck_assert_int_eq(apply_one(&cfg, actions, 1, NULL, &err), 0);
	/* Permanent, with the reason: dead-lettered, not retried for a day. */
	ck_assert_int_eq(apply_one(&cfg, actions, 2, NULL, &err), DP_EREMOTE);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot send this reply"));
	ck_assert_ptr_nonnull(strstr(err.msg, admin
						      ? "No email address found for group 'Phone Desk' (4)"
						      : "group 'Phone Desk' has no e-mail address"));
	/* The note finds no reply and writes the fallback. */
	ck_assert_int_eq(apply_one(&cfg, actions, 3, &result, &err), 0);
	ck_assert_ptr_nonnull(json_object_get(result, "fallback"));
	json_decref(result);
	/* Once more, as after a crash: nothing new. */
	ck_assert_int_eq(apply_one(&cfg, actions, 3, &result, &err), 0);
	ck_assert(json_is_true(json_object_get(result, "existing")));
	json_decref(result);
	state = fake_zammad_state(&fake);
	ck_assert_uint_eq(count_articles(state, 81, true), 0);
	ck_assert_uint_eq(count_articles(state, 81, false), 1);
	arts = json_object_get(state, "articles");
	note = json_array_get(arts, 0);
	ck_assert(json_is_true(json_object_get(note, "internal")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(note, "body")),
				     "Here is a new link."));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(note, "body")),
				     "could not be delivered"));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(note, "body")),
				     ZAMMAD_MARKER "42"));
	ck_assert(has_tag(state, "81", "needs-human"));
	ck_assert(!has_tag(state, "81", "ai-replied"));
	ck_assert(has_tag(state, "81", "intent-track_order"));
	json_decref(state);
	json_decref(actions);
	config_release(&cfg);
}

START_TEST(apply_undeliverable_reply_admin_token)
{
	undeliverable_reply(true);
}
END_TEST

START_TEST(apply_undeliverable_reply_agent_token)
{
	undeliverable_reply(false);
}
END_TEST

/* Any other 500 to a reply is an outage: retried, nothing written. */
START_TEST(apply_reply_outage_is_retried)
{
	json_t *actions = plan_for("webhook-default-customer-email.body",
				   OUTCOME_AI_REPLY, "Here is a new link.", tweak_reply);
	struct dp_error err = {{0}};
	struct config cfg;
	json_t *state;

	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	ck_assert_int_eq(fake_zammad_control(&fake,
					     "{\"fail_next\":1,\"status\":500,"
					     "\"fail_match\":\"POST /api/v1/ticket_articles\"}"),
			 0);
	test_config(&cfg);
	ck_assert_int_eq(apply_one(&cfg, actions, 2, NULL, &err), DP_EBUSY);
	ck_assert_ptr_nonnull(strstr(err.msg, "simulated outage"));
	state = fake_zammad_state(&fake);
	ck_assert_uint_eq(count_articles(state, 81, false), 0);
	json_decref(state);
	/* Then it goes through, and the note is the normal one. */
	ck_assert_int_eq(apply_one(&cfg, actions, 2, NULL, &err), 0);
	ck_assert_int_eq(apply_one(&cfg, actions, 3, NULL, &err), 0);
	state = fake_zammad_state(&fake);
	ck_assert_uint_eq(count_articles(state, 81, true), 1);
	ck_assert_uint_eq(count_articles(state, 81, false), 2);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
					     json_array_get(json_object_get(state, "articles"), 1), "body")),
				     "answered automatically"));
	json_decref(state);
	json_decref(actions);
	config_release(&cfg);
}
END_TEST

START_TEST(apply_rejects_malformed_actions)
{
	json_t *bad[] = {
		json_pack("{s:s}", "action", "tag_add"),
		json_pack("{s:s, s:i}", "action", "launch", "ticket_id", 1),
		json_pack("{s:s, s:i, s:s, s:s}", "action", "note", "ticket_id", 1,
			  "marker", ZAMMAD_MARKER "7", "body", "no marker"),
		json_pack("{s:s, s:i, s:s}", "action", "note", "ticket_id", 1,
			  "body", "<p>" ZAMMAD_MARKER "7</p>"),
		json_pack("{s:s, s:i}", "action", "ticket_update", "ticket_id", 1),
	};
	struct config cfg;
	struct http_client *http = http_client_new();

	test_config(&cfg);
	for (size_t i = 0; i < DP_ARRAY_LEN(bad); i++) {
		struct dp_error err = {{0}};
		json_t *result = NULL;

		ck_assert_int_eq(zc->apply(zs(&cfg), http, bad[i], &result, &err), DP_EINVAL);
		ck_assert(err.msg[0]);
		json_decref(bad[i]);
	}
	http_client_free(http);
	config_release(&cfg);
}
END_TEST

static size_t count_path(const json_t *state, const char *method, const char *prefix)
{
	const json_t *reqs = json_object_get(state, "requests");
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(reqs); i++) {
		const json_t *r = json_array_get(reqs, i);

		n += strcmp(json_string_value(json_array_get(r, 0)), method) == 0 &&
		     strncmp(json_string_value(json_array_get(r, 1)), prefix,
			     strlen(prefix)) == 0;
	}
	return n;
}

/* enrich on an event whose customer has the other organizations ids. */
static int enrich_with(const char *ids, bool customer_vip, struct ticket_event *ev,
		       struct dp_error *err)
{
	struct config cfg;
	struct http_client *http = http_client_new();
	int rc;

	test_config(&cfg);
	parse_fixture("webhook-default-customer-email.body", ev);
	ev->other_organization_ids = ids ? xstrdup(ids) : NULL;
	ev->customer_vip = customer_vip;
	rc = zc->enrich(zs(&cfg), http, ev, err);
	http_client_free(http);
	config_release(&cfg);
	return rc;
}

/* A customer is premium through any of their organizations: the VIP flag
 * of each one the webhook did not carry is read from Zammad. */
START_TEST(enrich_reads_other_organizations)
{
	struct ticket_event ev;
	struct dp_error err = {{0}};
	json_t *state;

	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	ck_assert_int_eq(fake_zammad_control(&fake,
					     "{\"organizations\":{"
					     "\"5\":{\"id\":5,\"name\":\"Small Shop\",\"vip\":false,\"active\":true},"
					     "\"7\":{\"id\":7,\"name\":\"BigCorp Group\",\"vip\":true,\"active\":true},"
					     "\"8\":{\"id\":8,\"name\":\"Old Zammad Org\",\"active\":true}}}"),
			 0);
	ck_assert_ptr_nonnull(zc->enrich);

	/* 9 is gone (404): skipped; 7 is VIP. The names read are kept for
	 * deskpilot's organization rules. */
	ck_assert_int_eq(enrich_with("5,9,7", false, &ev, &err), 0);
	ck_assert(ev.organization_vip);
	ck_assert_str_eq(ev.other_organizations, "Small Shop\nBigCorp Group");
	ticket_event_release(&ev);
	state = fake_zammad_state(&fake);
	ck_assert_uint_eq(count_path(state, "GET", "/api/v1/organizations/"), 3);
	json_decref(state);

	/* No VIP among them, and a Zammad before 6.1 has no flag at all. */
	ck_assert_int_eq(enrich_with("5,8", false, &ev, &err), 0);
	ck_assert(!ev.organization_vip);
	ck_assert_str_eq(ev.other_organizations, "Small Shop\nOld Zammad Org");
	ticket_event_release(&ev);

	/* Nothing to ask: no other organizations, or premium already. */
	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	ck_assert_int_eq(enrich_with(NULL, false, &ev, &err), 0);
	ticket_event_release(&ev);
	ck_assert_int_eq(enrich_with("7", true, &ev, &err), 0);
	ticket_event_release(&ev);
	state = fake_zammad_state(&fake);
	ck_assert_uint_eq(json_array_size(json_object_get(state, "requests")), 0);
	json_decref(state);
}
END_TEST

/* What cannot be read is an error, so the pipeline lets no AI text out. */
START_TEST(enrich_failures_are_errors)
{
	struct ticket_event ev;
	struct dp_error err = {{0}};

	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	ck_assert_int_eq(fake_zammad_control(&fake,
					     "{\"fail_next\":1,\"status\":500,"
					     "\"fail_match\":\"GET /api/v1/organizations/7\"}"),
			 0);
	ck_assert_int_eq(enrich_with("7", false, &ev, &err), DP_EBUSY);
	ck_assert(!ev.organization_vip);
	ck_assert_ptr_null(ev.other_organizations);
	ck_assert_ptr_nonnull(strstr(err.msg, "500"));
	ticket_event_release(&ev);
	ck_assert_int_eq(enrich_with("5,6,+", false, &ev, &err), DP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "more than 32 organizations"));
	ticket_event_release(&ev);
	ck_assert_int_eq(enrich_with("5,x/../../users", false, &ev, &err), DP_EINVAL);
	ticket_event_release(&ev);
}
END_TEST

/* Names that do not all fit are an error: one cut short could match a
 * shorter organization rule. */
START_TEST(enrich_names_too_long)
{
	struct ticket_event ev;
	struct dp_error err = {{0}};
	struct buf control, ids;
	char name[301];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	buf_init(&control, 1 << 16);
	buf_init(&ids, 1024);
	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	buf_puts(&control, "{\"organizations\":{");
	for (int id = 20; id < 50; id++) {
		buf_printf(&control, "%s\"%d\":{\"id\":%d,\"name\":\"%d%s\",\"vip\":false}",
			   id > 20 ? "," : "", id, id, id, name);
		buf_printf(&ids, "%s%d", id > 20 ? "," : "", id);
	}
	buf_puts(&control, "}}");
	ck_assert_int_eq(fake_zammad_control(&fake, buf_str(&control)), 0);
	ck_assert_int_eq(enrich_with(buf_str(&ids), false, &ev, &err), DP_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "longer than 8192 bytes"));
	ck_assert_ptr_null(ev.other_organizations);
	ticket_event_release(&ev);
	/* 27 of them fit. */
	ck_assert_int_eq(enrich_with("20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46",
				     false, &ev, &err),
			 0);
	ck_assert_uint_eq(strlen(ev.other_organizations), 27 * 303 - 1);
	ticket_event_release(&ev);
	buf_release(&ids);
	buf_release(&control);
}
END_TEST

/* Run `deskpilot zammad-setup` (as main does) on a writable copy of args
 * (NULL-terminated). */
static int run_cmd(const char *const *args)
{
	char *argv[16];
	int argc = 0, rc;

	while (args[argc] && argc < 15) {
		argv[argc] = xstrdup(args[argc]);
		argc++;
	}
	argv[argc] = NULL;
	rc = cli_connector_command(zc, argc, argv);
	for (int i = 0; i < 16 && argv[i]; i++)
		free(argv[i]);
	return rc;
}

/* Run `deskpilot zammad-setup` against the fake, plus one extra option. */
static int run_setup(const char *extra)
{
	const char *args[] = {"zammad-setup", "--url", fake.url, "--token", FAKE_TOKEN,
			      "--secret", "s3cret", "--endpoint",
			      "https://deskpilot.example.test/hooks/zammad", extra, NULL};

	return run_cmd(args);
}

static size_t count_requests(const json_t *state, const char *method)
{
	const json_t *reqs = json_object_get(state, "requests");
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(reqs); i++)
		n += strcmp(json_string_value(json_array_get(json_array_get(reqs, i), 0)),
			    method) == 0;
	return n;
}

START_TEST(setup_creates_then_updates)
{
	json_t *state, *hooks, *trigs, *t, *cond;
	json_int_t hook_id;

	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	/* A dry run only reads. */
	ck_assert_int_eq(run_setup("--dry-run"), 0);
	state = fake_zammad_state(&fake);
	ck_assert_uint_eq(json_array_size(json_object_get(state, "webhooks")), 0);
	ck_assert_uint_eq(count_requests(state, "POST") + count_requests(state, "PUT"), 0);
	json_decref(state);

	ck_assert_int_eq(run_setup(NULL), 0);
	ck_assert_int_eq(run_setup(NULL), 0); /* idempotent by name */
	state = fake_zammad_state(&fake);
	hooks = json_object_get(state, "webhooks");
	trigs = json_object_get(state, "triggers");
	ck_assert_uint_eq(json_array_size(hooks), 1);
	ck_assert_uint_eq(json_array_size(trigs), 2);
	ck_assert_uint_eq(count_requests(state, "POST"), 3);
	ck_assert_uint_eq(count_requests(state, "PUT"), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(hooks, 0), "endpoint")),
			 "https://deskpilot.example.test/hooks/zammad");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(hooks, 0),
							   "signature_token")),
			 "s3cret");
	hook_id = json_integer_value(json_object_get(json_array_get(hooks, 0), "id"));
	for (size_t i = 0; i < 2; i++) {
		t = json_array_get(trigs, i);
		cond = json_object_get(t, "condition");
		ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
									    json_object_get(t, "perform"), "notification.webhook"),
								    "webhook_id")),
				 hook_id);
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
									   cond, "ticket.tags"),
								   "value")),
				 "ai-skip");
		ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
									  json_object_get(cond, "article.internal"), "value"),
								  0)),
				 "false");
	}
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
								   json_object_get(json_array_get(trigs, 0), "condition"),
								   "ticket.action"),
							   "value")),
			 "create");
	json_decref(state);
}
END_TEST

/* run_setup with stdout captured; returns the exit status, the output
 * into *out (new string). */
static int run_setup_captured(const char *extra, char **out)
{
	char *path = test_tmpfile("setup");
	int fd = open(path, O_WRONLY), saved, rc;
	size_t len;
	FILE *f;

	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	rc = run_setup(extra);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	*out = xmalloc(64 * 1024);
	len = fread(*out, 1, 64 * 1024 - 1, f);
	(*out)[len] = '\0';
	fclose(f);
	unlink(path);
	free(path);
	return rc;
}

static const json_t *webhook_named(const json_t *state, const char *name)
{
	const json_t *hooks = json_object_get(state, "webhooks");

	for (size_t i = 0; i < json_array_size(hooks); i++) {
		const json_t *w = json_array_get(hooks, i);

		if (strcmp(json_string_value(json_object_get(w, "name")), name) == 0)
			return w;
	}
	return NULL;
}

/* A webhook "deskpilot" someone gave a custom payload (or made a Slack
 * webhook) sends what deskpilot cannot parse. zammad-setup puts it back
 * on Zammad's default payload, and its dry run says what it will send. */
START_TEST(setup_forces_default_payload)
{
	struct config cfg;
	struct dp_error err = {{0}};
	struct http_client *http;
	json_t *seed, *state;
	const json_t *w, *bodies, *last = NULL;
	char *out = NULL;

	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	/* Zammad's own API is how the earlier webhook came to be. */
	test_config(&cfg);
	http = http_client_new();
	seed = json_pack("{s:s, s:s, s:b, s:s, s:s, s:b}", "name", "deskpilot",
			 "endpoint", "https://old.example.test/hooks/zammad",
			 "customized_payload", 1, "custom_payload",
			 "{\"ticket\":\"#{ticket.id}\"}", "pre_defined_webhook_type", "Slack",
			 "active", 1);
	ck_assert_msg(zammad_request(zs(&cfg), http, "POST", "/api/v1/webhooks", seed, NULL,
				     &err) == 0,
		      "%s", err.msg);
	json_decref(seed);
	http_client_free(http);
	config_release(&cfg);

	ck_assert_int_eq(run_setup_captured("--dry-run", &out), 0);
	ck_assert_msg(strstr(out, "webhook \"deskpilot\": would update"), "%s", out);
	ck_assert_msg(strstr(out, "\"customized_payload\":false"), "%s", out);
	ck_assert_msg(strstr(out, "\"pre_defined_webhook_type\":null"), "%s", out);
	ck_assert_msg(strstr(out, "its custom payload will be switched off"), "%s", out);
	ck_assert_msg(strstr(out, "pre-defined webhook type 'Slack' will be removed"), "%s", out);
	ck_assert_msg(strstr(out, "\"signature_token\":\"**********\""), "%s", out);
	ck_assert_ptr_null(strstr(out, "s3cret"));
	free(out);
	state = fake_zammad_state(&fake);
	ck_assert(json_is_true(json_object_get(webhook_named(state, "deskpilot"),
					       "customized_payload")));
	json_decref(state);

	ck_assert_int_eq(run_setup(NULL), 0);
	state = fake_zammad_state(&fake);
	w = webhook_named(state, "deskpilot");
	ck_assert(json_is_false(json_object_get(w, "customized_payload")));
	ck_assert(json_is_null(json_object_get(w, "custom_payload")));
	ck_assert(json_is_null(json_object_get(w, "pre_defined_webhook_type")));
	ck_assert_str_eq(json_string_value(json_object_get(w, "endpoint")),
			 "https://deskpilot.example.test/hooks/zammad");
	/* The request itself names both, false and null. */
	bodies = json_object_get(state, "bodies");
	for (size_t i = 0; i < json_array_size(bodies); i++) {
		const json_t *b = json_array_get(bodies, i);

		if (strcmp(json_string_value(json_array_get(b, 0)), "PUT") == 0 &&
		    strncmp(json_string_value(json_array_get(b, 1)), "/api/v1/webhooks/", 17) == 0)
			last = json_array_get(b, 2);
	}
	ck_assert_ptr_nonnull(last);
	ck_assert(json_is_false(json_object_get(last, "customized_payload")));
	ck_assert(json_is_null(json_object_get(last, "pre_defined_webhook_type")));
	json_decref(state);

	/* A new webhook is created with them too. */
	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	ck_assert_int_eq(run_setup_captured("--dry-run", &out), 0);
	ck_assert_msg(strstr(out, "webhook \"deskpilot\": would create\n  POST /api/v1/webhooks {"),
		      "%s", out);
	ck_assert_msg(strstr(out, "\"customized_payload\":false"), "%s", out);
	free(out);
	ck_assert_int_eq(run_setup(NULL), 0);
	state = fake_zammad_state(&fake);
	w = webhook_named(state, "deskpilot");
	ck_assert(json_is_false(json_object_get(w, "customized_payload")));
	ck_assert(json_is_null(json_object_get(w, "pre_defined_webhook_type")));
	json_decref(state);
}
END_TEST

START_TEST(setup_reports_errors)
{
	const char *wrong_token[] = {"zammad-setup", "--url", fake.url, "--token", "wrong",
				     "--secret", "s", "--endpoint",
				     "https://x.example.test/hooks/zammad", NULL};
	const char *no_endpoint[] = {"zammad-setup", "--url", fake.url, NULL};
	json_t *state;

	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
	ck_assert_int_eq(run_cmd(wrong_token), 1);
	ck_assert_int_eq(run_cmd(no_endpoint), EXIT_USAGE);
	state = fake_zammad_state(&fake);
	ck_assert_uint_eq(json_array_size(json_object_get(state, "webhooks")), 0);
	json_decref(state);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("zammad");
	TCase *tc = tcase_create("accept");
	TCase *tp = tcase_create("plan");
	TCase *ta = tcase_create("apply");

	tcase_add_test(tc, signatures_from_fixtures);
	tcase_add_test(tc, unsigned_needs_explicit_opt_in);
	tcase_add_test(tc, bearer_and_basic_auth);
	tcase_add_test(tc, event_text_escapes);
	tcase_add_test(tc, event_text_is_always_utf8);
	tcase_add_test(tc, delivery_header_must_be_utf8);
	tcase_add_test(tc, parse_customer_email);
	tcase_add_test(tc, parse_vip_customer);
	tcase_add_test(tc, parse_no_article);
	tcase_add_test(tc, parse_auto_response);
	tcase_add_test(tc, auto_response_flag_is_a_json_true);
	tcase_add_test(tc, parse_other_organizations);
	tcase_add_test(tc, bad_bodies_refused);
	tcase_add_test(tc, deep_nesting_refused);
	tcase_add_test(tc, text_is_capped);
	tcase_add_test(tc, event_kinds);
	suite_add_tcase(s, tc);

	tcase_add_test(tp, plan_human_vip);
	tcase_add_test(tp, plan_vip_never_gets_public_reply);
	tcase_add_test(tp, plan_human);
	tcase_add_test(tp, plan_ai_draft);
	tcase_add_test(tp, plan_ai_draft_without_draft_goes_to_human);
	tcase_add_test(tp, plan_ai_reply);
	tcase_add_test(tp, plan_auto_response_gets_nothing);
	tcase_add_test(tp, plan_reply_only_where_zammad_delivers);
	tcase_add_test(tp, plan_sla_breach);
	tcase_add_test(tp, plan_none);
	suite_add_tcase(s, tp);

	tcase_add_unchecked_fixture(ta, start_fake, stop_fake);
	tcase_set_timeout(ta, 20);
	tcase_add_test(ta, apply_vip_plan);
	tcase_add_test(ta, apply_is_idempotent);
	tcase_add_test(ta, apply_sla_note_is_a_second_note);
	tcase_add_test(ta, apply_outage_then_recovery);
	tcase_add_test(ta, apply_refusals_are_remote_errors);
	tcase_add_test(ta, apply_unreachable_is_busy);
	tcase_add_test(ta, apply_public_reply);
	tcase_add_test(ta, apply_undeliverable_reply_admin_token);
	tcase_add_test(ta, apply_undeliverable_reply_agent_token);
	tcase_add_test(ta, apply_reply_outage_is_retried);
	tcase_add_test(ta, enrich_reads_other_organizations);
	tcase_add_test(ta, enrich_names_too_long);
	tcase_add_test(ta, enrich_failures_are_errors);
	tcase_add_test(ta, apply_rejects_malformed_actions);
	tcase_add_test(ta, setup_creates_then_updates);
	tcase_add_test(ta, setup_forces_default_payload);
	tcase_add_test(ta, setup_reports_errors);
	suite_add_tcase(s, ta);
	return s;
}

int main(void)
{
	return test_main(suite());
}
