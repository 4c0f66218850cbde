/*
 * json_doc.h - a JSON text read once into a small read-only tree: the
 * parser of the webhook hot path.
 *
 * jansson builds a tree of separately allocated values with a hash table
 * per object; for a 7 KB helpdesk payload that is most of the CPU a
 * webhook costs. Here yajl (a validating event parser) feeds one array of
 * nodes and one string arena sized from the input, so a parse makes a
 * handful of allocations and every lookup is a short walk.
 *
 * It is as strict as the jansson parse it replaces (JSON_REJECT_DUPLICATES,
 * no JSON_ALLOW_NUL, no JSON_DECODE_ANY): the text must be valid UTF-8 as
 * RFC 3629 has it; the top level is an object or an array; a key appears
 * once per object; "\u0000" and unpaired surrogate escapes are refused;
 * integers must fit in 64 bits (yajl refuses -2^63 too) and reals in a
 * double; nothing may follow the value; nesting is capped. A refused text
 * leaves nothing to free.
 *
 * Nodes live in the document: every pointer it hands out is borrowed and
 * valid until json_doc_release. Strings are NUL-terminated copies (the
 * length is kept too).
 */
#ifndef DP_JSON_DOC_H
#define DP_JSON_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/dp.h"

enum json_doc_kind {
	JDOC_NULL,
	JDOC_FALSE,
	JDOC_TRUE,
	JDOC_INTEGER,
	JDOC_REAL,
	JDOC_STRING,
	JDOC_ARRAY,
	JDOC_OBJECT,
};

struct json_node {
	enum json_doc_kind kind;
	uint32_t len;   /* a string's bytes; a container's members or items */
	uint32_t next;  /* the parent's next member or item (index), 0: none */
	uint32_t first; /* a container's first member or item, 0: none */
	uint32_t key_len;
	uint32_t key_hash;
	const char *key; /* an object member's name, else NULL */
	union {
		const char *s; /* JDOC_STRING */
		int64_t i;     /* JDOC_INTEGER */
		double d;      /* JDOC_REAL */
	} v;
};

struct json_doc {
	struct json_node *nodes; /* nodes[0] is the root */
	size_t n_nodes;
	char *strings;
};

/* Parse len bytes of text into doc, nesting at most max_depth containers.
 * Returns 0; or DP_EPARSE with err's message a phrase to put after the
 * document's name: "is not JSON: <why> (byte N)" or "nests deeper than N
 * levels". doc needs no initialisation; after an error it holds nothing. */
int json_doc_parse(struct json_doc *doc, const char *text, size_t len,
		   int max_depth, struct dp_error *err);

void json_doc_release(struct json_doc *doc);

/* The top-level value (an object or an array). */
const struct json_node *json_doc_root(const struct json_doc *doc);

/* obj's member named key; NULL when obj is NULL, not an object, or has no
 * such member. */
const struct json_node *json_doc_get(const struct json_doc *doc,
				     const struct json_node *obj,
				     const char *key);

/* A container's first member or item, and the one after n; NULL at the
 * end (and for NULL or a scalar). */
const struct json_node *json_doc_first(const struct json_doc *doc,
				       const struct json_node *n);
const struct json_node *json_doc_next(const struct json_doc *doc,
				      const struct json_node *n);

/* Typed views: NULL or false when n is NULL or of another kind. */
const char *json_doc_string(const struct json_node *n);
bool json_doc_is(const struct json_node *n, enum json_doc_kind kind);

#endif
