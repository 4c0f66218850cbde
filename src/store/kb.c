/*
 * kb.c - the kb table and its FTS5 search (see kb.h).
 *
 * Search never passes customer text to FTS5's query syntax: the text is
 * split into words (ASCII letters and digits, plus any non-ASCII byte so
 * accented words stay whole), each word is double-quoted and the words are
 * joined with OR, so no operator, column filter or quote in a ticket can
 * change the query. At most KB_QUERY_TERMS distinct words are used,
 * common function words left out.
 */
#include "store/kb.h"

#include "common/buf.h"
#include "store/store_internal.h"
#include "triage/classifier.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Words of a ticket a search uses; the first ones carry the subject. */
#define KB_QUERY_TERMS 40
#define KB_TERM_MAX 40

#define KB_COLUMNS "kb.id, kb.intent, kb.title, kb.body, kb.language, kb.origin, kb.updated_at"

void kb_entry_init(struct kb_entry *e)
{
	memset(e, 0, sizeof(*e));
}

void kb_entry_release(struct kb_entry *e)
{
	free(e->intent);
	free(e->title);
	free(e->body);
	free(e->language);
	free(e->origin);
	kb_entry_init(e);
}

static void read_entry(sqlite3_stmt *st, struct kb_entry *e)
{
	e->id = sqlite3_column_int64(st, 0);
	e->intent = store_column_dup(st, 1);
	e->title = store_column_dup(st, 2);
	e->body = store_column_dup(st, 3);
	e->language = store_column_dup(st, 4);
	e->origin = store_column_dup(st, 5);
	e->updated_at = sqlite3_column_int64(st, 6);
}

static bool language_ok(const char *s)
{
	for (; *s; s++)
		if (!isalpha((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

/* Whether a field of at most max bytes is present (or optional and absent). */
static int check_field(const char *name, const char *v, size_t max,
		       bool required, struct dp_error *err)
{
	size_t n = v ? strlen(v) : 0;

	if (required && n == 0)
		return dp_fail(err, DP_EINVAL, "field '%s' is empty", name);
	if (n > max)
		return dp_fail(err, DP_EINVAL,
			       "field '%s' is %zu bytes, more than %zu", name, n, max);
	return 0;
}

int store_kb_add(store *s, const struct kb_entry *e, int64_t now_ms,
		 int64_t *id_out, struct dp_error *err)
{
	static const char sql[] =
		"INSERT INTO kb (intent, title, body, language, origin, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	const char *lang = e->language && *e->language ? e->language : "en";
	sqlite3_stmt *st;
	int rc;

	if (check_field("intent", e->intent, KB_INTENT_MAX, false, err) < 0 ||
	    check_field("title", e->title, KB_TITLE_MAX, true, err) < 0 ||
	    check_field("body", e->body, KB_BODY_MAX, true, err) < 0 ||
	    check_field("language", lang, KB_LANGUAGE_MAX, true, err) < 0)
		return DP_EINVAL;
	if (e->intent && *e->intent && !classifier_name_ok(e->intent))
		return dp_fail(err, DP_EINVAL,
			       "field 'intent' must be an intent name (UTF-8 text without control characters or outer spaces), not '%s'",
			       e->intent);
	if (!language_ok(lang))
		return dp_fail(err, DP_EINVAL,
			       "field 'language' must be a language code like 'en', not '%s'",
			       lang);
	st = store_stmt(s, sql);
	if (!st)
		return dp_fail(err, DP_ESTORE, "cannot prepare kb insert");
	store_bind_text(st, 1, e->intent && *e->intent ? e->intent : NULL);
	store_bind_text(st, 2, e->title);
	store_bind_text(st, 3, e->body);
	store_bind_text(st, 4, lang);
	store_bind_text(st, 5, e->origin);
	sqlite3_bind_int64(st, 6, now_ms);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : DP_ESTORE;
	if (rc == 0)
		*id_out = sqlite3_last_insert_rowid(s->db);
	else
		dp_fail(err, rc, "cannot insert kb entry: %s", sqlite3_errmsg(s->db));
	store_done(st);
	return rc;
}

int store_kb_remove(store *s, int64_t id)
{
	static const char sql[] = "DELETE FROM kb WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : DP_ESTORE;
	if (rc == 0 && sqlite3_changes(s->db) == 0)
		rc = DP_ENOTFOUND;
	store_done(st);
	return rc;
}

int store_kb_remove_origin(store *s, const char *origin)
{
	static const char sql[] = "DELETE FROM kb WHERE origin = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (!st)
		return DP_ESTORE;
	store_bind_text(st, 1, origin);
	rc = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(s->db) : DP_ESTORE;
	store_done(st);
	return rc;
}

int store_kb_each(store *s, int (*fn)(const struct kb_entry *e, void *arg),
		  void *arg)
{
	static const char sql[] = "SELECT " KB_COLUMNS " FROM kb ORDER BY id";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc = 0, step;

	if (!st)
		return DP_ESTORE;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct kb_entry e;

		kb_entry_init(&e);
		read_entry(st, &e);
		rc = fn(&e, arg);
		kb_entry_release(&e);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = DP_ESTORE;
	store_done(st);
	return rc;
}

int store_kb_optimize(store *s)
{
	return store_exec(s, "INSERT INTO kb_fts(kb_fts) VALUES ('optimize')");
}

int store_kb_count(store *s)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT count(*) FROM kb");
	int n = DP_ESTORE;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	store_done(st);
	return n;
}

/* Words too common to say anything about a topic (en, de, fr, es), each
 * between spaces. Dropping them keeps queries short and fast. */
static const char stopwords[] =
	" a an and are as at be but by can could do does for from have hi hello"
	" how i if in is it me my no not of on or our please so that the this"
	" to was we what when where which will with would you your"
	" aber auf bei bin bitte das dem den der die ein eine es hallo ich ist"
	" mein meine mit nicht noch sie und von wie wo zu"
	" au avec ce de des du est et je la le les mais mon ne pas pour que qui"
	" un une vous"
	" con el en es hola los mi por que se su una y ";

static bool stopword(const char *w, size_t n)
{
	char key[16];

	if (n + 2 >= sizeof(key))
		return false;
	key[0] = ' ';
	memcpy(key + 1, w, n);
	key[n + 1] = ' ';
	key[n + 2] = '\0';
	return strstr(stopwords, key) != NULL;
}

static bool word_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* The FTS5 query for text: distinct quoted words joined by OR, into q.
 * Returns the number of words. */
static size_t build_query(const char *text, struct buf *q)
{
	size_t terms = 0;
	const unsigned char *p = (const unsigned char *)text;

	while (*p && terms < KB_QUERY_TERMS) {
		const unsigned char *w;
		size_t n;
		char term[KB_TERM_MAX + 3];

		while (*p && !word_byte(*p))
			p++;
		w = p;
		while (word_byte(*p))
			p++;
		n = (size_t)(p - w);
		if (n < 2 || n > KB_TERM_MAX)
			continue;
		term[0] = '"';
		for (size_t i = 0; i < n; i++)
			term[i + 1] = (char)tolower(w[i]);
		term[n + 1] = '"';
		term[n + 2] = '\0';
		if (stopword(term + 1, n))
			continue;
		if (q->len && strstr(buf_str(q), term))
			continue;
		if (buf_printf(q, "%s%s", terms ? " OR " : "", term) < 0)
			break;
		terms++;
	}
	return terms;
}

/* Run a prepared search and append its rows to hits[*n..max), skipping
 * ids already there. */
static int collect(sqlite3_stmt *st, struct kb_hit *hits, size_t max, size_t *n)
{
	int step = SQLITE_DONE;

	while (*n < max && (step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		bool seen = false;

		for (size_t i = 0; i < *n && !seen; i++)
			seen = hits[i].e.id == id;
		if (seen)
			continue;
		kb_entry_init(&hits[*n].e);
		read_entry(st, &hits[*n].e);
		hits[*n].bm25 = sqlite3_column_double(st, 7);
		(*n)++;
	}
	return *n == max || step == SQLITE_DONE ? 0 : DP_ESTORE;
}

int store_kb_search(store *s, const char *text, const char *intent,
		    struct kb_hit *hits, size_t max, size_t *n)
{
	/* Two plain queries beat one join: FTS5 ranks the word matches, the
	 * intent's entries are few. */
	static const char by_text[] =
		"SELECT " KB_COLUMNS ", bm25(kb_fts, 2.0, 1.0) AS r"
		" FROM kb_fts JOIN kb ON kb.id = kb_fts.rowid"
		" WHERE kb_fts MATCH ?1 ORDER BY r LIMIT ?2";
	static const char by_intent[] =
		"SELECT " KB_COLUMNS ", 0 FROM kb WHERE intent = ?1 ORDER BY id LIMIT ?2";
	struct kb_hit words[KB_SEARCH_MAX];
	size_t n_words = 0;
	struct buf q;
	sqlite3_stmt *st;
	int rc = 0;

	*n = 0;
	if (max > KB_SEARCH_MAX)
		max = KB_SEARCH_MAX;
	buf_init(&q, KB_QUERY_TERMS * (KB_TERM_MAX + 8));
	if (text && build_query(text, &q) > 0) {
		st = store_stmt(s, by_text);
		if (!st) {
			rc = DP_ESTORE;
			goto out;
		}
		store_bind_text(st, 1, buf_str(&q));
		sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
		rc = collect(st, words, max, &n_words);
		store_done(st);
		if (rc < 0)
			goto out;
	}
	if (intent && *intent) {
		st = store_stmt(s, by_intent);
		if (!st) {
			rc = DP_ESTORE;
			goto out;
		}
		store_bind_text(st, 1, intent);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
		rc = collect(st, hits, max, n);
		store_done(st);
		if (rc < 0)
			goto out;
		/* an intent entry that also matched words keeps its score */
		for (size_t i = 0; i < *n; i++)
			for (size_t j = 0; j < n_words; j++)
				if (words[j].e.id == hits[i].e.id)
					hits[i].bm25 = words[j].bm25;
	}
	/* then the other word matches, best first */
	for (size_t j = 0; j < n_words; j++) {
		bool seen = false;

		for (size_t i = 0; i < *n && !seen; i++)
			seen = hits[i].e.id == words[j].e.id;
		if (seen || *n == max) {
			kb_entry_release(&words[j].e);
			continue;
		}
		hits[(*n)++] = words[j];
	}
	n_words = 0;
out:
	for (size_t j = 0; j < n_words; j++)
		kb_entry_release(&words[j].e);
	if (rc < 0) {
		for (size_t i = 0; i < *n; i++)
			kb_entry_release(&hits[i].e);
		*n = 0;
	}
	buf_release(&q);
	return rc;
}
