/*
 * zammad.c - the Zammad connector: signed webhooks in, REST API out.
 *
 * accept: the caller's credentials are checked over the exact body bytes
 * first (X-Hub-Signature = "sha1=" + HMAC-SHA1 hex, then the optional
 * Bearer or Basic Authorization), then the content type, and only then is
 * the body parsed (json_doc.h: strict, duplicate keys refused, nesting
 * capped; this parse is most of what a webhook costs, so it is not
 * jansson's). Zammad's default payload {"ticket":{...},"article":{...}} is
 * mapped field by field into struct ticket_event; unknown keys are ignored
 * and every string is capped.
 *
 * plan: pure. Each outcome becomes a list of small JSON actions (tag_add,
 * ticket_update, note, reply) holding everything apply needs, bodies
 * already rendered, so a stored action replays the same way.
 *
 * apply: one action = one or two REST calls with
 * "Authorization: Token token=...". Articles carry a marker token
 * (ZAMMAD_MARKER, the decision id, and "-sla" on the SLA watchdog's second
 * note); before posting one, the ticket's articles are read and the post
 * is skipped when an article of the same visibility already holds the
 * token. Tags and ticket updates are idempotent in Zammad itself.
 *
 * Public AI replies go out only where Zammad delivers them (e-mail and web
 * tickets, to the customer's address). A reply Zammad cannot send (its
 * group has no e-mail address: HTTP 500) is a permanent failure, and the
 * note planned after it then holds the draft for an agent instead, with
 * the needs-human tag, so no ticket is left believing it was answered.
 *
 * Invariants: a VIP customer (customer or organization flag) never receives a
 * planned public article, nor does a message Zammad flagged as an automatic
 * reply; an article written by deskpilot is classified EVENT_OWN so
 * triggers firing on our own notes decide nothing.
 */
#include "connectors/zammad.h"

#include "common/buf.h"
#include "common/hmac.h"
#include "common/html.h"
#include "common/http_client.h"
#include "common/json_doc.h"
#include "common/utf8.h"

#include <openssl/evp.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Key for hashing two secrets before a constant-time compare; any value. */
#define COMPARE_KEY "deskpilot-compare"
/* Cap on a rendered note or reply body. */
#define MAX_ARTICLE_HTML (256u * 1024)
/* Tag of a VIP ticket the SLA watchdog escalated. */
#define TAG_SLA_BREACH "vip-sla-breach"

/* ---- accept ---------------------------------------------------------- */

/* Constant-time string equality, whatever the lengths: both sides are
 * reduced to a fixed-size MAC first. */
static bool same_secret(const char *given, const char *want)
{
	char hex[HMAC_HEX_MAX];

	hmac_hex(HMAC_SHA256, COMPARE_KEY, want, strlen(want), hex);
	return hmac_verify_hex(HMAC_SHA256, COMPARE_KEY, given, strlen(given), hex);
}

static char *basic_credentials(const char *user, const char *password)
{
	char *plain = xasprintf("%s:%s", user, password);
	size_t n = strlen(plain);
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)plain, (int)n);
	free(plain);
	return out;
}

static int check_auth(const struct zammad_settings *z,
		      const struct hook_request *req, struct dp_error *err)
{
	const char *sig = hook_param(req, "HTTP_X_HUB_SIGNATURE");
	const char *auth = hook_param(req, "HTTP_AUTHORIZATION");
	bool want_bearer = *z->auth_bearer, want_basic = *z->auth_basic_user;
	bool ok = false;

	if (*z->webhook_secret) {
		if (!sig || strncmp(sig, "sha1=", 5) != 0)
			return dp_fail(err, DP_EAUTH,
				       "missing or malformed X-Hub-Signature");
		if (!hmac_verify_hex(HMAC_SHA1, z->webhook_secret, req->body,
				     req->body_len, sig + 5))
			return dp_fail(err, DP_EAUTH, "X-Hub-Signature does not match");
	} else if (!z->allow_unsigned) {
		return dp_fail(err, DP_EAUTH, "no webhook secret configured");
	}
	if (!want_bearer && !want_basic)
		return 0;
	if (!auth)
		return dp_fail(err, DP_EAUTH, "missing Authorization header");
	if (want_bearer) {
		char *expect = xasprintf("Bearer %s", z->auth_bearer);

		ok = same_secret(auth, expect);
		free(expect);
	}
	if (!ok && want_basic) {
		char *cred = basic_credentials(z->auth_basic_user,
					       z->auth_basic_password);
		char *expect = xasprintf("Basic %s", cred);

		ok = same_secret(auth, expect);
		free(expect);
		free(cred);
	}
	return ok ? 0 : dp_fail(err, DP_EAUTH, "Authorization does not match");
}

/* "application/json", any case, optionally followed by parameters. */
static bool is_json_type(const char *ct)
{
	size_t n;

	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	n = strcspn(ct, ";");
	while (n && ct[n - 1] == ' ')
		n--;
	return n == 16 && strncasecmp(ct, "application/json", 16) == 0;
}

/* Copy of s cut to at most max bytes on a UTF-8 character boundary. */
static char *dup_capped(const char *s, size_t max)
{
	return xstrndup(s, utf8_cut(s, strlen(s), max));
}

/* Borrowed string value of obj[key], or NULL. (jansson: the actions.) */
static const char *get_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int64_t get_int(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static bool get_bool(const json_t *obj, const char *key)
{
	return json_is_true(json_object_get(obj, key));
}

/* The webhook, parsed once (json_doc.h), and what accept reads from it:
 * a field of another type than expected counts as absent. */
typedef struct json_node node;

static const node *at(const struct json_doc *d, const node *obj, const char *key)
{
	return json_doc_get(d, obj, key);
}

static const char *str_at(const struct json_doc *d, const node *obj,
			  const char *key)
{
	return json_doc_string(at(d, obj, key));
}

static char *take_str(const struct json_doc *d, const node *obj, const char *key)
{
	const char *s = str_at(d, obj, key);

	return s ? dup_capped(s, ZAMMAD_MAX_FIELD) : NULL;
}

/* A name given either as a string ("state":"open") or as an expanded
 * association ("priority":{"name":"2 normal",...}). */
static char *take_name(const struct json_doc *d, const node *obj, const char *key)
{
	const node *v = at(d, obj, key);

	if (json_doc_is(v, JDOC_OBJECT))
		return take_str(d, v, "name");
	return take_str(d, obj, key);
}

static int64_t int_of(const node *v)
{
	return json_doc_is(v, JDOC_INTEGER) ? v->v.i : 0;
}

static int64_t int_at(const struct json_doc *d, const node *obj, const char *key)
{
	return int_of(at(d, obj, key));
}

static bool true_at(const struct json_doc *d, const node *obj, const char *key)
{
	return json_doc_is(at(d, obj, key), JDOC_TRUE);
}

/* The customer's organizations whose VIP flag the payload lacks: the
 * primary one (customer.organization_id) and the secondary ones
 * (customer.organization_ids), less the ticket's own organization, whose
 * hash carries "vip". At most ZAMMAD_MAX_ORGS, then "+". */
static void parse_other_organizations(const struct json_doc *d,
				      const node *ticket, const node *c,
				      struct ticket_event *ev)
{
	const node *ids = at(d, c, "organization_ids");
	const node *next = json_doc_is(ids, JDOC_ARRAY) ? json_doc_first(d, ids) : NULL;
	int64_t known = int_at(d, at(d, ticket, "organization"), "id");
	int64_t seen[ZAMMAD_MAX_ORGS];
	size_t n = 0;
	bool more = false, first = true;
	struct buf b;

	buf_init(&b, ZAMMAD_MAX_FIELD);
	while (first || next) {
		/* The primary organization first, then the secondary ones. */
		int64_t id;
		bool dup;

		if (first) {
			id = int_at(d, c, "organization_id");
			first = false;
		} else {
			id = int_of(next);
			next = json_doc_next(d, next);
		}
		dup = id <= 0 || id == known;
		for (size_t k = 0; k < n && !dup; k++)
			dup = seen[k] == id;
		if (dup)
			continue;
		if (n == ZAMMAD_MAX_ORGS) {
			more = true;
			break;
		}
		seen[n++] = id;
		buf_printf(&b, "%s%" PRId64, n > 1 ? "," : "", id);
	}
	if (more)
		buf_puts(&b, ",+");
	if (n)
		ev->other_organization_ids = xstrdup(buf_str(&b));
	buf_release(&b);
}

static void parse_customer(const struct json_doc *d, const node *ticket,
			   struct ticket_event *ev)
{
	const node *c = at(d, ticket, "customer");
	const node *org = at(d, ticket, "organization");
	const char *first = str_at(d, c, "firstname");
	const char *last = str_at(d, c, "lastname");

	ev->customer_id = int_at(d, c, "id");
	if (!ev->customer_id)
		ev->customer_id = int_at(d, ticket, "customer_id");
	ev->customer_email = take_str(d, c, "email");
	if ((first && *first) || (last && *last)) {
		char *name = xasprintf("%s%s%s", first ? first : "",
				       first && *first && last && *last ? " " : "",
				       last ? last : "");

		ev->customer_name = dup_capped(name, ZAMMAD_MAX_FIELD);
		free(name);
	}
	ev->customer_vip = true_at(d, c, "vip");
	if (json_doc_is(org, JDOC_OBJECT) && org->len > 0) {
		ev->organization = take_str(d, org, "name");
		ev->organization_vip = true_at(d, org, "vip");
	} else {
		ev->organization = take_str(d, c, "organization");
	}
	if (json_doc_is(c, JDOC_OBJECT))
		parse_other_organizations(d, ticket, c, ev);
}

static enum event_kind classify(const struct zammad_settings *z,
				const struct json_doc *d, const node *article,
				const char *raw_body)
{
	const char *sender = str_at(d, article, "sender");
	const char *login = str_at(d, at(d, article, "created_by"), "login");
	bool customer = sender && strcmp(sender, "Customer") == 0;

	/* A customer quoting our public reply carries the marker too: only
	 * non-customer articles are taken for our own. */
	if (!customer && raw_body && strstr(raw_body, ZAMMAD_MARKER))
		return EVENT_OWN;
	if (*z->api_user && login && strcmp(login, z->api_user) == 0)
		return EVENT_OWN;
	if (true_at(d, article, "internal"))
		return EVENT_NOTE;
	if (customer)
		return EVENT_CUSTOMER_MESSAGE;
	if (sender && strcmp(sender, "Agent") == 0)
		return EVENT_AGENT_REPLY;
	return EVENT_SYSTEM;
}

static void parse_article(const struct zammad_settings *z,
			  const struct json_doc *d, const node *a,
			  struct ticket_event *ev)
{
	const node *body = at(d, a, "body");
	const char *raw = json_doc_string(body);

	ev->article_id = int_at(d, a, "id");
	ev->sender = take_str(d, a, "sender");
	ev->article_type = take_str(d, a, "type");
	ev->internal = true_at(d, a, "internal");
	/* Zammad's postmaster filter (channel/filter/auto_response_check.rb)
	 * flags out-of-office replies, bounces and other machine mail here;
	 * its triggers still fire for them. */
	ev->auto_response = true_at(d, at(d, a, "preferences"), "is-auto-response");
	ev->from = take_str(d, a, "from");
	ev->to = take_str(d, a, "to");
	ev->subject = take_str(d, a, "subject");
	ev->content_type = take_str(d, a, "content_type");
	ev->created_at = take_str(d, a, "created_at");
	if (raw) {
		bool html = ev->content_type &&
			    strncasecmp(ev->content_type, "text/html", 9) == 0;
		char *text = html ? html_to_text(raw, body->len) : NULL;

		ev->body = dup_capped(text ? text : raw, ZAMMAD_MAX_TEXT);
		free(text);
	}
	ev->kind = classify(z, d, a, raw);
}

static int parse_payload(const struct zammad_settings *z,
			 const struct json_doc *d, struct ticket_event *ev,
			 struct dp_error *err)
{
	const node *root = json_doc_root(d);
	const node *ticket = at(d, root, "ticket");
	const node *article = at(d, root, "article");
	const node *id = at(d, ticket, "id");

	if (!json_doc_is(ticket, JDOC_OBJECT)) {
		const char *zerr = str_at(d, root, "error");

		/* A broken custom payload arrives as {"error": "..."}. */
		if (zerr)
			return dp_fail(err, DP_EINVAL,
				       "payload has no 'ticket' object; Zammad reported: %.200s",
				       zerr);
		return dp_fail(err, DP_EINVAL, "payload has no 'ticket' object");
	}
	if (int_of(id) <= 0)
		return dp_fail(err, DP_EINVAL,
			       "'ticket.id' is missing or not a positive integer");
	ev->ticket_id = id->v.i;
	ev->ticket_number = take_str(d, ticket, "number");
	ev->title = take_str(d, ticket, "title");
	ev->state = take_name(d, ticket, "state");
	ev->priority = take_name(d, ticket, "priority");
	ev->group = take_name(d, ticket, "group");
	parse_customer(d, ticket, ev);
	if (json_doc_is(article, JDOC_OBJECT) && article->len > 0) {
		parse_article(z, d, article, ev);
		ev->channel = ev->article_type ? xstrdup(ev->article_type) : NULL;
	} else {
		ev->kind = EVENT_SYSTEM;
		ev->channel = take_str(d, ticket, "create_article_type");
		ev->created_at = take_str(d, ticket, "updated_at");
	}
	return 0;
}

static int zammad_accept(const void *settings, const struct hook_request *req,
			 struct ticket_event *ev, struct dp_error *err)
{
	const struct zammad_settings *z = settings;
	const char *delivery = hook_param(req, "HTTP_X_ZAMMAD_DELIVERY");
	struct dp_error perr = {{0}};
	struct json_doc doc;
	int rc;

	rc = check_auth(z, req, err);
	if (rc < 0)
		return rc;
	if (!is_json_type(hook_param(req, "CONTENT_TYPE")))
		return dp_fail(err, DP_EMEDIA, "Content-Type must be application/json");
	if (delivery && strlen(delivery) > ZAMMAD_MAX_DELIVERY)
		return dp_fail(err, DP_EINVAL, "X-Zammad-Delivery is longer than %u bytes",
			       ZAMMAD_MAX_DELIVERY);
	/* The signature does not cover headers. */
	if (delivery && !utf8_valid(delivery, strlen(delivery)))
		return dp_fail(err, DP_EINVAL, "X-Zammad-Delivery is not valid UTF-8");
	/* Strict (duplicate keys, UTF-8, escapes), nesting capped. */
	if (json_doc_parse(&doc, req->body, req->body_len, ZAMMAD_MAX_DEPTH, &perr) < 0)
		return dp_fail(err, DP_EPARSE, "body %s", perr.msg);
	rc = parse_payload(z, &doc, ev, err);
	json_doc_release(&doc);
	if (rc < 0)
		return rc;
	ev->source = xstrdup("zammad");
	ev->delivery_id = delivery && *delivery ? xstrdup(delivery) : NULL;
	return 0;
}

/* ---- enrich ---------------------------------------------------------- */

static int request_status(const struct zammad_settings *z, struct http_client *http,
			  const char *method, const char *path, const json_t *body,
			  json_t **out, long *status, struct dp_error *err);

/* Room for the names of a customer's other organizations: a name cut
 * short could match a shorter rule, so more is an error, not a cut. */
#define ORG_NAMES_MAX (ZAMMAD_MAX_ORGS * 256)

/* Append name to names as a line of its own; 0, or -1 when it does not
 * fit whole. */
static int add_name(struct buf *names, const char *name)
{
	if (names->len && buf_putc(names, '\n') < 0)
		return -1;
	for (; *name; name++)
		if (buf_putc(names, *name == '\n' || *name == '\r' ? ' ' : *name) < 0)
			return -1;
	return 0;
}

/* A customer is premium through any of their organizations. The webhook
 * carries the VIP flag of the ticket's organization only; the others
 * (ev->other_organization_ids) are read with
 * GET /api/v1/organizations/ID, which agents may call, and their names are
 * kept in ev->other_organizations for deskpilot's organization rules.
 * Organizations have a "vip" attribute since Zammad 6.1
 * (BREAKING_CHANGES.md, issue #4543); before, the key is absent and only
 * deskpilot's own rules make them premium. An organization deleted since
 * (404) is no longer the customer's. */
static int zammad_enrich(const void *settings, struct http_client *http,
			 struct ticket_event *ev, struct dp_error *err)
{
	const struct zammad_settings *z = settings;
	const char *p = ev->other_organization_ids;
	struct buf names;
	int rc = 0;

	if (!p || ev->customer_vip || ev->organization_vip)
		return 0;
	buf_init(&names, ORG_NAMES_MAX);
	while (*p && !ev->organization_vip) {
		size_t n = strcspn(p, ",");
		char path[64], *end;
		long long id = strtoll(p, &end, 10);
		json_t *org = NULL;
		const char *name;
		long status;

		if (*p == '+') {
			rc = dp_fail(err, DP_EINVAL,
				     "customer %" PRId64 " has more than %d organizations",
				     ev->customer_id, ZAMMAD_MAX_ORGS);
			break;
		}
		if (end != p + n || id <= 0) {
			rc = dp_fail(err, DP_EINVAL, "bad organization id '%.*s'",
				     (int)(n > 32 ? 32 : n), p);
			break;
		}
		snprintf(path, sizeof(path), "/api/v1/organizations/%lld", id);
		rc = request_status(z, http, "GET", path, NULL, &org, &status, err);
		if (rc < 0 && status != 404)
			break;
		if (rc == 0 && json_is_true(json_object_get(org, "vip")))
			ev->organization_vip = true;
		name = rc == 0 ? json_string_value(json_object_get(org, "name")) : NULL;
		rc = name && *name ? add_name(&names, name) : 0;
		json_decref(org);
		if (rc < 0) {
			rc = dp_fail(err, DP_ETOOBIG,
				     "the names of customer %" PRId64 "'s organizations are longer than %d bytes",
				     ev->customer_id, ORG_NAMES_MAX);
			break;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (rc == 0 && names.len) {
		free(ev->other_organizations);
		ev->other_organizations = buf_detach(&names);
	}
	buf_release(&names);
	return rc;
}

/* ---- plan ------------------------------------------------------------ */

/* Append s to b as HTML text, newlines as <br>. Stops at the cap; an
 * append is all or nothing, so no character is split. */
static void put_escaped(struct buf *b, const char *s)
{
	while (*s) {
		size_t run = strcspn(s, "&<>\"\n");
		const char *rep = NULL;

		if (run && buf_append(b, s, run) < 0)
			return;
		s += run;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\n': rep = "<br>"; break;
		default: return; /* end of string */
		}
		if (buf_puts(b, rep) < 0)
			return;
		s++;
	}
}

static json_t *action_new(const char *name, const struct plan_input *in)
{
	return json_pack("{s:s, s:I}", "action", name, "ticket_id",
			 (json_int_t)in->ev->ticket_id);
}

/* Zammad tags are free text; ours are lowercase with no spaces. */
static void plan_tag(json_t *actions, const struct plan_input *in,
		     const char *prefix, const char *name)
{
	char *tag;
	json_t *a;

	if (!name || !*name)
		return;
	tag = xasprintf("%s%s", prefix, name);
	for (char *p = tag; *p; p++)
		*p = *p == ' ' ? '-' : (char)tolower((unsigned char)*p);
	/* The same tag twice in one plan is one call. */
	for (size_t i = 0; i < json_array_size(actions); i++) {
		const char *t = get_str(json_array_get(actions, i), "tag");

		if (t && strcmp(t, tag) == 0) {
			free(tag);
			return;
		}
	}
	a = action_new("tag_add", in);
	json_object_set_new(a, "tag", json_string(tag));
	json_array_append_new(actions, a);
	free(tag);
}

static void put_reasons(struct buf *b, const struct plan_input *in)
{
	const struct decision *d = in->d;

	if (in->note_text && *in->note_text) {
		buf_puts(b, "<p>");
		put_escaped(b, in->note_text);
		buf_puts(b, "</p>");
		return;
	}
	if (!d->n_reasons)
		return;
	buf_puts(b, "<p>Reasons:</p><ul>");
	for (size_t i = 0; i < d->n_reasons; i++) {
		buf_puts(b, "<li>");
		put_escaped(b, d->reasons[i].code);
		if (d->reasons[i].evidence[0]) {
			buf_puts(b, ": ");
			put_escaped(b, d->reasons[i].evidence);
		}
		buf_puts(b, "</li>");
	}
	buf_puts(b, "</ul>");
}

/* The marker token of an article: ZAMMAD_MARKER, the decision id, and a
 * suffix telling apart articles of one decision ("" or "-sla"). New
 * string. */
static char *marker_of(int64_t decision_id, const char *suffix)
{
	return xasprintf("%s%" PRId64 "%s", ZAMMAD_MARKER, decision_id, suffix);
}

/* The HTML of an internal note: headline, reasons, intent, optional
 * draft, marker. The marker goes on last and outside the capped part, so
 * it is always there. New string. */
static char *note_html(const struct plan_input *in, const char *headline,
		       const char *draft_label, const char *marker)
{
	struct buf b;
	char *html;

	buf_init(&b, MAX_ARTICLE_HTML);
	buf_puts(&b, "<p><b>");
	put_escaped(&b, headline);
	buf_puts(&b, "</b></p>");
	put_reasons(&b, in);
	if (in->d->intent[0])
		buf_printf(&b, "<p>Intent: %s (confidence %.2f)</p>", in->d->intent,
			   in->d->confidence);
	if (draft_label && in->draft && *in->draft) {
		buf_puts(&b, "<p><b>");
		put_escaped(&b, draft_label);
		buf_puts(&b, "</b></p><blockquote>");
		put_escaped(&b, in->draft);
		buf_puts(&b, "</blockquote>");
	}
	html = xasprintf("%s<p>%s</p>", buf_str(&b), marker);
	buf_release(&b);
	return html;
}

/* Append the internal note action; returns it (borrowed from actions). */
static json_t *plan_note(json_t *actions, const struct plan_input *in,
			 const char *headline, const char *draft_label,
			 const char *suffix)
{
	char *marker = marker_of(in->decision_id, suffix);
	char *html = note_html(in, headline, draft_label, marker);
	json_t *a = action_new("note", in);

	json_object_set_new(a, "decision_id", json_integer(in->decision_id));
	json_object_set_new(a, "marker", json_string(marker));
	json_object_set_new(a, "subject", json_string(headline));
	json_object_set_new(a, "body", json_string(html));
	json_object_set_new(a, "internal", json_true());
	json_array_append_new(actions, a);
	free(html);
	free(marker);
	return a;
}

/* Whether Zammad delivers an agent's answer to this customer: it sends
 * one as e-mail on e-mail and web tickets (the agent UI offers "reply"
 * only there, app/assets/.../ticket_article_action/email_reply.coffee),
 * and only to an address. Messenger, SMS and phone channels get no AI
 * reply from deskpilot. */
static bool reply_deliverable(const struct ticket_event *ev)
{
	return ev->channel && ev->customer_email && *ev->customer_email &&
	       (strcmp(ev->channel, "email") == 0 || strcmp(ev->channel, "web") == 0);
}

static void plan_reply(json_t *actions, const struct plan_input *in)
{
	const struct ticket_event *ev = in->ev;
	const char *footer = in->footer;
	char *marker = marker_of(in->decision_id, "");
	struct buf b;
	json_t *a;
	char *html;

	buf_init(&b, MAX_ARTICLE_HTML);
	buf_puts(&b, "<p>");
	put_escaped(&b, in->draft);
	buf_puts(&b, "</p>");
	/* The way to a person is part of every AI answer. */
	if (footer && *footer && !strstr(in->draft, footer)) {
		buf_puts(&b, "<p>");
		put_escaped(&b, footer);
		buf_puts(&b, "</p>");
	}
	html = xasprintf("%s<p><small>ref %s</small></p>", buf_str(&b), marker);
	a = action_new("reply", in);
	json_object_set_new(a, "decision_id", json_integer(in->decision_id));
	json_object_set_new(a, "marker", json_string(marker));
	if (ev->subject || ev->title)
		json_object_set_new(a, "subject",
				    json_string(ev->subject ? ev->subject : ev->title));
	json_object_set_new(a, "body", json_string(html));
	json_object_set_new(a, "type", json_string("email"));
	json_object_set_new(a, "internal", json_false());
	json_object_set_new(a, "to", json_string(ev->customer_email));
	json_array_append_new(actions, a);
	free(html);
	free(marker);
	buf_release(&b);
}

/* The public AI answer, then its note. The note goes last and checks that
 * the answer reached the ticket: when Zammad refused it for good (a group
 * without an e-mail address answers 500, see apply_article) or it was
 * dead-lettered, the note's "fallback" is written instead - the draft for
 * an agent, the needs-human tag, and the ai-replied tag taken back. */
static void plan_ai_reply(json_t *actions, const struct zammad_settings *z,
			  const struct plan_input *in)
{
	const char *headline = "deskpilot: the AI reply could not be delivered; "
			       "a human should answer";
	char *marker = marker_of(in->decision_id, "");
	char *html = note_html(in, headline,
			       "Draft reply (not sent to the customer):", marker);
	json_t *note, *fallback;

	plan_tag(actions, in, "", z->tag_ai_replied);
	plan_tag(actions, in, "intent-", in->d->intent);
	plan_reply(actions, in);
	note = plan_note(actions, in, "deskpilot: answered automatically by AI", NULL, "");
	fallback = json_pack("{s:s, s:s}", "subject", headline, "body", html);
	if (*z->tag_needs_human)
		json_object_set_new(fallback, "tag", json_string(z->tag_needs_human));
	if (*z->tag_ai_replied)
		json_object_set_new(fallback, "untag", json_string(z->tag_ai_replied));
	json_object_set_new(note, "after_reply", json_true());
	json_object_set_new(note, "fallback", fallback);
	free(html);
	free(marker);
}

/* An AI reply on a channel Zammad does not deliver it on: the draft as an
 * internal note for an agent to send, tagged like any AI draft. */
static void plan_reply_as_draft(json_t *actions, const struct zammad_settings *z,
				const struct plan_input *in)
{
	const struct ticket_event *ev = in->ev;
	char *headline = ev->channel && *ev->channel
				 ? xasprintf("deskpilot: AI reply not sent (Zammad does not deliver "
					     "it on the '%s' channel); draft for an agent",
					     ev->channel)
				 : xstrdup("deskpilot: AI reply not sent (no channel or address to "
					   "answer on); draft for an agent");

	plan_tag(actions, in, "", z->tag_ai_draft);
	plan_tag(actions, in, "intent-", in->d->intent);
	plan_note(actions, in, headline, "Draft reply (not sent to the customer):", "");
	free(headline);
}

static void plan_priority(json_t *actions, const struct plan_input *in,
			  const char *priority, const char *group)
{
	json_t *a;

	if (!*priority && !*group)
		return;
	a = action_new("ticket_update", in);
	if (*priority)
		json_object_set_new(a, "priority", json_string(priority));
	if (*group)
		json_object_set_new(a, "group", json_string(group));
	json_array_append_new(actions, a);
}

static void plan_vip(json_t *actions, const struct zammad_settings *z,
		     const struct plan_input *in)
{
	plan_tag(actions, in, "", z->tag_vip);
	plan_tag(actions, in, "", z->tag_human_only);
	plan_priority(actions, in, z->vip_priority, z->vip_group);
	plan_note(actions, in, "deskpilot: premium customer, a human answers (no AI text)",
		  NULL, "");
}

/* The VIP SLA watchdog's escalation: a second, separately marked note. */
static void plan_sla_breach(json_t *actions, const struct zammad_settings *z,
			    const struct plan_input *in)
{
	plan_tag(actions, in, "", TAG_SLA_BREACH);
	plan_priority(actions, in, z->urgent_priority, "");
	plan_note(actions, in, "deskpilot: premium customer still waiting past the SLA",
		  NULL, "-sla");
}

static void plan_human(json_t *actions, const struct zammad_settings *z,
		       const struct plan_input *in)
{
	plan_tag(actions, in, "", z->tag_needs_human);
	for (size_t i = 0; i < in->d->n_reasons; i++)
		plan_tag(actions, in, "reason-", in->d->reasons[i].code);
	plan_note(actions, in, "deskpilot: a human should answer this ticket",
		  "Draft to help the agent (internal only, not sent):", "");
}

static void zammad_plan(const void *settings, const struct plan_input *in,
			json_t *actions)
{
	const struct zammad_settings *z = settings;
	const struct ticket_event *ev = in->ev;
	enum outcome o = in->d->outcome;
	bool has_draft = in->draft && *in->draft;

	if (in->sla_breach) {
		plan_sla_breach(actions, z, in);
		return;
	}

	/* Defence in depth: whatever triage said, a premium customer receives no
	 * public AI text, and AI outcomes without a draft go to a human. */
	if (o == OUTCOME_AI_REPLY && (ev->customer_vip || ev->organization_vip))
		o = OUTCOME_HUMAN_VIP;
	/* Nor does an automatic reply: two auto-responders answering each
	 * other never stop. */
	if (o == OUTCOME_AI_REPLY && ev->auto_response)
		o = OUTCOME_NONE;
	if ((o == OUTCOME_AI_REPLY || o == OUTCOME_AI_DRAFT) && !has_draft)
		o = OUTCOME_HUMAN;
	switch (o) {
	case OUTCOME_NONE:
		break;
	case OUTCOME_HUMAN_VIP:
		plan_vip(actions, z, in);
		break;
	case OUTCOME_HUMAN:
		plan_human(actions, z, in);
		break;
	case OUTCOME_AI_DRAFT:
		plan_tag(actions, in, "", z->tag_ai_draft);
		plan_tag(actions, in, "intent-", in->d->intent);
		plan_note(actions, in, "deskpilot: AI draft for an agent to review and send",
			  "Draft reply (not sent to the customer):", "");
		break;
	case OUTCOME_AI_REPLY:
		if (reply_deliverable(ev))
			plan_ai_reply(actions, z, in);
		else
			plan_reply_as_draft(actions, z, in);
		break;
	}
}

/* ---- apply ----------------------------------------------------------- */

/* Zammad's {"error","error_human"} text of a refusal, or a short excerpt
 * of whatever it sent. Returns a new string. */
static char *error_text(const struct http_response *r)
{
	json_t *j = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
	const char *human = get_str(j, "error_human");
	const char *plain = get_str(j, "error");
	char *out;

	if (human && plain && strcmp(human, plain) != 0)
		out = xasprintf("%.300s (%.300s)", human, plain);
	else if (human || plain)
		out = xasprintf("%.300s", human ? human : plain);
	else
		out = xasprintf("%.120s", r->body.len ? buf_str(&r->body) : "no error text");
	json_decref(j);
	return out;
}

/* zammad_request, also telling the HTTP status (0 when none arrived). */
static int request_status(const struct zammad_settings *z, struct http_client *http,
			  const char *method, const char *path, const json_t *body,
			  json_t **out, long *status, struct dp_error *err)
{
	size_t base_len = strlen(z->url);
	char *url, *auth, *payload = NULL;
	struct http_response resp;
	struct dp_error cerr = {{0}};
	int rc;

	while (base_len && z->url[base_len - 1] == '/')
		base_len--;
	url = xasprintf("%.*s%s", (int)base_len, z->url, path);
	auth = xasprintf("Authorization: Token token=%s", z->token);
	{
		/* "Expect:" stops curl from waiting for a 100 Continue. */
		const char *headers[] = {auth, "Content-Type: application/json",
					 "Accept: application/json", "Expect:", NULL};
		struct http_call call = {
			.method = method,
			.url = url,
			.headers = headers,
			.connect_timeout_ms = z->connect_timeout_ms,
			.timeout_ms = z->timeout_ms,
			.verify_tls = z->verify_tls,
		};

		if (body) {
			payload = json_dumps(body, JSON_COMPACT);
			call.body = payload;
			call.body_len = strlen(payload);
		}
		http_response_init(&resp);
		rc = http_client_do(http, &call, &resp, &cerr);
	}
	*status = rc == 0 ? resp.status : 0;
	if (rc == DP_ETIMEOUT || rc == DP_EIO) {
		rc = dp_fail(err, DP_EBUSY, "zammad unreachable: %s", cerr.msg);
	} else if (rc < 0) {
		rc = dp_fail(err, DP_EREMOTE, "%s %s: %s", method, path, cerr.msg);
	} else if (resp.status >= 200 && resp.status < 300) {
		if (out) {
			*out = json_loadb(resp.body.data ? resp.body.data : "",
					  resp.body.len, 0, NULL);
			if (!*out)
				rc = dp_fail(err, DP_EREMOTE,
					     "%s %s: zammad answered %ld without JSON",
					     method, path, resp.status);
		}
	} else {
		char *text = error_text(&resp);
		bool again = resp.status == 408 || resp.status == 429 ||
			     resp.status >= 500;

		rc = dp_fail(err, again ? DP_EBUSY : DP_EREMOTE,
			     "zammad answered %ld to %s %s: %s%s%s", resp.status,
			     method, path, text,
			     resp.retry_after[0] ? "; retry after " : "",
			     resp.retry_after);
		free(text);
	}
	http_response_release(&resp);
	free(payload);
	free(auth);
	free(url);
	return rc;
}

int zammad_request(const struct zammad_settings *z, struct http_client *http,
		   const char *method, const char *path, const json_t *body,
		   json_t **out, struct dp_error *err)
{
	long status;

	return request_status(z, http, method, path, body, out, &status, err);
}

/* Whether text holds the marker token as a whole word: "...:42" is not
 * found in "...:420" nor in "...:42-sla". */
static bool has_marker(const char *text, const char *marker)
{
	size_t n = strlen(marker);

	for (const char *p = text; (p = strstr(p, marker)); p += n)
		if (!isalnum((unsigned char)p[n]) && p[n] != '-' && p[n] != ':' &&
		    p[n] != '_')
			return true;
	return false;
}

/* POST /api/v1/tags/add, or DELETE /api/v1/tags/remove: both leave the
 * ticket the same when repeated. */
static int tag_call(const struct zammad_settings *z, struct http_client *http,
		    bool add, const char *tag, int64_t ticket_id,
		    struct dp_error *err)
{
	json_t *body = json_pack("{s:s, s:s, s:I}", "item", tag, "object", "Ticket",
				 "o_id", (json_int_t)ticket_id);
	int rc = zammad_request(z, http, add ? "POST" : "DELETE",
				add ? "/api/v1/tags/add" : "/api/v1/tags/remove",
				body, NULL, err);

	json_decref(body);
	return rc;
}

static int apply_tag(const struct zammad_settings *z, struct http_client *http,
		     const json_t *action, int64_t ticket_id, json_t **result,
		     struct dp_error *err)
{
	const char *tag = get_str(action, "tag");
	int rc;

	if (!tag || !*tag)
		return dp_fail(err, DP_EINVAL, "tag_add action without a tag");
	rc = tag_call(z, http, true, tag, ticket_id, err);
	if (rc == 0 && result)
		*result = json_pack("{s:s}", "tag", tag);
	return rc;
}

static int apply_update(const struct zammad_settings *z, struct http_client *http,
			const json_t *action, int64_t ticket_id, json_t **result,
			struct dp_error *err)
{
	static const char *const fields[] = {"priority", "group", "state", NULL};
	json_t *body = json_object();
	char path[64];
	int rc;

	for (size_t i = 0; fields[i]; i++) {
		const char *v = get_str(action, fields[i]);

		if (v)
			json_object_set_new(body, fields[i], json_string(v));
	}
	if (json_object_size(body) == 0) {
		json_decref(body);
		return dp_fail(err, DP_EINVAL, "ticket_update action changes nothing");
	}
	snprintf(path, sizeof(path), "/api/v1/tickets/%" PRId64, ticket_id);
	rc = zammad_request(z, http, "PUT", path, body, NULL, err);
	if (rc == 0 && result)
		*result = json_incref(body);
	json_decref(body);
	return rc;
}

/* The ids of this ticket's articles that carry the marker, one internal
 * and one public (a decision writes at most one of each): 0 when there is
 * none. 0 or <0 on error. */
static int find_marked(const struct zammad_settings *z, struct http_client *http,
		       int64_t ticket_id, const char *marker, int64_t *internal_id,
		       int64_t *public_id, struct dp_error *err)
{
	char path[80];
	json_t *list = NULL;
	int rc;

	*internal_id = *public_id = 0;
	snprintf(path, sizeof(path), "/api/v1/ticket_articles/by_ticket/%" PRId64,
		 ticket_id);
	rc = zammad_request(z, http, "GET", path, NULL, &list, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *art = json_array_get(list, i);
		const char *body = get_str(art, "body");
		int64_t *slot = get_bool(art, "internal") ? internal_id : public_id;
		int64_t id = get_int(art, "id");

		if (!*slot && body && has_marker(body, marker))
			*slot = id > 0 ? id : 1;
	}
	json_decref(list);
	return 0;
}

/* Whether the ticket's group has an e-mail address Zammad can send from:
 * 1 yes, 0 no (its name into group, cap bytes), <0 could not tell. Read
 * from the ticket with its assets (GET /api/v1/tickets/ID?all=true), where
 * an agent sees the group's email_address_id. */
static int group_has_address(const struct zammad_settings *z, struct http_client *http,
			     int64_t ticket_id, char *group, size_t cap,
			     struct dp_error *err)
{
	const json_t *assets, *ticket, *g;
	char path[80], key[24];
	json_t *all = NULL;
	int rc;

	snprintf(path, sizeof(path), "/api/v1/tickets/%" PRId64 "?all=true", ticket_id);
	rc = zammad_request(z, http, "GET", path, NULL, &all, err);
	if (rc < 0)
		return rc;
	assets = json_object_get(all, "assets");
	snprintf(key, sizeof(key), "%" PRId64, ticket_id);
	ticket = json_object_get(json_object_get(assets, "Ticket"), key);
	snprintf(key, sizeof(key), "%" PRId64, get_int(ticket, "group_id"));
	g = json_object_get(json_object_get(assets, "Group"), key);
	if (!json_is_object(g)) {
		rc = dp_fail(err, DP_EREMOTE, "ticket %" PRId64 ": no group in its assets",
			     ticket_id);
	} else {
		snprintf(group, cap, "%s", get_str(g, "name") ? get_str(g, "name") : key);
		rc = get_int(g, "email_address_id") > 0;
	}
	json_decref(all);
	return rc;
}

/* Zammad answered 500 to an e-mail reply. It raises "No email address
 * found for group ..." when the ticket's group has no sender address
 * (app/models/ticket/article/adds_metadata_email.rb); an admin's token
 * sees that text, any other token only "Error ID ...: Please contact your
 * administrator." (application_controller/handles_errors.rb). Either way
 * no retry helps: make err permanent (DP_EREMOTE). Any other 500 stays
 * worth retrying. */
static int classify_reply_500(const struct zammad_settings *z, struct http_client *http,
			      int64_t ticket_id, struct dp_error *err)
{
	struct dp_error gerr = {{0}}, why;
	char group[128] = "";
	int has;

	/* dp_fail must not read the message it writes: copy it first. */
	if (strstr(err->msg, "No email address found for group")) {
		why = *err;
		return dp_fail(err, DP_EREMOTE,
			       "zammad cannot send this reply: %s; the draft goes into an "
			       "internal note and the ticket is tagged for a human",
			       why.msg);
	}
	has = group_has_address(z, http, ticket_id, group, sizeof(group), &gerr);
	if (has != 0)
		return DP_EBUSY;
	why = *err;
	return dp_fail(err, DP_EREMOTE,
		       "zammad cannot send this reply: the ticket's group '%s' has no "
		       "e-mail address (%s); the draft goes into an internal note and "
		       "the ticket is tagged for a human",
		       group, why.msg);
}

/* The reply did not reach the ticket: take back the ai-replied tag, tag
 * the ticket for a human, and leave the draft in an internal note. Tags
 * first: the note, once there, is what says all of it is done. */
static int apply_fallback(const struct zammad_settings *z, struct http_client *http,
			  const json_t *fallback, int64_t ticket_id,
			  json_t *note, struct dp_error *err)
{
	const char *untag = get_str(fallback, "untag");
	const char *tag = get_str(fallback, "tag");
	const char *html = get_str(fallback, "body");
	int rc = 0;

	if (!html)
		return dp_fail(err, DP_EINVAL, "note fallback without a body");
	if (untag && *untag)
		rc = tag_call(z, http, false, untag, ticket_id, err);
	if (rc == 0 && tag && *tag)
		rc = tag_call(z, http, true, tag, ticket_id, err);
	if (rc < 0)
		return rc;
	json_object_set_new(note, "body", json_string(html));
	if (get_str(fallback, "subject"))
		json_object_set(note, "subject", json_object_get(fallback, "subject"));
	return 0;
}

static int apply_article(const struct zammad_settings *z, struct http_client *http,
			 const json_t *action, int64_t ticket_id, json_t **result,
			 struct dp_error *err)
{
	const char *name = get_str(action, "action");
	const char *html = get_str(action, "body");
	const char *type = get_str(action, "type");
	const char *marker = get_str(action, "marker");
	const json_t *fallback = json_object_get(action, "fallback");
	bool internal = strcmp(name, "note") == 0;
	bool fell_back = false;
	json_t *body, *created = NULL;
	int64_t note_id, reply_id;
	long status = 0;
	int rc;

	if (!html || !marker || strncmp(marker, ZAMMAD_MARKER, strlen(ZAMMAD_MARKER)) != 0 ||
	    !has_marker(html, marker))
		return dp_fail(err, DP_EINVAL,
			       "%s action needs a body carrying its marker", name);
	if (fallback && (!json_is_object(fallback) || !get_str(fallback, "body") ||
			 !has_marker(get_str(fallback, "body"), marker)))
		return dp_fail(err, DP_EINVAL,
			       "%s action's fallback needs a body carrying its marker", name);
	rc = find_marked(z, http, ticket_id, marker, &note_id, &reply_id, err);
	if (rc < 0)
		return rc;
	if (internal ? note_id : reply_id) {
		if (result)
			*result = json_pack("{s:I, s:b}", "article_id",
					    (json_int_t)(internal ? note_id : reply_id),
					    "existing", 1);
		return 0;
	}
	body = json_pack("{s:I, s:s, s:s, s:s, s:b, s:s}", "ticket_id",
			 (json_int_t)ticket_id, "body", html, "content_type",
			 "text/html", "type", internal ? "note" : (type ? type : "email"),
			 "internal", internal, "sender", "Agent");
	if (get_str(action, "subject"))
		json_object_set(body, "subject", json_object_get(action, "subject"));
	if (!internal && get_str(action, "to"))
		json_object_set(body, "to", json_object_get(action, "to"));
	/* The note of an AI reply whose reply never arrived. */
	if (internal && fallback && json_is_true(json_object_get(action, "after_reply")) &&
	    !reply_id) {
		rc = apply_fallback(z, http, fallback, ticket_id, body, err);
		fell_back = true;
	}
	if (rc == 0)
		rc = request_status(z, http, "POST", "/api/v1/ticket_articles", body,
				    &created, &status, err);
	if (rc == DP_EBUSY && status == 500 && !internal &&
	    strcmp(get_str(body, "type"), "email") == 0)
		rc = classify_reply_500(z, http, ticket_id, err);
	if (rc == 0 && result) {
		*result = json_pack("{s:I, s:b}", "article_id",
				    (json_int_t)get_int(created, "id"), "existing", 0);
		if (fell_back)
			json_object_set_new(*result, "fallback",
					    json_string("the AI reply is not on the ticket"));
	}
	json_decref(created);
	json_decref(body);
	return rc;
}

static int zammad_apply(const void *settings, struct http_client *http,
			const json_t *action, json_t **result, struct dp_error *err)
{
	const struct zammad_settings *z = settings;
	const char *name = get_str(action, "action");
	int64_t ticket_id = get_int(action, "ticket_id");

	if (result)
		*result = NULL;
	if (!name || ticket_id <= 0)
		return dp_fail(err, DP_EINVAL, "action needs 'action' and 'ticket_id'");
	if (strcmp(name, "tag_add") == 0)
		return apply_tag(z, http, action, ticket_id, result, err);
	if (strcmp(name, "ticket_update") == 0)
		return apply_update(z, http, action, ticket_id, result, err);
	if (strcmp(name, "note") == 0 || strcmp(name, "reply") == 0)
		return apply_article(z, http, action, ticket_id, result, err);
	return dp_fail(err, DP_EINVAL, "unknown zammad action '%s'", name);
}

/* ---- settings ------------------------------------------------------- */

#define S(name, m, def) SETTING_S(struct zammad_settings, name, m, def)
#define SECRET(name, m) SETTING_SECRET(struct zammad_settings, name, m)
#define I(name, m, def, lo, hi) SETTING_I(struct zammad_settings, name, m, def, lo, hi)
#define B(name, m, def) SETTING_B(struct zammad_settings, name, m, def)

static const struct setting keys[] = {
	S("url", url, ""),
	SECRET("token", token),
	SECRET("webhook_secret", webhook_secret),
	B("allow_unsigned", allow_unsigned, "false"),
	SECRET("auth_bearer", auth_bearer),
	S("auth_basic_user", auth_basic_user, ""),
	SECRET("auth_basic_password", auth_basic_password),
	B("verify_tls", verify_tls, "true"),
	I("connect_timeout_ms", connect_timeout_ms, "3000", 100, 60000),
	I("timeout_ms", timeout_ms, "10000", 100, 600000),
	S("vip_group", vip_group, "VIP"),
	S("vip_priority", vip_priority, "3 high"),
	S("urgent_priority", urgent_priority, "3 high"),
	S("tag_vip", tag_vip, "vip"),
	S("tag_human_only", tag_human_only, "human-only"),
	S("tag_needs_human", tag_needs_human, "needs-human"),
	S("tag_ai_draft", tag_ai_draft, "ai-draft"),
	S("tag_ai_replied", tag_ai_replied, "ai-replied"),
	S("tag_opt_out", tag_opt_out, "ai-skip"),
	S("api_user", api_user, ""),
};

static int zammad_validate(const void *settings, struct dp_error *err)
{
	const struct zammad_settings *z = settings;

	if (!*z->webhook_secret && !z->allow_unsigned)
		return dp_fail(err, DP_EINVAL,
			       "'webhook_secret' is required (or set allow_unsigned = true)");
	if (!*z->url)
		return dp_fail(err, DP_EINVAL, "'url' is required");
	if (strncmp(z->url, "http://", 7) != 0 && strncmp(z->url, "https://", 8) != 0)
		return dp_fail(err, DP_EINVAL, "'url' must start with http:// or https://");
	return 0;
}

/* The most calls one apply makes: a note after a failed reply looks for
 * its marker, untags, tags and posts; a reply looks for its marker, posts
 * and, on a 500, reads the ticket's group. */
#define ZAMMAD_APPLY_CALLS 4

static int zammad_apply_timeout_ms(const void *settings)
{
	return ZAMMAD_APPLY_CALLS * ((const struct zammad_settings *)settings)->timeout_ms;
}

static bool zammad_hooks_unsigned(const void *settings)
{
	return !*((const struct zammad_settings *)settings)->webhook_secret;
}

static const struct connector_command setup_command = {
	"zammad-setup",
	"--endpoint URL [--url URL] [--token T|--token-file F] [--secret S|--secret-file F] [--dry-run]  create or update the Zammad webhook and triggers",
	zammad_setup_run,
};

const struct connector zammad_connector = {
	.name = "zammad",
	.route = "/hooks/zammad",
	.metric_label = "/hooks/zammad",
	.section = {"zammad", keys, DP_ARRAY_LEN(keys), zammad_validate},
	.settings_size = sizeof(struct zammad_settings),
	.apply_timeout_ms = zammad_apply_timeout_ms,
	.hooks_unsigned = zammad_hooks_unsigned,
	.accept = zammad_accept,
	.enrich = zammad_enrich,
	.plan = zammad_plan,
	.apply = zammad_apply,
	.command = &setup_command,
};
