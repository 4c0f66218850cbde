/*
 * vip.c - the vip_rules table (see vip.h).
 */
#include "store/vip.h"

#include "common/csv.h"
#include "store/store_internal.h"

#include <stdlib.h>
#include <string.h>

int store_vip_load(store *s, struct vip_rules *out)
{
	static const char sql[] =
		"SELECT kind, value FROM vip_rules ORDER BY id";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (!st)
		return DP_ESTORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		enum vip_kind k;
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *value = (const char *)sqlite3_column_text(st, 1);

		/* The CHECK constraint keeps kinds valid; skip anything else
		 * rather than guess. */
		if (kind && value && vip_kind_parse(kind, &k) == 0)
			vip_rules_add(out, k, value);
	}
	store_done(st);
	return rc == SQLITE_DONE ? 0 : DP_ESTORE;
}

int store_vip_add(store *s, enum vip_kind kind, const char *value,
		  const char *note, int64_t now_ms, struct dp_error *err)
{
	static const char sql[] =
		"INSERT INTO vip_rules (kind, value, note, created_at)"
		" VALUES (?1, ?2, ?3, ?4)";
	sqlite3_stmt *st;
	char *v;
	int rc;

	if (vip_value_check(kind, value, err) < 0)
		return DP_EINVAL;
	st = store_stmt(s, sql);
	if (!st)
		return dp_fail(err, DP_ESTORE, "cannot add rule");
	v = vip_value_normalize(kind, value);
	store_bind_text(st, 1, vip_kind_name(kind));
	store_bind_text(st, 2, v);
	store_bind_text(st, 3, note && *note ? note : NULL);
	sqlite3_bind_int64(st, 4, now_ms);
	rc = sqlite3_step(st);
	store_done(st);
	if ((rc & 0xFF) == SQLITE_CONSTRAINT) { /* extended codes may be on */
		dp_fail(err, DP_EDUP, "rule %s=%s exists already",
			vip_kind_name(kind), v);
		free(v);
		return DP_EDUP;
	}
	free(v);
	if (rc != SQLITE_DONE)
		return dp_fail(err, DP_ESTORE, "cannot add rule: %s",
			       sqlite3_errmsg(s->db));
	return 0;
}

int store_vip_remove(store *s, enum vip_kind kind, const char *value)
{
	static const char sql[] =
		"DELETE FROM vip_rules WHERE kind = ?1 AND value = ?2";
	sqlite3_stmt *st = store_stmt(s, sql);
	char *v;
	int rc;

	if (!st)
		return DP_ESTORE;
	v = vip_value_normalize(kind, value);
	store_bind_text(st, 1, vip_kind_name(kind));
	store_bind_text(st, 2, v);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : DP_ESTORE;
	store_done(st);
	free(v);
	if (rc == 0 && sqlite3_changes(s->db) == 0)
		rc = DP_ENOTFOUND;
	return rc;
}

int store_vip_export(store *s, FILE *out)
{
	static const char sql[] =
		"SELECT kind, value, coalesce(note, '') FROM vip_rules ORDER BY id";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (!st)
		return DP_ESTORE;
	fputs("kind,value,note\n", out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < 3; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);

			if (i)
				fputc(',', out);
			csv_put(out, v ? v : "");
		}
		fputc('\n', out);
	}
	store_done(st);
	return rc == SQLITE_DONE ? 0 : DP_ESTORE;
}
