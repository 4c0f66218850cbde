/*
 * kb.h - the knowledge base: canned answers by intent, with an FTS5 index
 * (BM25) over title and body.
 *
 * Entries come from `deskpilot kb import` and feed both drafters. The
 * kb_fts index follows the kb table through triggers (schema migration 1),
 * so these functions only touch kb.
 */
#ifndef DP_STORE_KB_H
#define DP_STORE_KB_H

#include <stddef.h>
#include <stdint.h>

#include "common/decision.h"
#include "store/store.h"

/* Hard caps on what an entry may hold (import rejects bigger ones). */
#define KB_INTENT_MAX (INTENT_MAX - 1)
#define KB_TITLE_MAX 200
#define KB_BODY_MAX (8u * 1024)
#define KB_LANGUAGE_MAX 16
/* Most candidates a search returns. */
#define KB_SEARCH_MAX 16

struct kb_entry {
	int64_t id;
	char *intent; /* NULL: general entry */
	char *title;
	char *body;
	char *language; /* "en", "de", ... */
	char *origin;   /* file it came from, or NULL */
	int64_t updated_at;
};

struct kb_hit {
	struct kb_entry e;
	double bm25; /* SQLite's bm25(): lower is better; 0 when the entry
		      * came only from its intent and matched no word */
};

void kb_entry_init(struct kb_entry *e);
void kb_entry_release(struct kb_entry *e);

/* Insert e (e->id ignored); strings are borrowed. Returns 0 with *id_out
 * set, or DP_EINVAL (naming the field in err) when a field is missing or
 * over its cap, or DP_ESTORE. */
int store_kb_add(store *s, const struct kb_entry *e, int64_t now_ms,
		 int64_t *id_out, struct dp_error *err);

/* Delete one entry: 0, DP_ENOTFOUND or DP_ESTORE. */
int store_kb_remove(store *s, int64_t id);

/* Delete every entry imported from origin; returns how many, or
 * DP_ESTORE. */
int store_kb_remove_origin(store *s, const char *origin);

/* Call fn for every entry in id order (the entry is borrowed for the
 * call); stops at the first non-zero return and returns it. Returns 0,
 * fn's value or DP_ESTORE. */
int store_kb_each(store *s, int (*fn)(const struct kb_entry *e, void *arg),
		  void *arg);

/* Merge the FTS index into one segment (after an import: each insert
 * adds a segment, and every search visits all of them). 0 or DP_ESTORE. */
int store_kb_optimize(store *s);

/* Number of entries, or DP_ESTORE. */
int store_kb_count(store *s);

/* Candidates for a reply: up to max (<= KB_SEARCH_MAX) entries, first
 * those of intent (may be NULL or ""), then those matching any word of
 * text (may be NULL), each group best BM25 first. hits[0..*n) are filled;
 * release each .e with kb_entry_release. Returns 0 or DP_ESTORE. */
int store_kb_search(store *s, const char *text, const char *intent,
		    struct kb_hit *hits, size_t max, size_t *n);

#endif
