/*
 * json_doc.c - yajl's events into one node array (see json_doc.h).
 *
 * Before yajl sees the text, two passes over the raw bytes do what yajl
 * checks loosely or not at all: the whole text must be strict UTF-8
 * (utf8_valid; yajl's own check lets overlong forms and surrogates through,
 * so it is switched off), and every \u escape must name a character other
 * than NUL, with surrogates only in pairs (yajl turns a lone one into '?'
 * or into invalid UTF-8). Escapes are found with memchr, so text without
 * them costs next to nothing.
 *
 * Decoded strings never outgrow their quoted form, so one arena the size
 * of the text holds every string and key with its NUL: it never moves, and
 * the pointers in the nodes stay valid. Nodes are addressed by index while
 * the array grows.
 */
#include "common/json_doc.h"

#include "common/utf8.h"

#include <yajl/yajl_parse.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

struct open {
	uint32_t node; /* the container */
	uint32_t last; /* its last member or item so far, 0: none */
};

struct builder {
	struct json_doc *doc;
	size_t cap;   /* nodes allocated */
	size_t used;  /* arena bytes taken */
	size_t arena; /* arena size */
	struct open *stack;
	int depth, max_depth;
	/* Every (object, key hash) seen, for the duplicate check: open
	 * addressing, 0 for empty, grown at half full. */
	uint64_t *seen;
	size_t seen_cap, n_seen;
	/* The key read for the next member of the innermost object. */
	const char *key;
	uint32_t key_len, key_hash;
	char why[128]; /* set when a callback stops the parse */
	bool too_deep;
};

/* The key hash starts from a random value of this process: with a
 * known start, a sender could fill one object with keys that all share a
 * hash, and the duplicate check would compare each with all before it. */
static uint32_t hash_seed;
static pthread_once_t seed_once = PTHREAD_ONCE_INIT;

static void pick_seed(void)
{
	if (getrandom(&hash_seed, sizeof(hash_seed), 0) != (ssize_t)sizeof(hash_seed))
		hash_seed = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
}

static uint32_t hash_bytes(const unsigned char *s, size_t n)
{
	uint32_t h;

	pthread_once(&seed_once, pick_seed);
	h = 2166136261u ^ hash_seed; /* FNV-1a from the seed */

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 16777619u;
	return h;
}

static const char *copy_string(struct builder *b, const unsigned char *s,
			       size_t len)
{
	char *dst;

	/* Cannot happen (see the top of the file); refuse rather than trust. */
	if (len + 1 > b->arena - b->used)
		return NULL;
	dst = b->doc->strings + b->used;
	memcpy(dst, s, len);
	dst[len] = '\0';
	b->used += len + 1;
	return dst;
}

static int stop(struct builder *b, const char *why)
{
	snprintf(b->why, sizeof(b->why), "%s", why);
	return 0;
}

/* A new node as the next member or item of the open container. NULL (and
 * the parse stopped) for a scalar at the top level. */
static struct json_node *add(struct builder *b, enum json_doc_kind kind)
{
	struct json_doc *d = b->doc;
	struct json_node *n;
	uint32_t idx;

	if (b->depth == 0 && kind != JDOC_OBJECT && kind != JDOC_ARRAY) {
		stop(b, "'[' or '{' expected");
		return NULL;
	}
	if (d->n_nodes == b->cap) {
		b->cap *= 2;
		d->nodes = xrealloc(d->nodes, b->cap * sizeof(*d->nodes));
	}
	idx = (uint32_t)d->n_nodes++;
	n = &d->nodes[idx];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	if (b->depth > 0) {
		struct open *o = &b->stack[b->depth - 1];
		struct json_node *parent = &d->nodes[o->node];

		if (o->last)
			d->nodes[o->last].next = idx;
		else
			parent->first = idx;
		o->last = idx;
		parent->len++;
		if (parent->kind == JDOC_OBJECT) {
			n->key = b->key;
			n->key_len = b->key_len;
			n->key_hash = b->key_hash;
		}
	}
	return n;
}

static int on_null(void *ctx)
{
	return add(ctx, JDOC_NULL) != NULL;
}

static int on_boolean(void *ctx, int v)
{
	return add(ctx, v ? JDOC_TRUE : JDOC_FALSE) != NULL;
}

static int on_integer(void *ctx, long long v)
{
	struct json_node *n = add(ctx, JDOC_INTEGER);

	if (n)
		n->v.i = v;
	return n != NULL;
}

static int on_double(void *ctx, double v)
{
	struct json_node *n = add(ctx, JDOC_REAL);

	if (n)
		n->v.d = v;
	return n != NULL;
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct builder *b = ctx;
	const char *copy = copy_string(b, s, len);
	struct json_node *n;

	if (!copy)
		return stop(b, "string arena overflow");
	n = add(b, JDOC_STRING);
	if (n) {
		n->v.s = copy;
		n->len = (uint32_t)len;
	}
	return n != NULL;
}

/* Slot of entry e in the seen set: where it is, or the empty one where it
 * goes. */
static size_t seen_slot(const uint64_t *set, size_t cap, uint64_t e)
{
	size_t i = (size_t)((e * 0x9E3779B97F4A7C15u) >> 32) & (cap - 1);

	while (set[i] && set[i] != e)
		i = (i + 1) & (cap - 1);
	return i;
}

/* Record (object, hash); true when the pair was there already. */
static bool seen_before(struct builder *b, uint32_t object, uint32_t h)
{
	uint64_t e = ((uint64_t)object + 1) << 32 | h;
	size_t i;

	if (2 * (b->n_seen + 1) > b->seen_cap) {
		size_t cap = b->seen_cap ? 2 * b->seen_cap : 256;
		uint64_t *set = xcalloc(cap, sizeof(*set));

		for (size_t k = 0; k < b->seen_cap; k++)
			if (b->seen[k])
				set[seen_slot(set, cap, b->seen[k])] = b->seen[k];
		free(b->seen);
		b->seen = set;
		b->seen_cap = cap;
	}
	i = seen_slot(b->seen, b->seen_cap, e);
	if (b->seen[i])
		return true;
	b->seen[i] = e;
	b->n_seen++;
	return false;
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
	struct builder *b = ctx;
	const struct json_doc *d = b->doc;
	uint32_t h = hash_bytes(s, len);
	const struct open *o = &b->stack[b->depth - 1];

	/* Walk the object's members only when its hash was seen in it: a
	 * duplicate, or (rarely) two keys with one hash. */
	if (seen_before(b, o->node, h)) {
		for (uint32_t i = d->nodes[o->node].first; i; i = d->nodes[i].next) {
			const struct json_node *m = &d->nodes[i];

			if (m->key_hash == h && m->key_len == len &&
			    memcmp(m->key, s, len) == 0) {
				snprintf(b->why, sizeof(b->why),
					 "duplicate object key '%.*s'",
					 (int)(len > 64 ? 64 : len), (const char *)s);
				return 0;
			}
		}
	}
	b->key = copy_string(b, s, len);
	b->key_len = (uint32_t)len;
	b->key_hash = h;
	return b->key ? 1 : stop(b, "string arena overflow");
}

static int open_container(struct builder *b, enum json_doc_kind kind)
{
	struct json_node *n;

	if (b->depth >= b->max_depth) {
		b->too_deep = true;
		return 0;
	}
	n = add(b, kind);
	if (!n)
		return 0;
	b->stack[b->depth].node = (uint32_t)(n - b->doc->nodes);
	b->stack[b->depth].last = 0;
	b->depth++;
	return 1;
}

static int on_start_map(void *ctx)
{
	return open_container(ctx, JDOC_OBJECT);
}

static int on_start_array(void *ctx)
{
	return open_container(ctx, JDOC_ARRAY);
}

static int on_end(void *ctx)
{
	((struct builder *)ctx)->depth--;
	return 1;
}

static const yajl_callbacks callbacks = {
	on_null,
	on_boolean,
	on_integer,
	on_double,
	NULL,
	on_string,
	on_start_map,
	on_key,
	on_end,
	on_start_array,
	on_end,
};

static int hex4(const char *p, const char *end, uint32_t *out)
{
	uint32_t v = 0;

	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* NULL when every \u escape names a character other than NUL, with
 * surrogates paired; else why not, and its offset in *at. Malformed
 * escapes are left to yajl. */
static const char *check_escapes(const char *text, size_t len, size_t *at)
{
	const char *p = text, *end = text + len;

	while ((p = memchr(p, '\\', (size_t)(end - p))) && end - p > 1) {
		uint32_t cp, lo;

		*at = (size_t)(p - text);
		if (p[1] != 'u' || hex4(p + 2, end, &cp) < 0) {
			p += 2;
			continue;
		}
		if (cp == 0)
			return "\\u0000 in a string";
		if (cp >= 0xDC00 && cp <= 0xDFFF)
			return "unpaired surrogate escape";
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
			    hex4(p + 8, end, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
				return "unpaired surrogate escape";
			p += 12;
			continue;
		}
		p += 6;
	}
	return NULL;
}

/* yajl's message without its "parse error: " prefix and trailing newline. */
static void yajl_reason(yajl_handle h, char *out, size_t size)
{
	unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
	const char *m = (const char *)msg;
	size_t n;

	if (strncmp(m, "parse error: ", 13) == 0)
		m += 13;
	n = strcspn(m, "\n");
	while (n && (m[n - 1] == ' ' || m[n - 1] == '.'))
		n--;
	snprintf(out, size, "%.*s", (int)n, m);
	yajl_free_error(h, msg);
}

int json_doc_parse(struct json_doc *doc, const char *text, size_t len,
		   int max_depth, struct dp_error *err)
{
	struct builder b = {.doc = doc, .max_depth = max_depth};
	const char *why;
	yajl_handle h;
	yajl_status st;
	size_t at = 0;
	int rc = 0;

	memset(doc, 0, sizeof(*doc));
	if (!utf8_valid(text, len))
		return dp_fail(err, DP_EPARSE, "is not JSON: invalid UTF-8");
	why = check_escapes(text, len, &at);
	if (why)
		return dp_fail(err, DP_EPARSE, "is not JSON: %s (byte %zu)", why, at);
	b.cap = len / 16 + 16;
	doc->nodes = xmalloc(b.cap * sizeof(*doc->nodes));
	b.arena = len + 1;
	doc->strings = xmalloc(b.arena);
	b.stack = xmalloc(((size_t)max_depth + 1) * sizeof(*b.stack));
	h = yajl_alloc(&callbacks, NULL, &b);
	if (!h)
		abort(); /* out of memory, as xmalloc would */
	yajl_config(h, yajl_dont_validate_strings, 1);
	st = yajl_parse(h, (const unsigned char *)text, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok) {
		at = yajl_get_bytes_consumed(h);
		if (b.too_deep)
			rc = dp_fail(err, DP_EPARSE, "nests deeper than %d levels",
				     max_depth);
		else if (st == yajl_status_client_canceled)
			rc = dp_fail(err, DP_EPARSE, "is not JSON: %s (byte %zu)",
				     b.why, at);
		else {
			char reason[128];

			yajl_reason(h, reason, sizeof(reason));
			rc = dp_fail(err, DP_EPARSE, "is not JSON: %s (byte %zu)",
				     reason, at);
		}
	} else if (doc->n_nodes == 0) {
		rc = dp_fail(err, DP_EPARSE, "is not JSON: empty text");
	}
	yajl_free(h);
	free(b.stack);
	free(b.seen);
	if (rc < 0)
		json_doc_release(doc);
	return rc;
}

void json_doc_release(struct json_doc *doc)
{
	free(doc->nodes);
	free(doc->strings);
	memset(doc, 0, sizeof(*doc));
}

const struct json_node *json_doc_root(const struct json_doc *doc)
{
	return doc->n_nodes ? &doc->nodes[0] : NULL;
}

const struct json_node *json_doc_get(const struct json_doc *doc,
				     const struct json_node *obj,
				     const char *key)
{
	size_t len;
	uint32_t h;

	if (!obj || obj->kind != JDOC_OBJECT)
		return NULL;
	len = strlen(key);
	h = hash_bytes((const unsigned char *)key, len);
	for (uint32_t i = obj->first; i; i = doc->nodes[i].next) {
		const struct json_node *m = &doc->nodes[i];

		if (m->key_hash == h && m->key_len == len &&
		    memcmp(m->key, key, len) == 0)
			return m;
	}
	return NULL;
}

const struct json_node *json_doc_first(const struct json_doc *doc,
				       const struct json_node *n)
{
	if (!n || (n->kind != JDOC_OBJECT && n->kind != JDOC_ARRAY) || !n->first)
		return NULL;
	return &doc->nodes[n->first];
}

const struct json_node *json_doc_next(const struct json_doc *doc,
				      const struct json_node *n)
{
	return n && n->next ? &doc->nodes[n->next] : NULL;
}

const char *json_doc_string(const struct json_node *n)
{
	return n && n->kind == JDOC_STRING ? n->v.s : NULL;
}

bool json_doc_is(const struct json_node *n, enum json_doc_kind kind)
{
	return n && n->kind == kind;
}
