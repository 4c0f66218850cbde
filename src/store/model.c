/*
 * model.c - the models table (see model.h).
 */
#include "store/model.h"

#include "store/store_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#define MODEL_NAME "intent"

struct classifier *store_model_load(store *s, struct dp_error *err)
{
	static const char sql[] =
		"SELECT data FROM models WHERE name = '" MODEL_NAME "'";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct classifier *m = NULL;
	int rc;

	if (!st) {
		dp_fail(err, DP_ESTORE, "cannot read the intent model");
		return NULL;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		m = classifier_load(sqlite3_column_blob(st, 0),
				    (size_t)sqlite3_column_bytes(st, 0), err);
	else if (rc == SQLITE_DONE)
		dp_fail(err, DP_ENOTFOUND,
			"no intent model trained (run deskpilot train FILE.csv)");
	else
		dp_fail(err, DP_ESTORE, "cannot read the intent model: %s",
			sqlite3_errmsg(s->db));
	store_done(st);
	return m;
}

int store_model_save(store *s, const struct classifier *m, int rows,
		     int64_t now_ms)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO models (name, data, rows, trained_at, meta)"
		" VALUES ('" MODEL_NAME "', ?1, ?2, ?3, ?4)";
	sqlite3_stmt *st = store_stmt(s, sql);
	size_t len;
	unsigned char *blob;
	json_t *j;
	char *meta;
	int rc;

	if (!st)
		return DP_ESTORE;
	blob = classifier_serialize(m, &len);
	j = json_pack("{s:i, s:s}", "classes", (json_int_t)classifier_classes(m),
		      "trained_on", classifier_meta(m));
	meta = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	sqlite3_bind_blob64(st, 1, blob, len, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, rows);
	sqlite3_bind_int64(st, 3, now_ms);
	store_bind_text(st, 4, meta);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : DP_ESTORE;
	store_done(st);
	free(meta);
	free(blob);
	return rc;
}

int64_t store_model_stamp(store *s)
{
	static const char sql[] =
		"SELECT trained_at FROM models WHERE name = '" MODEL_NAME "'";
	sqlite3_stmt *st = store_stmt(s, sql);
	int64_t t = 0;

	if (!st)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		t = sqlite3_column_int64(st, 0);
	store_done(st);
	return t;
}
