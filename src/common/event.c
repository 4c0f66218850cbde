/*
 * event.c - struct ticket_event lifecycle and its JSON form.
 *
 * One table lists every field once; init, release and both JSON directions
 * walk it, so adding a field is one line here and one in event.h.
 */
#include "common/event.h"

#include "common/buf.h"
#include "common/utf8.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum field_type { F_STR,
		  F_INT,
		  F_BOOL };

struct field {
	const char *name;
	enum field_type type;
	size_t off;
};

#define STR(m)                                              \
	{                                                   \
#m, F_STR, offsetof(struct ticket_event, m) \
	}
#define INT(m)                                              \
	{                                                   \
#m, F_INT, offsetof(struct ticket_event, m) \
	}
#define BOOL(m)                                              \
	{                                                    \
#m, F_BOOL, offsetof(struct ticket_event, m) \
	}

/* clang-format off */
static const struct field fields[] = {
	STR(source), STR(delivery_id),
	INT(ticket_id), STR(ticket_number), STR(title), STR(state),
	STR(priority), STR(group), STR(topic), STR(channel),
	INT(customer_id), STR(customer_email), STR(customer_name),
	BOOL(customer_vip), STR(organization), BOOL(organization_vip),
	STR(other_organization_ids), STR(other_organizations),
	INT(article_id), STR(sender), STR(article_type), BOOL(internal),
	BOOL(auto_response),
	STR(from), STR(to), STR(subject), STR(content_type), STR(body),
	STR(created_at), STR(tags),
};
/* clang-format on */

static const char *const kind_names[] = {
	[EVENT_CUSTOMER_MESSAGE] = "customer_message",
	[EVENT_AGENT_REPLY] = "agent_reply",
	[EVENT_NOTE] = "note",
	[EVENT_SYSTEM] = "system",
	[EVENT_OWN] = "own",
};

#define AT(ev, f, T) ((T *)((char *)(ev) + (f)->off))
#define CAT(ev, f, T) ((const T *)((const char *)(ev) + (f)->off))

void ticket_event_init(struct ticket_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = EVENT_SYSTEM;
}

void ticket_event_release(struct ticket_event *ev)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(fields); i++)
		if (fields[i].type == F_STR)
			free(*AT(ev, &fields[i], char *));
	ticket_event_init(ev);
}

const char *event_kind_name(enum event_kind k)
{
	if ((size_t)k < DP_ARRAY_LEN(kind_names))
		return kind_names[k];
	return "unknown";
}

static int event_kind_parse(const char *s, enum event_kind *out)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(kind_names); i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum event_kind)i;
			return 0;
		}
	}
	return DP_EINVAL;
}

json_t *ticket_event_to_json(const struct ticket_event *ev)
{
	json_t *o = json_object();

	json_object_set_new(o, "kind", json_string(event_kind_name(ev->kind)));
	for (size_t i = 0; i < DP_ARRAY_LEN(fields); i++) {
		const struct field *f = &fields[i];
		const char *s;

		switch (f->type) {
		case F_STR:
			s = *CAT(ev, f, char *);
			if (s)
				json_object_set_new(o, f->name, json_string(s));
			break;
		case F_INT:
			json_object_set_new(o, f->name,
					    json_integer(*CAT(ev, f, int64_t)));
			break;
		case F_BOOL:
			json_object_set_new(o, f->name,
					    json_boolean(*CAT(ev, f, bool)));
			break;
		}
	}
	return o;
}

/* s as a JSON string, escaped as jansson's json_dumps escapes it (UTF-8
 * kept as it is, control characters as \uXXXX). A byte that is not part
 * of valid UTF-8 becomes U+FFFD, so the text always reads back. */
static void put_json_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	buf_putc(b, '"');
	while (*s) {
		size_t run = 0, n;
		unsigned char c;
		uint32_t cp;

		while ((c = (unsigned char)s[run]) >= 0x20 && c < 0x80 && c != '"' &&
		       c != '\\')
			run++;
		buf_append(b, s, run);
		s += run;
		if (!c)
			break;
		if (c >= 0x80) {
			/* The decoder stops at the first byte that does not
			 * continue the sequence, so it never reads past the NUL. */
			n = utf8_decode((const unsigned char *)s, 4, &cp);
			if (n)
				buf_append(b, s, n);
			else
				buf_puts(b, "\xEF\xBF\xBD");
			s += n ? n : 1;
			continue;
		}
		switch (c) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\b': buf_puts(b, "\\b"); break;
		case '\f': buf_puts(b, "\\f"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default: {
			char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

			buf_append(b, u, sizeof(u));
		}
		}
		s++;
	}
	buf_putc(b, '"');
}

/* ,"name": */
static void put_key(struct buf *b, const char *name)
{
	buf_puts(b, ",\"");
	buf_puts(b, name);
	buf_puts(b, "\":");
}

char *ticket_event_to_text(const struct ticket_event *ev)
{
	struct buf b;

	buf_init(&b, SIZE_MAX);
	buf_puts(&b, "{\"kind\":\"");
	buf_puts(&b, event_kind_name(ev->kind));
	buf_putc(&b, '"');
	for (size_t i = 0; i < DP_ARRAY_LEN(fields); i++) {
		const struct field *f = &fields[i];
		const char *s = NULL;
		char num[24], *p = num + sizeof(num);
		int64_t v;
		uint64_t u;

		switch (f->type) {
		case F_STR:
			s = *CAT(ev, f, char *);
			if (!s)
				continue;
			put_key(&b, f->name);
			put_json_string(&b, s);
			break;
		case F_INT:
			/* By hand: printf is most of the cost of a field. */
			v = *CAT(ev, f, int64_t);
			u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
			do
				*--p = (char)('0' + u % 10);
			while (u /= 10);
			if (v < 0)
				*--p = '-';
			put_key(&b, f->name);
			buf_append(&b, p, (size_t)(num + sizeof(num) - p));
			break;
		case F_BOOL:
			put_key(&b, f->name);
			buf_puts(&b, *CAT(ev, f, bool) ? "true" : "false");
			break;
		}
	}
	buf_putc(&b, '}');
	return buf_detach(&b);
}

int ticket_event_from_json(const json_t *obj, struct ticket_event *ev,
			   struct dp_error *err)
{
	const json_t *v;

	if (!json_is_object(obj))
		return dp_fail(err, DP_EINVAL, "event is not a JSON object");
	v = json_object_get(obj, "kind");
	if (v && (!json_is_string(v) ||
		  event_kind_parse(json_string_value(v), &ev->kind) < 0))
		return dp_fail(err, DP_EINVAL, "field 'kind' is not a known kind");
	if (!v)
		ev->kind = EVENT_CUSTOMER_MESSAGE;
	for (size_t i = 0; i < DP_ARRAY_LEN(fields); i++) {
		const struct field *f = &fields[i];

		v = json_object_get(obj, f->name);
		if (!v || json_is_null(v))
			continue;
		switch (f->type) {
		case F_STR:
			if (!json_is_string(v))
				goto wrong;
			free(*AT(ev, f, char *));
			*AT(ev, f, char *) = xstrdup(json_string_value(v));
			break;
		case F_INT:
			if (!json_is_integer(v))
				goto wrong;
			*AT(ev, f, int64_t) = json_integer_value(v);
			break;
		case F_BOOL:
			if (!json_is_boolean(v))
				goto wrong;
			*AT(ev, f, bool) = json_is_true(v);
			break;
		}
		continue;
	wrong:
		return dp_fail(err, DP_EINVAL, "field '%s' has the wrong type",
			       f->name);
	}
	return 0;
}

const char *ticket_event_email_domain(const struct ticket_event *ev)
{
	const char *at = ev->customer_email ? strrchr(ev->customer_email, '@')
					    : NULL;

	return at && at[1] ? at + 1 : NULL;
}
