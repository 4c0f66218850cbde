/*
 * demotions.c - the intent_demotions table (see demotions.h).
 */
#include "store/demotions.h"

#include "store/store_internal.h"

#include <string.h>

int store_demotion_get(store *s, const char *intent, struct demotion *out)
{
	static const char sql[] =
		"SELECT demoted_at, coalesce(restored_at, 0), mean_acceptance,"
		" drafts, restored_at IS NULL FROM intent_demotions WHERE intent = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	int step;

	memset(out, 0, sizeof(*out));
	if (!st)
		return DP_ESTORE;
	store_bind_text(st, 1, intent);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		out->demoted_at = sqlite3_column_int64(st, 0);
		out->restored_at = sqlite3_column_int64(st, 1);
		out->mean = sqlite3_column_double(st, 2);
		out->drafts = sqlite3_column_int(st, 3);
		out->demoted = sqlite3_column_int(st, 4) != 0;
	}
	store_done(st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : DP_ESTORE;
}

int store_demotion_set(store *s, const char *intent, double mean, int drafts,
		       int64_t now_ms)
{
	static const char sql[] =
		"INSERT INTO intent_demotions (intent, demoted_at, mean_acceptance,"
		" drafts) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT (intent) DO UPDATE SET demoted_at = excluded.demoted_at,"
		" mean_acceptance = excluded.mean_acceptance,"
		" drafts = excluded.drafts, restored_at = NULL";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (!st)
		return DP_ESTORE;
	store_bind_text(st, 1, intent);
	sqlite3_bind_int64(st, 2, now_ms);
	sqlite3_bind_double(st, 3, mean);
	sqlite3_bind_int(st, 4, drafts);
	return store_run_changes(st) < 0 ? DP_ESTORE : 0;
}

int store_demotion_restore(store *s, const char *intent, int64_t now_ms)
{
	static const char sql[] =
		"UPDATE intent_demotions SET restored_at = ?2"
		" WHERE intent = ?1 AND restored_at IS NULL";
	sqlite3_stmt *st = store_stmt(s, sql);
	int n;

	if (!st)
		return DP_ESTORE;
	store_bind_text(st, 1, intent);
	sqlite3_bind_int64(st, 2, now_ms);
	n = store_run_changes(st);
	if (n < 0)
		return n;
	return n == 0 ? DP_ENOTFOUND : 0;
}

json_t *store_demotion_list(store *s)
{
	static const char sql[] =
		"SELECT intent, restored_at IS NULL, demoted_at, restored_at,"
		" mean_acceptance, drafts FROM intent_demotions ORDER BY intent";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list;
	int step;

	if (!st)
		return NULL;
	list = json_array();
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(
			list,
			json_pack("{s:o, s:b, s:o, s:o, s:o, s:o}", "intent",
				  store_column_json(st, 0), "demoted",
				  sqlite3_column_int(st, 1), "demoted_at",
				  store_column_json(st, 2), "restored_at",
				  store_column_json(st, 3), "mean_acceptance",
				  store_column_json(st, 4), "drafts",
				  store_column_json(st, 5)));
	store_done(st);
	if (step != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}
