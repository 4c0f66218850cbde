/*
 * check_osticket.c - the osTicket connector: JSON and XML fixture pairs
 * parse to identical events, hostile XML and JSON are refused, signatures
 * and timestamps are checked before anything is parsed, plan words each
 * outcome for the plugin route, and apply signs its call and maps the
 * plugin's answers (a one-shot HTTP server on 127.0.0.1 in a thread).
 *
 * Like the service, the test runner installs a refusing external entity
 * loader before anything parses XML (test.h).
 */
#include <check.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/hmac.h"
#include "common/http_client.h"
#include "config/config.h"
#include "connectors/osticket.h"
#include "connectors/xml_safe.h"
#include "test.h"

#define SECRET "s3cret-shared-with-the-plugin"
#define T0 1732550400 /* timestamp of message_html.* */
#define INSTALLATION "5f0c9a7e2b4d4e61a3c8f1d27b90e6a4"
#define OTHER_INSTALLATION "0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f6"

static char *fixture(const char *name, size_t *len)
{
	const char *src = getenv("DP_SRCDIR");
	char *path = xasprintf("%s/tests/data/osticket/%s", src ? src : ".",
			       name);
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	buf_init(&b, 1u << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ck_assert_int_eq(buf_append(&b, chunk, n), 0);
	fclose(f);
	free(path);
	*len = b.len;
	return buf_detach(&b);
}

static int parse_file(const char *name, struct ticket_event *ev,
		      int64_t *ts, struct dp_error *err)
{
	size_t len;
	char *body = fixture(name, &len);
	const char *ct = strstr(name, ".json") ? "application/json"
					       : "application/xml; charset=utf-8";
	int rc = osticket_parse(ct, body, len, ev, ts, err);

	free(body);
	return rc;
}

static int parse_text(const char *ct, const char *body, struct ticket_event *ev,
		      struct dp_error *err)
{
	int64_t ts;

	return osticket_parse(ct, body, strlen(body), ev, &ts, err);
}

/* ---- fixture pairs ------------------------------------------------------ */

/* plugin_event.* are written by the PHP plugin itself (its test checks
 * them byte for byte), so the plugin's output is what is parsed here. */
static const char *const pairs[] = {"message_html", "message_vip",
				    "reply_text", "plugin_event"};

START_TEST(test_pair_identical)
{
	struct ticket_event a, b;
	struct dp_error err = {{0}};
	int64_t ta = 0, tb = -1;
	char *jname = xasprintf("%s.json", pairs[_i]);
	char *xname = xasprintf("%s.xml", pairs[_i]);
	json_t *ja, *jb;

	ticket_event_init(&a);
	ticket_event_init(&b);
	ck_assert_msg(parse_file(jname, &a, &ta, &err) == 0, "%s: %s", jname,
		      err.msg);
	ck_assert_msg(parse_file(xname, &b, &tb, &err) == 0, "%s: %s", xname,
		      err.msg);
	ck_assert_int_eq(ta, tb);
	ck_assert_int_gt(ta, 0);
	ja = ticket_event_to_json(&a);
	jb = ticket_event_to_json(&b);
	if (!json_equal(ja, jb)) {
		char *sa = json_dumps(ja, JSON_SORT_KEYS);
		char *sb = json_dumps(jb, JSON_SORT_KEYS);

		ck_abort_msg("%s differ:\njson %s\nxml  %s", pairs[_i], sa, sb);
	}
	ck_assert_int_eq(a.kind, b.kind);
	json_decref(ja);
	json_decref(jb);
	ticket_event_release(&a);
	ticket_event_release(&b);
	free(jname);
	free(xname);
}
END_TEST

START_TEST(test_html_message_values)
{
	struct ticket_event ev;
	struct dp_error err = {{0}};
	int64_t ts;

	ticket_event_init(&ev);
	ck_assert_int_eq(parse_file("message_html.xml", &ev, &ts, &err), 0);
	ck_assert_int_eq(ts, T0);
	ck_assert_int_eq(ev.kind, EVENT_CUSTOMER_MESSAGE);
	ck_assert_str_eq(ev.source, "osticket");
	ck_assert_str_eq(ev.delivery_id, "0f8b6c0e-4b1d-4f7e-9d2a-6a41c2f0b8d1");
	ck_assert_int_eq(ev.ticket_id, 342);
	ck_assert_str_eq(ev.ticket_number, "604127");
	ck_assert_int_eq(ev.article_id, 1187);
	ck_assert_int_eq(ev.customer_id, 57);
	ck_assert_str_eq(ev.title, "Lieferung nicht angekommen – Bestellung #88412");
	ck_assert_str_eq(ev.customer_name, "Jürgen Weiß");
	ck_assert_str_eq(ev.organization, "Müller & Söhne GmbH");
	ck_assert_str_eq(ev.group, "Support");
	ck_assert_str_eq(ev.topic, "Orders / Shipping");
	ck_assert_str_eq(ev.channel, "email");
	ck_assert_str_eq(ev.sender, "Customer");
	ck_assert_str_eq(ev.content_type, "text/html");
	ck_assert(!ev.internal && !ev.customer_vip && !ev.organization_vip);
	/* HTML became text: entities decoded, list items, no tags. */
	ck_assert_ptr_nonnull(strstr(ev.body, "im Depot & bewegt sich nicht."));
	ck_assert_ptr_nonnull(strstr(ev.body, "- Artikel: Kaffeemühle „Präzision“"));
	ck_assert_ptr_nonnull(strstr(ev.body, "Können Sie nachsehen? 🙏"));
	ck_assert_ptr_null(strchr(ev.body, '<'));
	ticket_event_release(&ev);
}
END_TEST

START_TEST(test_vip_and_reply_values)
{
	struct ticket_event ev;
	struct dp_error err = {{0}};
	int64_t ts;

	ticket_event_init(&ev);
	ck_assert_int_eq(parse_file("message_vip.json", &ev, &ts, &err), 0);
	ck_assert(ev.organization_vip);
	ck_assert(!ev.customer_vip);
	ck_assert_str_eq(ev.organization, "Globex 株式会社");
	ck_assert_str_eq(ev.channel, "api");
	ck_assert_str_eq(ev.content_type, "text/plain");
	ck_assert_str_eq(ev.body, "こんにちは。\n先月の請求書 INV-2024-1187 の金額が契約と違います。\n至急ご確認ください。\n\n佐藤");
	ticket_event_release(&ev);

	ticket_event_init(&ev);
	ck_assert_int_eq(parse_file("reply_text.xml", &ev, &ts, &err), 0);
	ck_assert_int_eq(ev.kind, EVENT_AGENT_REPLY);
	ck_assert_str_eq(ev.sender, "Agent");
	ck_assert_str_eq(ev.article_type, "response");
	ck_assert_str_eq(ev.from, "Anna Schmidt");
	ck_assert_str_eq(ev.customer_name, "Jürgen Weiß"); /* char refs */
	ticket_event_release(&ev);
}
END_TEST

START_TEST(test_kinds)
{
	struct ticket_event ev;
	struct dp_error err = {{0}};

	ticket_event_init(&ev);
	ck_assert_int_eq(parse_text("application/json",
				    "{\"delivery_id\":\"n1\",\"timestamp\":1,\"entry_type\":\"N\","
				    "\"entry_id\":\"9\",\"ticket_id\":3,\"message\":\"internal\"}",
				    &ev, &err),
			 0);
	ck_assert_int_eq(ev.kind, EVENT_NOTE);
	ck_assert(ev.internal);
	ck_assert_int_eq(ev.article_id, 9); /* "9" and 9 are the same value */
	ticket_event_release(&ev);

	/* The plugin's own entries are marked own whatever their type. */
	ticket_event_init(&ev);
	ck_assert_int_eq(parse_text("text/xml",
				    "<ticket delivery_id='o1' timestamp='1' entry_type='R' "
				    "entry_id='10' ticket_id='3' own='true'/>",
				    &ev, &err),
			 0);
	ck_assert_int_eq(ev.kind, EVENT_OWN);
	ck_assert_ptr_null(ev.body);
	ticket_event_release(&ev);
}
END_TEST

/* ---- refusals ----------------------------------------------------------- */

/* clang-format off */
static const char *const hostile[] = {
	"hostile_xxe_file.xml", "hostile_billion_laughs.xml",
	"hostile_external_dtd.xml", "hostile_parameter_entity.xml",
	"hostile_deep_nesting.xml", "deep_nesting.json",
};
/* clang-format on */

START_TEST(test_hostile_refused)
{
	struct ticket_event ev;
	struct dp_error err = {{0}};
	int64_t ts = -1;

	ticket_event_init(&ev);
	ck_assert_int_eq(parse_file(hostile[_i], &ev, &ts, &err), DP_EPARSE);
	ck_assert_ptr_null(ev.body);
	ck_assert_ptr_null(ev.delivery_id);
	ck_assert_int_eq(ts, -1);
	if (strstr(hostile[_i], "nesting"))
		ck_assert_ptr_nonnull(strstr(err.msg, "nested too deeply"));
	else
		ck_assert_msg(strstr(err.msg, "DTD") != NULL, "%s: %s",
			      hostile[_i], err.msg);
	ticket_event_release(&ev);
}
END_TEST

START_TEST(test_xml_safe_limits)
{
	const struct xml_safe_limits lim = {64, 3};
	xmlDocPtr doc = (xmlDocPtr)1;
	struct dp_error err = {{0}};
	const char *ok = "<a><b><c>x</c></b></a>";

	ck_assert_int_eq(xml_safe_parse(ok, strlen(ok), &lim, &doc, &err), 0);
	ck_assert_ptr_nonnull(doc);
	xmlFreeDoc(doc);
	ck_assert_int_eq(xml_safe_parse("<a><b><c><d/></c></b></a>", 25, &lim,
					&doc, &err),
			 DP_EPARSE);
	ck_assert_ptr_null(doc);
	ck_assert_int_eq(xml_safe_parse(ok, 65, &lim, &doc, &err), DP_ETOOBIG);
	ck_assert_int_eq(xml_safe_parse("<a>", 3, &lim, &doc, &err), DP_EPARSE);
	ck_assert_ptr_nonnull(strstr(err.msg, "not well-formed"));
}
END_TEST

static const struct {
	const char *ct, *body;
	int rc;
	const char *msg;
} bad[] = {
	{"application/json", "{\"timestamp\":1,\"entry_type\":\"M\",\"entry_id\":1,\"ticket_id\":1}",
	 DP_EINVAL, "missing field 'delivery_id'"},
	{"application/json", "{\"delivery_id\":\"d\",\"timestamp\":1,\"entry_type\":\"X\",\"entry_id\":1,\"ticket_id\":1}",
	 DP_EINVAL, "unknown entry_type 'X'"},
	{"application/json", "{\"delivery_id\":\"d\",\"timestamp\":-5,\"entry_type\":\"M\",\"entry_id\":1,\"ticket_id\":1}",
	 DP_EINVAL, "field 'timestamp' is not a non-negative integer"},
	{"application/json", "{\"delivery_id\":\"d\",\"timestamp\":1,\"entry_type\":\"M\",\"entry_id\":1,\"ticket_id\":1,\"org_vip\":\"maybe\"}",
	 DP_EINVAL, "field 'org_vip' is not a boolean"},
	{"application/json", "{\"delivery_id\":[1],\"timestamp\":1}",
	 DP_EINVAL, "field 'delivery_id' has the wrong type"},
	{"application/json", "{\"delivery_id\":\"a\",\"delivery_id\":\"b\"}",
	 DP_EPARSE, "duplicate"},
	{"application/json", "{\"delivery_id\":\"d\",", DP_EPARSE, "json is malformed"},
	{"application/json", "[1,2]", DP_EINVAL, "not an object"},
	{"application/json", "{\"delivery_id\":\"d\",\"timestamp\":1,\"entry_type\":\"M\",\"entry_id\":1,\"ticket_id\":1,"
			     "\"message\":{\"type\":\"image/png\",\"body\":\"x\"}}",
	 DP_EINVAL, "message type 'image/png'"},
	{"text/xml", "<ticket delivery_id='d' timestamp='1' entry_type='M' entry_id='1' ticket_id='1'>"
		     "<ticket_id>2</ticket_id></ticket>",
	 DP_EINVAL, "field 'ticket_id' is given twice"},
	{"text/xml", "<event delivery_id='d'/>", DP_EINVAL, "root element is not <ticket>"},
	{"text/xml", "<ticket><subject>a</ticket>", DP_EPARSE, "not well-formed"},
	{"text/plain", "{}", DP_EMEDIA, "content type 'text/plain'"},
	{"application/x-www-form-urlencoded", "a=b", DP_EMEDIA, "is not application/json"},
	{NULL, "{}", DP_EMEDIA, "content type ''"},
};

START_TEST(test_bad_bodies)
{
	struct ticket_event ev;
	struct dp_error err = {{0}};

	ticket_event_init(&ev);
	ck_assert_int_eq(parse_text(bad[_i].ct, bad[_i].body, &ev, &err),
			 bad[_i].rc);
	ck_assert_msg(strstr(err.msg, bad[_i].msg) != NULL, "%zu: '%s'", (size_t)_i,
		      err.msg);
	ticket_event_release(&ev);
}
END_TEST

START_TEST(test_caps)
{
	struct ticket_event ev;
	struct dp_error err = {{0}};
	struct buf b;
	int64_t ts;

	/* A subject past OSTICKET_MAX_FIELD. */
	buf_init(&b, 4u << 20);
	buf_puts(&b, "{\"delivery_id\":\"d\",\"subject\":\"");
	for (int i = 0; i < OSTICKET_MAX_FIELD + 1; i++)
		buf_putc(&b, 'a');
	buf_puts(&b, "\"}");
	ticket_event_init(&ev);
	ck_assert_int_eq(osticket_parse("application/json", b.data, b.len, &ev,
					&ts, &err),
			 DP_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "'subject' is longer than 1024"));
	ticket_event_release(&ev);

	/* A whole document past OSTICKET_MAX_BODY. */
	buf_reset(&b);
	for (unsigned i = 0; i <= OSTICKET_MAX_BODY; i++)
		buf_putc(&b, ' ');
	ticket_event_init(&ev);
	ck_assert_int_eq(osticket_parse("application/xml", b.data, b.len, &ev,
					&ts, &err),
			 DP_ETOOBIG);
	ticket_event_release(&ev);
	buf_release(&b);
}
END_TEST

/* ---- accept: signature, timestamp, then parse --------------------------- */

static struct config cfg;
static struct osticket_settings *oc; /* cfg's [osticket] */

static void cfg_setup(void)
{
	config_init(&cfg);
	config_helpdesk_slot(&cfg, &osticket_connector)->enabled = true;
	oc = config_helpdesk_slot(&cfg, &osticket_connector)->settings;
	free(oc->webhook_secret);
	oc->webhook_secret = xstrdup(SECRET);
	free(oc->api_key);
	oc->api_key = xstrdup("0123456789ABCDEF0123456789ABCDEF");
}

static void cfg_teardown(void)
{
	config_release(&cfg);
}

/* accept body with these headers (sig: NULL = computed, "" = none). */
static int accept_with(const char *ct, const char *body, const char *sig,
		       const char *ts, int64_t now, struct ticket_event *ev,
		       struct dp_error *err)
{
	char hex[HMAC_HEX_MAX];
	char *env[5] = {NULL};
	size_t n = 0;
	struct hook_request req = {env, body, strlen(body)};
	int rc;

	hmac_hex(HMAC_SHA256, SECRET, body, strlen(body), hex);
	env[n++] = xasprintf("CONTENT_TYPE=%s", ct);
	if (!sig)
		env[n++] = xasprintf(OSTICKET_SIG_PARAM "=sha256=%s", hex);
	else if (*sig)
		env[n++] = xasprintf(OSTICKET_SIG_PARAM "=%s", sig);
	if (ts)
		env[n++] = xasprintf(OSTICKET_TS_PARAM "=%s", ts);
	rc = osticket_accept_at(oc, &req, now, ev, err);
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	return rc;
}

START_TEST(test_accept_signed)
{
	struct ticket_event ev;
	struct dp_error err = {{0}};
	size_t len;
	char *json = fixture("message_html.json", &len);
	char *xml = fixture("message_html.xml", &len);

	ticket_event_init(&ev);
	ck_assert_int_eq(accept_with("application/json", json, NULL, "1732550400",
				     T0 + 10, &ev, &err),
			 0);
	ck_assert_int_eq(ev.ticket_id, 342);
	ticket_event_release(&ev);
	ticket_event_init(&ev);
	ck_assert_int_eq(accept_with("text/xml; charset=UTF-8", xml, NULL,
				     "1732550400", T0 - 10, &ev, &err),
			 0);
	ck_assert_int_eq(ev.article_id, 1187);
	ticket_event_release(&ev);
	free(json);
	free(xml);
}
END_TEST

START_TEST(test_accept_refusals)
{
	struct ticket_event ev;
	struct dp_error err = {{0}};
	size_t len;
	char *json = fixture("message_html.json", &len);
	char *xxe = fixture("hostile_xxe_file.xml", &len);
	char *wrong;

	ticket_event_init(&ev);
	/* No signature. */
	ck_assert_int_eq(accept_with("application/json", json, "", "1732550400",
				     T0, &ev, &err),
			 DP_EAUTH);
	ck_assert_ptr_nonnull(strstr(err.msg, "missing X-Deskpilot-Signature"));
	/* A signature of other bytes: refused before parsing, so nothing set. */
	wrong = xasprintf("sha256=%064d", 0);
	ck_assert_int_eq(accept_with("application/json", json, wrong,
				     "1732550400", T0, &ev, &err),
			 DP_EAUTH);
	ck_assert_ptr_nonnull(strstr(err.msg, "signature does not match"));
	ck_assert_ptr_null(ev.delivery_id);
	free(wrong);
	/* Signed, but no timestamp header. */
	ck_assert_int_eq(accept_with("application/json", json, NULL, NULL, T0,
				     &ev, &err),
			 DP_EAUTH);
	/* Stale: outside the 300 s window, and a header that lies about it. */
	ck_assert_int_eq(accept_with("application/json", json, NULL,
				     "1732550400", T0 + 301, &ev, &err),
			 DP_EAUTH);
	ck_assert_ptr_nonnull(strstr(err.msg, "stale or replayed"));
	ck_assert_int_eq(accept_with("application/json", json, NULL,
				     "1732550500", T0 + 100, &ev, &err),
			 DP_EAUTH);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not match the body's timestamp"));
	ticket_event_release(&ev);
	ticket_event_init(&ev);
	/* Properly signed hostile XML is still refused, and so is a media
	 * type the connector does not read. */
	ck_assert_int_eq(accept_with("application/xml", xxe, NULL, "1732550400",
				     T0, &ev, &err),
			 DP_EPARSE);
	ticket_event_release(&ev);
	ticket_event_init(&ev);
	ck_assert_int_eq(accept_with("multipart/form-data", json, NULL,
				     "1732550400", T0, &ev, &err),
			 DP_EMEDIA);
	ticket_event_release(&ev);
	/* allow_unsigned takes unsigned events, still inside the window. */
	oc->allow_unsigned = true;
	ticket_event_init(&ev);
	ck_assert_int_eq(accept_with("application/json", json, "", NULL, T0,
				     &ev, &err),
			 0);
	ticket_event_release(&ev);
	ticket_event_init(&ev);
	ck_assert_int_eq(accept_with("application/json", json, "", NULL,
				     T0 + 3600, &ev, &err),
			 DP_EAUTH);
	ticket_event_release(&ev);
	free(json);
	free(xxe);
}
END_TEST

/* ---- plan --------------------------------------------------------------- */

static json_t *plan_full(enum outcome o, bool customer_vip, const char *draft,
			 bool sla_breach)
{
	struct ticket_event ev;
	struct decision d;
	json_t *actions = json_array();
	struct plan_input in;

	ticket_event_init(&ev);
	ev.ticket_id = 343;
	ev.ticket_number = xstrdup("604128");
	ev.customer_vip = customer_vip;
	decision_init(&d);
	d.outcome = o;
	in = (struct plan_input){
		.ev = &ev,
		.d = &d,
		.decision_id = 77,
		.draft = draft,
		.note_text = "Premium customer: organization Globex",
		.sla_breach = sla_breach,
		.installation = INSTALLATION,
	};
	osticket_connector.plan(oc, &in, actions);
	ticket_event_release(&ev);
	return actions;
}

static json_t *plan_for(enum outcome o, bool customer_vip, const char *draft)
{
	return plan_full(o, customer_vip, draft, false);
}

START_TEST(test_plan)
{
	json_t *a = plan_for(OUTCOME_HUMAN_VIP, true, "AI text that must not leave");
	json_t *x;

	ck_assert_int_eq(json_array_size(a), 1);
	x = json_array_get(a, 0);
	ck_assert_str_eq(json_string_value(json_object_get(x, "action")), "decision");
	ck_assert_int_eq(json_integer_value(json_object_get(x, "decision_id")), 77);
	ck_assert_str_eq(json_string_value(json_object_get(x, "installation")), INSTALLATION);
	ck_assert_int_eq(json_integer_value(json_object_get(x, "ticket_id")), 343);
	ck_assert_str_eq(json_string_value(json_object_get(x, "ticket_number")), "604128");
	ck_assert_str_eq(json_string_value(json_object_get(x, "outcome")), "human_vip");
	ck_assert(json_is_true(json_object_get(x, "vip")));
	ck_assert_str_eq(json_string_value(json_object_get(x, "priority")), "high");
	ck_assert_str_eq(json_string_value(json_object_get(x, "team")), "VIP");
	ck_assert_str_eq(json_string_value(json_object_get(x, "note")),
			 "Premium customer: organization Globex");
	ck_assert_ptr_null(json_object_get(x, "reply"));
	ck_assert_ptr_null(json_object_get(x, "draft"));
	ck_assert_ptr_null(json_object_get(x, "dept")); /* vip_dept empty */
	json_decref(a);

	a = plan_for(OUTCOME_AI_REPLY, false, "Your parcel arrives tomorrow.");
	x = json_array_get(a, 0);
	ck_assert_str_eq(json_string_value(json_object_get(x, "reply")),
			 "Your parcel arrives tomorrow.");
	ck_assert(json_is_false(json_object_get(x, "vip")));
	ck_assert_ptr_null(json_object_get(x, "priority"));
	json_decref(a);

	/* A VIP customer never gets a public AI reply, whatever the outcome. */
	a = plan_for(OUTCOME_AI_REPLY, true, "Your parcel arrives tomorrow.");
	x = json_array_get(a, 0);
	ck_assert_ptr_null(json_object_get(x, "reply"));
	ck_assert_str_eq(json_string_value(json_object_get(x, "draft")),
			 "Your parcel arrives tomorrow.");
	json_decref(a);

	a = plan_for(OUTCOME_AI_DRAFT, false, "Draft text");
	x = json_array_get(a, 0);
	ck_assert_str_eq(json_string_value(json_object_get(x, "draft")), "Draft text");
	ck_assert_ptr_null(json_object_get(x, "reply"));
	json_decref(a);

	/* The watchdog's escalation: same decision id, marked, urgent. */
	a = plan_full(OUTCOME_HUMAN_VIP, true, NULL, true);
	x = json_array_get(a, 0);
	ck_assert(json_is_true(json_object_get(x, "escalation")));
	ck_assert_int_eq(json_integer_value(json_object_get(x, "decision_id")), 77);
	ck_assert_str_eq(json_string_value(json_object_get(x, "installation")), INSTALLATION);
	ck_assert_str_eq(json_string_value(json_object_get(x, "priority")), "emergency");
	ck_assert_ptr_null(json_object_get(x, "team"));
	ck_assert_ptr_null(json_object_get(x, "reply"));
	json_decref(a);

	a = plan_for(OUTCOME_NONE, false, NULL);
	ck_assert_int_eq(json_array_size(a), 0);
	json_decref(a);
}
END_TEST

/* ---- apply against a one-shot server ------------------------------------ */

struct one_shot {
	int fd;
	int port;
	const char *response; /* full HTTP response */
	struct buf request;   /* what arrived */
	pthread_t thread;
};

static void *serve_once(void *arg)
{
	struct one_shot *o = arg;
	int c = accept(o->fd, NULL, NULL);
	char chunk[4096];
	ssize_t n;

	if (c < 0)
		return NULL;
	/* Read headers, then Content-Length bytes of body. */
	while ((n = read(c, chunk, sizeof(chunk))) > 0) {
		const char *end, *cl;

		buf_append(&o->request, chunk, (size_t)n);
		end = strstr(buf_str(&o->request), "\r\n\r\n");
		cl = strcasestr(buf_str(&o->request), "content-length:");
		if (end && cl &&
		    o->request.len >= (size_t)(end + 4 - o->request.data) +
					      strtoul(cl + 15, NULL, 10))
			break;
	}
	if (write(c, o->response, strlen(o->response)) < 0)
		perror("write");
	close(c);
	return NULL;
}

static void one_shot_start(struct one_shot *o, const char *response)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(a);

	o->response = response;
	buf_init(&o->request, 1u << 20);
	o->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(o->fd, 0);
	ck_assert_int_eq(bind(o->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(o->fd, 1), 0);
	ck_assert_int_eq(getsockname(o->fd, (struct sockaddr *)&a, &len), 0);
	o->port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&o->thread, NULL, serve_once, o), 0);
}

static void one_shot_finish(struct one_shot *o)
{
	pthread_join(o->thread, NULL);
	close(o->fd);
}

static int apply_to(struct one_shot *o, const char *response, json_t **result,
		    struct dp_error *err)
{
	json_t *actions = plan_for(OUTCOME_HUMAN_VIP, false, NULL);
	struct http_client *http = http_client_new();
	int rc;

	one_shot_start(o, response);
	free(oc->url);
	oc->url = xasprintf("http://127.0.0.1:%d/", o->port);
	rc = osticket_connector.apply(oc, http, json_array_get(actions, 0),
				      result, err);
	one_shot_finish(o);
	http_client_free(http);
	json_decref(actions);
	return rc;
}

static char *header_value(const char *req, const char *name)
{
	const char *p = strcasestr(req, name);

	ck_assert_msg(p != NULL, "no %s header", name);
	p += strlen(name);
	while (*p == ' ')
		p++;
	return xstrndup(p, strcspn(p, "\r\n"));
}

START_TEST(test_apply_signed_created)
{
	static const char ok[] =
		"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
		"Content-Length: 73\r\nConnection: close\r\n\r\n"
		"{\"status\":\"applied\",\"decision_id\":77,\"changed\":[\"note\",\"priority\",\"vip\"]}";
	struct one_shot o;
	struct dp_error err = {{0}};
	json_t *result = NULL, *sent;
	const char *req, *body;
	char *sig, *ts, *key;

	ck_assert_int_eq(strlen(ok) - (size_t)(strstr(ok, "\r\n\r\n") + 4 - ok), 73);
	ck_assert_msg(apply_to(&o, ok, &result, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(json_integer_value(json_object_get(result, "decision_id")), 77);
	ck_assert_int_eq(json_array_size(json_object_get(result, "changed")), 3);
	json_decref(result);

	req = buf_str(&o.request);
	ck_assert_ptr_nonnull(strstr(req, "POST /api/deskpilot/decision.json HTTP/1.1\r\n"));
	key = header_value(req, "X-API-Key:");
	ck_assert_str_eq(key, "0123456789ABCDEF0123456789ABCDEF");
	sig = header_value(req, "X-Deskpilot-Signature:");
	ts = header_value(req, "X-Deskpilot-Timestamp:");
	body = strstr(req, "\r\n\r\n") + 4;
	ck_assert_msg(strncmp(sig, "sha256=", 7) == 0 &&
			      hmac_verify_hex(HMAC_SHA256, SECRET, body,
					      strlen(body), sig + 7),
		      "bad signature %s over %s", sig, body);
	sent = json_loads(body, 0, NULL);
	ck_assert_ptr_nonnull(sent);
	ck_assert_int_eq(json_integer_value(json_object_get(sent, "timestamp")),
			 strtoll(ts, NULL, 10));
	ck_assert_int_eq(json_integer_value(json_object_get(sent, "decision_id")), 77);
	ck_assert_str_eq(json_string_value(json_object_get(sent, "team")), "VIP");
	ck_assert_str_eq(json_string_value(json_object_get(sent, "installation")), INSTALLATION);
	json_decref(sent);
	free(sig);
	free(ts);
	free(key);
	buf_release(&o.request);
}
END_TEST

/* The plugin's answers (status line, JSON or other body) and what apply
 * makes of them. The action is decision 77 of INSTALLATION for ticket 343. */
/* clang-format off */
static const struct {
	const char *status, *body;
	int rc;
	const char *msg;
} answers[] = {
	{"401 Unauthorized", "API key not found/active or source IP not authorized",
	 DP_EREMOTE, "osticket answered 401: API key not found/active or source IP not authorized"},
	{"422 Unprocessable Entity", "{\"error\":\"unknown ticket 343\"}",
	 DP_EREMOTE, "osticket answered 422: unknown ticket 343"},
	{"500 Internal Server Error", "oops\n", DP_EBUSY, "osticket answered 500: oops"},
	{"429 Too Many Requests", "", DP_EBUSY, "osticket answered 429"},
	{"201 Created", "{\"status\":\"applied\",\"installation\":\"" INSTALLATION "\","
	 "\"decision_id\":77,\"ticket_id\":343,\"changed\":{\"note\":500}}", 0, ""},
	/* The same decision again: done. */
	{"200 OK", "{\"status\":\"duplicate\",\"installation\":\"" INSTALLATION "\","
	 "\"decision_id\":77,\"ticket_id\":343,\"changed\":{},\"first\":{\"status\":"
	 "\"applied\",\"ticket_id\":343}}", 0, ""},
	/* Decision 77 of this database went to another ticket before: the
	 * database was restored or copied; nothing reached ticket 343. */
	{"422 Unprocessable Entity", "{\"status\":\"conflict\",\"error\":\"decision 77 of deskpilot installation "
	 INSTALLATION " was applied to ticket 4 before, not to ticket 343\"}",
	 DP_ECONFLICT, "osticket answered 422: decision 77 of deskpilot installation"},
	{"200 OK", "{\"status\":\"duplicate\",\"installation\":\"" INSTALLATION "\","
	 "\"decision_id\":77,\"ticket_id\":4,\"changed\":{}}",
	 DP_ECONFLICT, "osticket applied decision 77 to ticket 4 before, not to ticket 343"},
	/* An older plugin keys by decision id alone: its duplicate is for
	 * whichever database sent decision 77 first. */
	{"200 OK", "{\"status\":\"duplicate\",\"decision_id\":77,\"changed\":{},"
	 "\"first\":{\"status\":\"applied\",\"decision_id\":77,\"ticket_id\":4}}",
	 DP_ECONFLICT, "osticket applied decision 77 to ticket 4 before, not to ticket 343"},
	{"200 OK", "{\"status\":\"duplicate\",\"decision_id\":77,\"changed\":{},"
	 "\"first\":{\"status\":\"applied\",\"decision_id\":77,\"ticket_id\":343}}",
	 DP_EREMOTE, "update plugin/osticket"},
	{"200 OK", "{\"status\":\"duplicate\",\"installation\":\"" OTHER_INSTALLATION "\","
	 "\"decision_id\":77,\"ticket_id\":343,\"changed\":{}}",
	 DP_EREMOTE, "without naming this database's installation id"},
	{"200 OK", "{\"status\":\"duplicate\",\"installation\":\"" INSTALLATION "\"}",
	 DP_EREMOTE, "was applied before, but not to which ticket"},
	/* Not the plugin at all: osTicket's front page from a misrouted
	 * /api/, or something else that is not proof of anything. */
	{"200 OK", "<html><head><title>Support Center</title></head></html>",
	 DP_EREMOTE, "osticket answered 200, but not as the deskpilot plugin does"},
	{"200 OK", "not json!", DP_EREMOTE, "but not as the deskpilot plugin does"},
	{"201 Created", "{\"decision_id\":77}", DP_EREMOTE, "but not as the deskpilot plugin does"},
	{"201 Created", "{\"status\":\"duplicate\"}", DP_EREMOTE,
	 "osticket answered 201 with status 'duplicate'"},
};
/* clang-format on */

START_TEST(test_apply_answers)
{
	char *response = xasprintf("HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
				   "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
				   answers[_i].status, strlen(answers[_i].body),
				   answers[_i].body);
	struct one_shot o;
	struct dp_error err = {{0}};
	json_t *result = NULL;

	ck_assert_int_eq(apply_to(&o, response, &result, &err), answers[_i].rc);
	ck_assert_msg(strstr(err.msg, answers[_i].msg) != NULL, "'%s'", err.msg);
	if (answers[_i].rc == 0) {
		ck_assert_int_eq(json_integer_value(json_object_get(result, "ticket_id")), 343);
		json_decref(result);
	} else {
		ck_assert_ptr_null(result);
	}
	buf_release(&o.request);
	free(response);
}
END_TEST

/* An action planned without an installation id is refused before any
 * call: the plugin could not key it. */
START_TEST(test_apply_needs_installation)
{
	json_t *actions = plan_for(OUTCOME_AI_DRAFT, false, "d"), *result = NULL;
	struct http_client *http = http_client_new();
	struct dp_error err = {{0}};
	json_t *a = json_array_get(actions, 0);

	json_object_del(a, "installation");
	free(oc->url);
	oc->url = xstrdup("http://127.0.0.1:9/");
	ck_assert_int_eq(osticket_connector.apply(oc, http, a, &result, &err),
			 DP_EINVAL);
	ck_assert_str_eq(err.msg, "osticket decision 77 has no installation id");
	ck_assert_ptr_null(result);
	json_decref(actions);
	http_client_free(http);
}
END_TEST

START_TEST(test_apply_unreachable)
{
	struct one_shot o;
	struct http_client *http = http_client_new();
	json_t *actions = plan_for(OUTCOME_AI_DRAFT, false, "d"), *result = NULL;
	struct dp_error err = {{0}};
	int port;

	/* A port that was free a moment ago: connection refused. */
	one_shot_start(&o, "");
	port = o.port;
	shutdown(o.fd, SHUT_RDWR);
	close(o.fd);
	pthread_join(o.thread, NULL);
	buf_release(&o.request);
	free(oc->url);
	oc->url = xasprintf("http://127.0.0.1:%d", port);
	ck_assert_int_eq(osticket_connector.apply(oc, http,
						  json_array_get(actions, 0),
						  &result, &err),
			 DP_EBUSY);
	ck_assert_ptr_nonnull(strstr(err.msg, "osticket unreachable"));
	json_decref(actions);
	http_client_free(http);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("osticket");
	TCase *tc = tcase_create("parse");
	TCase *ta = tcase_create("accept");
	TCase *tp = tcase_create("plan_apply");

	tcase_add_loop_test(tc, test_pair_identical, 0, (int)DP_ARRAY_LEN(pairs));
	tcase_add_test(tc, test_html_message_values);
	tcase_add_test(tc, test_vip_and_reply_values);
	tcase_add_test(tc, test_kinds);
	tcase_add_loop_test(tc, test_hostile_refused, 0, (int)DP_ARRAY_LEN(hostile));
	tcase_add_test(tc, test_xml_safe_limits);
	tcase_add_loop_test(tc, test_bad_bodies, 0, (int)DP_ARRAY_LEN(bad));
	tcase_add_test(tc, test_caps);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(ta, cfg_setup, cfg_teardown);
	tcase_add_test(ta, test_accept_signed);
	tcase_add_test(ta, test_accept_refusals);
	suite_add_tcase(s, ta);

	tcase_add_checked_fixture(tp, cfg_setup, cfg_teardown);
	tcase_set_timeout(tp, 20);
	tcase_add_test(tp, test_plan);
	tcase_add_test(tp, test_apply_signed_created);
	tcase_add_loop_test(tp, test_apply_answers, 0, (int)DP_ARRAY_LEN(answers));
	tcase_add_test(tp, test_apply_unreachable);
	tcase_add_test(tp, test_apply_needs_installation);
	suite_add_tcase(s, tp);
	return s;
}

int main(void)
{
	return test_main(suite());
}
