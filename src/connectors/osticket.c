/*
 * osticket.c - the osTicket connector (see osticket.h for the wire format).
 *
 * accept: signature over the exact bytes first, then the timestamp header
 * against the window, then the content type, and only then a parse. Both
 * formats are read into the same flat set of named text values (`struct
 * wire`, one table of fields), and one function turns that into a struct
 * ticket_event, so JSON and XML carrying the same values give identical
 * events by construction. JSON scalars are taken as their text (42 and
 * "42" are the same value), exactly as XML text would be.
 *
 * plan: one "decision" action per decision for the plugin's route; VIP
 * tickets get the VIP marker, priority, team (and department, if set) and a
 * note with the reason, and never a reply or a draft. The VIP SLA
 * watchdog's escalation is the same action with "escalation": true, the
 * urgent priority and its own note.
 *
 * apply: one signed POST; the plugin applies a decision once, keyed by
 * this database's installation id and the decision id, so a retried call
 * changes nothing the second time. Its "duplicate" answer counts as done
 * only for the same installation and ticket (read_answer).
 *
 * Invariants: nothing here keeps state between calls; every string the
 * plugin sends is capped (OSTICKET_MAX_*).
 */
#include "connectors/osticket.h"

#include "common/hmac.h"
#include "common/html.h"
#include "common/http_client.h"
#include "common/json_limits.h"
#include "connectors/xml_safe.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- the wire fields ---------------------------------------------------- */

struct wire {
	char *delivery_id, *entry_type, *number, *subject, *dept, *topic;
	char *priority, *status, *source, *name, *email, *org, *poster;
	char *created, *message, *message_type;
	int64_t timestamp, entry_id, ticket_id, user_id;
	bool user_vip, org_vip, own;
	uint32_t seen; /* bit i: wire_fields[i] was given */
};

enum wire_type { W_STR,
		 W_INT,
		 W_BOOL };

struct wire_field {
	const char *name;
	enum wire_type type;
	bool required;
	size_t off;
};

#define WS(m, req)                                       \
	{                                                \
#m, W_STR, req, offsetof(struct wire, m) \
	}
#define WI(m, req)                                       \
	{                                                \
#m, W_INT, req, offsetof(struct wire, m) \
	}
#define WB(m)                                               \
	{                                                   \
#m, W_BOOL, false, offsetof(struct wire, m) \
	}

/* clang-format off */
static const struct wire_field wire_fields[] = {
	WS(delivery_id, true), WI(timestamp, true), WS(entry_type, true),
	WI(entry_id, true), WI(ticket_id, true), WS(number, false),
	WS(subject, false), WS(dept, false), WS(topic, false),
	WS(priority, false), WS(status, false), WS(source, false),
	WI(user_id, false), WS(name, false), WS(email, false),
	WB(user_vip), WS(org, false), WB(org_vip), WS(poster, false),
	WB(own), WS(created, false),
	/* message and its type come as a pair; see wire_set_message */
	WS(message, false), WS(message_type, false),
};
/* clang-format on */

#define WIRE_MESSAGE (DP_ARRAY_LEN(wire_fields) - 2)
#define WIRE_MESSAGE_TYPE (DP_ARRAY_LEN(wire_fields) - 1)

#define WAT(w, f, T) ((T *)((char *)(w) + (f)->off))

static void wire_release(struct wire *w)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(wire_fields); i++)
		if (wire_fields[i].type == W_STR)
			free(*WAT(w, &wire_fields[i], char *));
	memset(w, 0, sizeof(*w));
}

static const struct wire_field *wire_lookup(const char *name, size_t *idx)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(wire_fields); i++) {
		if (strcmp(wire_fields[i].name, name) == 0) {
			*idx = i;
			return &wire_fields[i];
		}
	}
	return NULL;
}

/* Set field idx from its text form (n bytes, NUL-terminated). */
static int wire_set(struct wire *w, size_t idx, const char *s, size_t n,
		    struct dp_error *err)
{
	const struct wire_field *f = &wire_fields[idx];
	size_t cap = idx == WIRE_MESSAGE ? OSTICKET_MAX_MESSAGE
					 : OSTICKET_MAX_FIELD;
	long long v;

	if (w->seen & (1u << idx))
		return dp_fail(err, DP_EINVAL, "field '%s' is given twice",
			       f->name);
	w->seen |= 1u << idx;
	switch (f->type) {
	case W_STR:
		if (n > cap)
			return dp_fail(err, DP_ETOOBIG,
				       "field '%s' is longer than %zu bytes",
				       f->name, cap);
		*WAT(w, f, char *) = xstrndup(s, n);
		return 0;
	case W_INT:
		if (dp_parse_ll(s, 0, INT64_MAX, &v) < 0)
			return dp_fail(err, DP_EINVAL,
				       "field '%s' is not a non-negative integer",
				       f->name);
		*WAT(w, f, int64_t) = v;
		return 0;
	case W_BOOL:
		/* The plugin sends an unset flag as "". */
		if (!*s)
			*WAT(w, f, bool) = false;
		else if (dp_parse_bool(s, WAT(w, f, bool)) < 0)
			return dp_fail(err, DP_EINVAL,
				       "field '%s' is not a boolean", f->name);
		return 0;
	}
	return DP_EINVAL;
}

/* ---- JSON --------------------------------------------------------------- */

/* A JSON scalar as text into out (size 32) or *str; false for arrays,
 * objects and null. */
static bool json_scalar_text(const json_t *v, char out[32], const char **str,
			     size_t *len)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		*str = json_string_value(v);
		*len = json_string_length(v);
		return true;
	case JSON_INTEGER:
		snprintf(out, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_TRUE:
		snprintf(out, 32, "true");
		break;
	case JSON_FALSE:
		snprintf(out, 32, "false");
		break;
	default:
		return false;
	}
	*str = out;
	*len = strlen(out);
	return true;
}

static int json_set(struct wire *w, size_t idx, const json_t *v,
		    struct dp_error *err)
{
	char tmp[32];
	const char *s;
	size_t n;

	if (!json_scalar_text(v, tmp, &s, &n))
		return dp_fail(err, DP_EINVAL, "field '%s' has the wrong type",
			       wire_fields[idx].name);
	return wire_set(w, idx, s, n, err);
}

static int parse_json(const char *body, size_t len, struct wire *w,
		      struct dp_error *err)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	size_t idx;
	int rc = 0;

	if (!json_nesting_within(body, len, OSTICKET_MAX_DEPTH))
		return dp_fail(err, DP_EPARSE, "json is nested too deeply");
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return dp_fail(err, DP_EPARSE, "json is malformed (line %d): %s",
			       jerr.line, jerr.text);
	if (!json_is_object(root)) {
		rc = dp_fail(err, DP_EINVAL, "json event is not an object");
		goto out;
	}
	json_object_foreach(root, key, v) {
		if (json_is_null(v) || !wire_lookup(key, &idx))
			continue;
		if (idx == WIRE_MESSAGE && json_is_object(v)) {
			const json_t *type = json_object_get(v, "type");
			const json_t *text = json_object_get(v, "body");

			if (type && !json_is_null(type))
				rc = json_set(w, WIRE_MESSAGE_TYPE, type, err);
			if (rc == 0 && text && !json_is_null(text))
				rc = json_set(w, WIRE_MESSAGE, text, err);
		} else {
			rc = json_set(w, idx, v, err);
		}
		if (rc < 0)
			break;
	}
out:
	json_decref(root);
	return rc;
}

/* ---- XML ---------------------------------------------------------------- */

static int xml_set(struct wire *w, const xmlChar *name, xmlNodePtr node,
		   struct dp_error *err)
{
	xmlChar *text;
	size_t idx;
	int rc;

	if (!wire_lookup((const char *)name, &idx))
		return 0;
	text = xmlNodeGetContent(node);
	rc = wire_set(w, idx, text ? (const char *)text : "",
		      text ? strlen((const char *)text) : 0, err);
	xmlFree(text);
	return rc;
}

static int parse_xml(const char *body, size_t len, struct wire *w,
		     struct dp_error *err)
{
	const struct xml_safe_limits lim = {OSTICKET_MAX_BODY,
					    OSTICKET_MAX_DEPTH};
	xmlDocPtr doc;
	xmlNodePtr root, n;
	int rc;

	rc = xml_safe_parse(body, len, &lim, &doc, err);
	if (rc < 0)
		return rc;
	root = xmlDocGetRootElement(doc);
	if (!root || strcmp((const char *)root->name, "ticket") != 0 ||
	    root->ns) {
		rc = dp_fail(err, DP_EINVAL, "xml root element is not <ticket>");
		goto out;
	}
	for (xmlAttrPtr a = root->properties; a && rc == 0; a = a->next)
		rc = xml_set(w, a->name, (xmlNodePtr)a, err);
	for (n = root->children; n && rc == 0; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)n->name, "message") == 0) {
			xmlAttrPtr type = xmlHasProp(n, BAD_CAST "type");

			if (type)
				rc = xml_set(w, BAD_CAST "message_type",
					     (xmlNodePtr)type, err);
		}
		if (rc == 0)
			rc = xml_set(w, n->name, n, err);
	}
out:
	xmlFreeDoc(doc);
	return rc;
}

/* ---- wire -> ticket_event ----------------------------------------------- */

static char *lowercase_dup(const char *s)
{
	char *d = xstrdup(s);

	for (char *p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

static int wire_to_event(struct wire *w, struct ticket_event *ev,
			 struct dp_error *err)
{
	static const struct {
		const char *type, *sender, *article_type;
		enum event_kind kind;
	} kinds[] = {
		{"M", "Customer", "message", EVENT_CUSTOMER_MESSAGE},
		{"R", "Agent", "response", EVENT_AGENT_REPLY},
		{"N", "Agent", "note", EVENT_NOTE},
	};
	size_t k;

	for (size_t i = 0; i < DP_ARRAY_LEN(wire_fields); i++)
		if (wire_fields[i].required && !(w->seen & (1u << i)))
			return dp_fail(err, DP_EINVAL, "missing field '%s'",
				       wire_fields[i].name);
	if (!*w->delivery_id)
		return dp_fail(err, DP_EINVAL, "field 'delivery_id' is empty");
	for (k = 0; k < DP_ARRAY_LEN(kinds); k++)
		if (strcmp(w->entry_type, kinds[k].type) == 0)
			break;
	if (k == DP_ARRAY_LEN(kinds))
		return dp_fail(err, DP_EINVAL,
			       "unknown entry_type '%.8s' (want M, R or N)",
			       w->entry_type);
	if (w->message_type && strcasecmp(w->message_type, "text/plain") != 0 &&
	    strcasecmp(w->message_type, "text/html") != 0)
		return dp_fail(err, DP_EINVAL,
			       "message type '%.40s' is not text/plain or text/html",
			       w->message_type);

	ev->source = xstrdup("osticket");
	ev->delivery_id = xstrdup(w->delivery_id);
	ev->kind = w->own ? EVENT_OWN : kinds[k].kind;
	ev->ticket_id = w->ticket_id;
	ev->ticket_number = xstrdup(w->number);
	ev->title = xstrdup(w->subject);
	ev->subject = xstrdup(w->subject);
	ev->state = xstrdup(w->status);
	ev->priority = xstrdup(w->priority);
	ev->group = xstrdup(w->dept);
	ev->topic = xstrdup(w->topic);
	ev->channel = lowercase_dup(w->source);
	ev->customer_id = w->user_id;
	ev->customer_email = xstrdup(w->email);
	ev->customer_name = xstrdup(w->name);
	ev->customer_vip = w->user_vip;
	ev->organization = xstrdup(w->org);
	ev->organization_vip = w->org_vip;
	ev->article_id = w->entry_id;
	ev->sender = xstrdup(kinds[k].sender);
	ev->article_type = xstrdup(kinds[k].article_type);
	ev->internal = kinds[k].kind == EVENT_NOTE;
	ev->from = xstrdup(w->poster);
	ev->created_at = xstrdup(w->created);
	if (w->message) {
		bool html = w->message_type &&
			    strcasecmp(w->message_type, "text/html") == 0;

		ev->content_type = xstrdup(html ? "text/html" : "text/plain");
		ev->body = html ? html_to_text(w->message, strlen(w->message))
				: xstrdup(w->message);
	}
	return 0;
}

/* ---- accept ------------------------------------------------------------- */

enum format { FMT_JSON,
	      FMT_XML };

static int media_format(const char *ct, enum format *out)
{
	char type[64];
	size_t n;

	if (!ct)
		return DP_EMEDIA;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	if (n == 0 || n >= sizeof(type))
		return DP_EMEDIA;
	memcpy(type, ct, n);
	type[n] = '\0';
	if (strcasecmp(type, "application/json") == 0)
		return *out = FMT_JSON, 0;
	if (strcasecmp(type, "application/xml") == 0 ||
	    strcasecmp(type, "text/xml") == 0)
		return *out = FMT_XML, 0;
	return DP_EMEDIA;
}

int osticket_parse(const char *content_type, const char *body, size_t len,
		   struct ticket_event *ev, int64_t *timestamp,
		   struct dp_error *err)
{
	struct wire w;
	enum format fmt;
	int rc;

	if (media_format(content_type, &fmt) < 0)
		return dp_fail(err, DP_EMEDIA,
			       "content type '%.64s' is not application/json, application/xml or text/xml",
			       content_type ? content_type : "");
	if (len > OSTICKET_MAX_BODY)
		return dp_fail(err, DP_ETOOBIG,
			       "event of %zu bytes exceeds the limit of %u",
			       len, OSTICKET_MAX_BODY);
	memset(&w, 0, sizeof(w));
	rc = fmt == FMT_JSON ? parse_json(body, len, &w, err)
			     : parse_xml(body, len, &w, err);
	if (rc == 0)
		rc = wire_to_event(&w, ev, err);
	if (rc == 0)
		*timestamp = w.timestamp;
	wire_release(&w);
	return rc;
}

static bool in_window(int64_t ts, int64_t now_s, int window_s)
{
	return ts >= now_s - window_s && ts <= now_s + window_s;
}

int osticket_accept_at(const struct osticket_settings *oc,
		       const struct hook_request *req, int64_t now_s,
		       struct ticket_event *ev, struct dp_error *err)
{
	const char *sig = hook_param(req, OSTICKET_SIG_PARAM);
	const char *ts = hook_param(req, OSTICKET_TS_PARAM);
	long long header_ts = 0;
	int64_t body_ts = 0;
	int rc;

	if (sig || !oc->allow_unsigned) {
		if (!sig)
			return dp_fail(err, DP_EAUTH,
				       "missing " OSTICKET_SIG_HEADER " header");
		if (strncmp(sig, "sha256=", 7) != 0 || !*oc->webhook_secret ||
		    !hmac_verify_hex(HMAC_SHA256, oc->webhook_secret,
				     req->body, req->body_len, sig + 7))
			return dp_fail(err, DP_EAUTH,
				       "signature does not match the body");
		if (!ts)
			return dp_fail(err, DP_EAUTH,
				       "missing " OSTICKET_TS_HEADER " header");
	}
	if (ts) {
		if (dp_parse_ll(ts, 0, INT64_MAX, &header_ts) < 0)
			return dp_fail(err, DP_EAUTH,
				       OSTICKET_TS_HEADER " is not a unix time");
		if (!in_window(header_ts, now_s, oc->timestamp_window_s))
			return dp_fail(err, DP_EAUTH,
				       "stale or replayed event (timestamp %lld, now %lld)",
				       header_ts, (long long)now_s);
	}
	rc = osticket_parse(hook_param(req, "CONTENT_TYPE"), req->body,
			    req->body_len, ev, &body_ts, err);
	if (rc < 0)
		return rc;
	if (ts && body_ts != header_ts)
		return dp_fail(err, DP_EAUTH,
			       OSTICKET_TS_HEADER " does not match the body's timestamp");
	if (!in_window(body_ts, now_s, oc->timestamp_window_s))
		return dp_fail(err, DP_EAUTH,
			       "stale or replayed event (timestamp %lld, now %lld)",
			       (long long)body_ts, (long long)now_s);
	return 0;
}

static int accept_hook(const void *settings, const struct hook_request *req,
		       struct ticket_event *ev, struct dp_error *err)
{
	return osticket_accept_at(settings, req, (int64_t)time(NULL), ev, err);
}

/* ---- plan --------------------------------------------------------------- */

static void set_text(json_t *obj, const char *key, const char *s)
{
	if (s && *s)
		json_object_set_new(obj, key, json_string(s));
}

static void plan(const void *settings, const struct plan_input *in,
		 json_t *actions)
{
	const struct osticket_settings *oc = settings;
	const struct ticket_event *ev = in->ev;
	enum outcome o = in->d->outcome;
	bool vip = o == OUTCOME_HUMAN_VIP;
	json_t *a;

	if (o == OUTCOME_NONE)
		return;
	a = json_pack("{s:s, s:I, s:I, s:s, s:s, s:b}", "action", "decision",
		      "decision_id", (json_int_t)in->decision_id, "ticket_id",
		      (json_int_t)ev->ticket_id, "outcome", outcome_name(o),
		      "note", in->note_text ? in->note_text : "", "vip", vip);
	set_text(a, "ticket_number", ev->ticket_number);
	set_text(a, "installation", in->installation);
	if (in->sla_breach) {
		/* The watchdog's escalation of the same decision: the plugin
		 * keys it apart from the first application. */
		json_object_set_new(a, "escalation", json_true());
		set_text(a, "priority", oc->urgent_priority);
	} else if (vip) {
		/* A human only: no draft and no reply, whatever was drafted. */
		set_text(a, "priority", oc->vip_priority);
		set_text(a, "team", oc->vip_team);
		set_text(a, "dept", oc->vip_dept);
	} else if (o == OUTCOME_AI_REPLY && !ev->customer_vip &&
		   !ev->organization_vip) {
		set_text(a, "reply", in->draft);
	} else {
		set_text(a, "draft", in->draft);
	}
	json_array_append_new(actions, a);
}

/* ---- apply -------------------------------------------------------------- */

/* The error text of a refusal: the plugin's {"error": ...}, else the start
 * of the body with control characters blanked. */
static void remote_error(const struct http_response *r, char *out, size_t n)
{
	json_t *j = json_loads(buf_str(&r->body), 0, NULL);
	const char *e = json_string_value(json_object_get(j, "error"));

	snprintf(out, n, "%s", e ? e : buf_str(&r->body));
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	json_decref(j);
}

/* What a refusal means: worth retrying (429, 5xx), the plugin's 422
 * "conflict" (this installation's decision went to another ticket), or
 * permanent. */
static int refusal_kind(const struct http_response *r)
{
	const char *status;
	json_t *j;
	int rc;

	if (r->status == 429 || r->status >= 500 || r->status == 0)
		return DP_EBUSY;
	if (r->status != 422)
		return DP_EREMOTE;
	j = json_loads(buf_str(&r->body), 0, NULL);
	status = json_string_value(json_object_get(j, "status"));
	rc = status && strcmp(status, "conflict") == 0 ? DP_ECONFLICT : DP_EREMOTE;
	json_decref(j);
	return rc;
}

/* What a 200 or 201 from the plugin's route means. 201 "applied": done.
 * 200 "duplicate": done before, which is only true when the plugin says
 * it was this database's decision (the installation id) for this ticket;
 * a duplicate for another ticket means the decision was never applied
 * where it belongs, so it is an error, not a success. Anything else (an
 * HTML page from a misrouted /api/, an older plugin's unkeyed answer) is
 * not proof that the decision was applied. */
static int read_answer(const json_t *action, const struct http_response *r,
		       json_t **result, struct dp_error *err)
{
	json_int_t id = json_integer_value(json_object_get(action, "decision_id"));
	json_int_t want = json_integer_value(json_object_get(action, "ticket_id"));
	json_t *j = json_loads(buf_str(&r->body), 0, NULL);
	const char *status = json_string_value(json_object_get(j, "status"));
	const json_t *t;
	char start[80];
	int rc = 0;

	if (!json_is_object(j) || !status) {
		remote_error(r, start, sizeof(start));
		rc = dp_fail(err, DP_EREMOTE,
			     "osticket answered %ld, but not as the deskpilot plugin does (is /api/ routed to api/http.php with PATH_INFO?): %s",
			     r->status, start);
	} else if (r->status == 201 && strcmp(status, "applied") == 0) {
		rc = 0;
	} else if (r->status == 200 && strcmp(status, "duplicate") == 0) {
		t = json_object_get(j, "ticket_id");
		if (!json_is_integer(t))
			t = json_object_get(json_object_get(j, "first"), "ticket_id");
		if (!json_is_integer(t))
			rc = dp_fail(err, DP_EREMOTE,
				     "osticket says decision %lld was applied before, but not to which ticket",
				     (long long)id);
		else if (json_integer_value(t) != want)
			rc = dp_fail(err, DP_ECONFLICT,
				     "osticket applied decision %lld to ticket %lld before, not to ticket %lld: nothing was written to ticket %lld (was deskpilot's database copied or restored from a backup?)",
				     (long long)id, (long long)json_integer_value(t),
				     (long long)want, (long long)want);
		else if (!json_equal(json_object_get(j, "installation"),
				     json_object_get(action, "installation")))
			rc = dp_fail(err, DP_EREMOTE,
				     "osticket says decision %lld was applied before without naming this database's installation id: the osTicket plugin is older than deskpilot and keys decisions by id alone; update plugin/osticket",
				     (long long)id);
	} else {
		rc = dp_fail(err, DP_EREMOTE,
			     "osticket answered %ld with status '%.40s'",
			     r->status, status);
	}
	if (rc == 0)
		*result = j;
	else
		json_decref(j);
	return rc;
}

static int apply(const void *settings, struct http_client *http,
		 const json_t *action, json_t **result, struct dp_error *err)
{
	const struct osticket_settings *oc = settings;
	const char *name = json_string_value(json_object_get(action, "action"));
	size_t base_len = strlen(oc->url);
	long long now_s = (long long)time(NULL);
	char hex[HMAC_HEX_MAX], why[200];
	struct http_response resp;
	struct dp_error cerr = {{0}};
	json_t *body;
	char *text, *url, *h_key, *h_sig, *h_ts;
	int rc;

	if (!name || strcmp(name, "decision") != 0)
		return dp_fail(err, DP_EINVAL, "unknown osticket action '%s'",
			       name ? name : "");
	if (!json_string_value(json_object_get(action, "installation")))
		return dp_fail(err, DP_EINVAL,
			       "osticket decision %lld has no installation id",
			       (long long)json_integer_value(
				       json_object_get(action, "decision_id")));
	body = json_deep_copy(action);
	json_object_set_new(body, "timestamp", json_integer(now_s));
	text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(body);
	hmac_hex(HMAC_SHA256, oc->webhook_secret, text, strlen(text), hex);
	while (base_len > 0 && oc->url[base_len - 1] == '/')
		base_len--;
	url = xasprintf("%.*s%s", (int)base_len, oc->url, OSTICKET_DECISION_PATH);
	h_key = xasprintf("X-API-Key: %s", oc->api_key);
	h_sig = xasprintf(OSTICKET_SIG_HEADER ": sha256=%s", hex);
	h_ts = xasprintf(OSTICKET_TS_HEADER ": %lld", now_s);

	const char *headers[] = {"Content-Type: application/json",
				 "Accept: application/json", h_key, h_sig, h_ts,
				 NULL};
	/* clang-format off */
	const struct http_call call = {
		.method = "POST", .url = url, .headers = headers, .body = text,
		.body_len = strlen(text),
		.connect_timeout_ms = oc->connect_timeout_ms,
		.timeout_ms = oc->timeout_ms, .verify_tls = oc->verify_tls,
	};
	/* clang-format on */

	http_response_init(&resp);
	rc = http_client_do(http, &call, &resp, &cerr);
	if (rc < 0) {
		rc = dp_fail(err, DP_EBUSY, "osticket unreachable: %s", cerr.msg);
	} else if (resp.status == 200 || resp.status == 201) {
		rc = read_answer(action, &resp, result, err);
	} else {
		remote_error(&resp, why, sizeof(why));
		rc = dp_fail(err, refusal_kind(&resp), "osticket answered %ld: %s",
			     resp.status, why);
	}
	http_response_release(&resp);
	free(h_ts);
	free(h_sig);
	free(h_key);
	free(url);
	free(text);
	return rc;
}

/* ---- settings ------------------------------------------------------------ */

#define S(name, m, def) SETTING_S(struct osticket_settings, name, m, def)
#define SECRET(name, m) SETTING_SECRET(struct osticket_settings, name, m)
#define I(name, m, def, lo, hi) SETTING_I(struct osticket_settings, name, m, def, lo, hi)
#define B(name, m, def) SETTING_B(struct osticket_settings, name, m, def)

static const struct setting keys[] = {
	S("url", url, ""),
	SECRET("api_key", api_key),
	SECRET("webhook_secret", webhook_secret),
	B("allow_unsigned", allow_unsigned, "false"),
	I("timestamp_window_seconds", timestamp_window_s, "300", 1, 86400),
	B("verify_tls", verify_tls, "true"),
	I("connect_timeout_ms", connect_timeout_ms, "3000", 100, 60000),
	I("timeout_ms", timeout_ms, "10000", 100, 600000),
	S("vip_team", vip_team, "VIP"),
	S("vip_dept", vip_dept, ""),
	S("vip_priority", vip_priority, "high"),
	S("urgent_priority", urgent_priority, "emergency"),
};

static int validate(const void *settings, struct dp_error *err)
{
	const struct osticket_settings *oc = settings;

	if (!*oc->webhook_secret && !oc->allow_unsigned)
		return dp_fail(err, DP_EINVAL,
			       "'webhook_secret' is required (or set allow_unsigned = true)");
	if (!*oc->url)
		return dp_fail(err, DP_EINVAL, "'url' is required");
	return 0;
}

/* An apply is one call to the plugin. */
static int apply_timeout_ms(const void *settings)
{
	return ((const struct osticket_settings *)settings)->timeout_ms;
}

static bool hooks_unsigned(const void *settings)
{
	return !*((const struct osticket_settings *)settings)->webhook_secret;
}

const struct connector osticket_connector = {
	.name = "osticket",
	.route = "/hooks/osticket",
	.metric_label = "/hooks/osticket",
	.section = {"osticket", keys, DP_ARRAY_LEN(keys), validate},
	.settings_size = sizeof(struct osticket_settings),
	.apply_timeout_ms = apply_timeout_ms,
	.hooks_unsigned = hooks_unsigned,
	.accept = accept_hook,
	.plan = plan,
	.apply = apply,
};
