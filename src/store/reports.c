/*
 * reports.c - the read-only reports (see reports.h).
 *
 * Design: reports read in autocommit mode; each statement is reset right
 * after use so no read transaction outlives the call.
 */
#include "store/reports.h"

#include "store/sla.h"
#include "store/store_internal.h"

#include <math.h>
#include <stdlib.h>

/* The outcome that counts: what happened, or in shadow mode what would
 * have. Used inside the SQL below. */
#define EFF "(CASE WHEN d.outcome = 'none' THEN coalesce(d.would_be, 'none')" \
	    " ELSE d.outcome END)"

/* Run a `SELECT key, n` grouping over decisions since since_ms into an
 * object {key: n}. */
static int group_counts(store *s, const char *sql, int64_t since_ms,
			json_t *obj)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int step;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, since_ms);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(obj, store_column_text(st, 0),
				    json_integer(sqlite3_column_int64(st, 1)));
	store_done(st);
	return step == SQLITE_DONE ? 0 : DP_ESTORE;
}

/* Nearest-rank percentile q of a sorted column: sql selects the value
 * ordered ascending with ?1 = since and ?2 = offset. */
static int64_t percentile(store *s, const char *sql, int64_t since_ms,
			  int64_t n, double q)
{
	sqlite3_stmt *st;
	int64_t rank, v = 0;

	if (n <= 0)
		return 0;
	rank = (int64_t)ceil(q * (double)n) - 1;
	if (rank < 0)
		rank = 0;
	st = store_stmt(s, sql);
	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, since_ms);
	sqlite3_bind_int64(st, 2, rank);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	store_done(st);
	return v;
}

static int report_totals(store *s, int64_t since_ms, json_t *fig)
{
	static const char sql[] =
		"SELECT count(*), count(DISTINCT d.source || ':' || d.ticket_id)"
		" FROM decisions d WHERE d.decided_at >= ?1";
	static const char outcomes[] =
		"SELECT d.outcome, count(*) FROM decisions d"
		" WHERE d.decided_at >= ?1 GROUP BY 1 ORDER BY 1";
	static const char effective[] =
		"SELECT " EFF ", count(*) FROM decisions d"
		" WHERE d.decided_at >= ?1 GROUP BY 1 ORDER BY 1";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *o = json_object(), *e = json_object();
	int rc = DP_ESTORE;

	json_object_set_new(fig, "outcomes", o);
	json_object_set_new(fig, "effective", e);
	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, since_ms);
	if (sqlite3_step(st) == SQLITE_ROW) {
		json_object_set_new(fig, "decisions",
				    json_integer(sqlite3_column_int64(st, 0)));
		json_object_set_new(fig, "tickets",
				    json_integer(sqlite3_column_int64(st, 1)));
		rc = 0;
	}
	store_done(st);
	if (rc == 0)
		rc = group_counts(s, outcomes, since_ms, o);
	if (rc == 0)
		rc = group_counts(s, effective, since_ms, e);
	return rc;
}

static int report_reasons(store *s, int64_t since_ms, json_t *fig)
{
	static const char sql[] =
		"SELECT json_extract(j.value, '$.code') AS code, count(*)"
		" FROM decisions d, json_each(d.reasons) j"
		" WHERE d.decided_at >= ?1 AND " EFF " IN ('human','human_vip')"
		" GROUP BY code"
		" ORDER BY count(*) DESC, code LIMIT 10";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list = json_array();
	int step;

	json_object_set_new(fig, "human_reasons", list);
	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, since_ms);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list,
				      json_pack("{s:o, s:I}", "code",
						store_column_json(st, 0), "n",
						(json_int_t)sqlite3_column_int64(st, 1)));
	store_done(st);
	return step == SQLITE_DONE ? 0 : DP_ESTORE;
}

static int report_intents(store *s, int64_t since_ms, json_t *fig)
{
	static const char sql[] =
		"SELECT d.intent, count(*),"
		" sum(" EFF " IN ('ai_draft','ai_reply')),"
		" count(d.acceptance), avg(d.acceptance)"
		" FROM decisions d WHERE d.decided_at >= ?1 AND d.intent IS NOT NULL"
		" GROUP BY d.intent ORDER BY count(*) DESC, d.intent";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list = json_array();
	int step;

	json_object_set_new(fig, "intents", list);
	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, since_ms);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(
			list,
			json_pack("{s:o, s:I, s:I, s:I, s:o}", "intent",
				  store_column_json(st, 0), "n",
				  (json_int_t)sqlite3_column_int64(st, 1), "ai",
				  (json_int_t)sqlite3_column_int64(st, 2),
				  "acceptance_n",
				  (json_int_t)sqlite3_column_int64(st, 3),
				  "acceptance_mean", store_column_json(st, 4)));
	store_done(st);
	return step == SQLITE_DONE ? 0 : DP_ESTORE;
}

static int report_vip(store *s, int64_t since_ms, json_t *fig)
{
	/* Each VIP ticket once, from its first VIP decision in the period. */
	static const char sql[] =
		"SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM events e"
		"   WHERE e.source = v.source AND e.ticket_id = v.ticket_id"
		"   AND e.kind = 'agent_reply' AND e.id > v.first_event)), 0)"
		" FROM (SELECT d.source, d.ticket_id, min(d.event_id) AS first_event"
		"   FROM decisions d WHERE d.decided_at >= ?1"
		"   AND " EFF " = 'human_vip' GROUP BY d.source, d.ticket_id) v";
	sqlite3_stmt *st = store_stmt(s, sql);
	int64_t breaches = store_sla_breaches(s, since_ms);
	int rc = DP_ESTORE;

	if (!st || breaches < 0)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, since_ms);
	if (sqlite3_step(st) == SQLITE_ROW) {
		json_object_set_new(
			fig, "vip",
			json_pack("{s:I, s:I, s:I}", "tickets",
				  (json_int_t)sqlite3_column_int64(st, 0),
				  "answered",
				  (json_int_t)sqlite3_column_int64(st, 1),
				  "breaches", (json_int_t)breaches));
		rc = 0;
	}
	store_done(st);
	return rc;
}

static int report_latency(store *s, int64_t since_ms, json_t *fig)
{
	static const char sql[] =
		"SELECT count(latency_us), coalesce(avg(latency_us), 0)"
		" FROM decisions WHERE decided_at >= ?1 AND latency_us > 0";
	static const char sorted[] =
		"SELECT latency_us FROM decisions WHERE decided_at >= ?1"
		" AND latency_us > 0 ORDER BY latency_us LIMIT 1 OFFSET ?2";
	sqlite3_stmt *st = store_stmt(s, sql);
	int64_t n = 0;
	double mean = 0;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, since_ms);
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		mean = sqlite3_column_double(st, 1);
	}
	store_done(st);
	json_object_set_new(
		fig, "latency_us",
		json_pack("{s:I, s:I, s:I, s:I}", "n", (json_int_t)n, "mean",
			  (json_int_t)llround(mean), "p50",
			  (json_int_t)percentile(s, sorted, since_ms, n, 0.5),
			  "p95",
			  (json_int_t)percentile(s, sorted, since_ms, n, 0.95)));
	return 0;
}

static int report_model(store *s, int64_t since_ms, json_t *fig)
{
	static const char sql[] =
		"SELECT count(*), coalesce(sum(model_ms), 0),"
		" coalesce(sum(tokens_in), 0), coalesce(sum(tokens_out), 0)"
		" FROM decisions WHERE decided_at >= ?1"
		" AND (model_ms > 0 OR tokens_in > 0 OR tokens_out > 0)";
	static const char sorted[] =
		"SELECT model_ms FROM decisions WHERE decided_at >= ?1"
		" AND (model_ms > 0 OR tokens_in > 0 OR tokens_out > 0)"
		" ORDER BY model_ms LIMIT 1 OFFSET ?2";
	static const char failures[] =
		"SELECT count(*) FROM decisions d WHERE d.decided_at >= ?1"
		" AND EXISTS (SELECT 1 FROM"
		" json_each(d.reasons) j"
		" WHERE json_extract(j.value, '$.code') = 'model_failed')";
	sqlite3_stmt *st = store_stmt(s, sql);
	int64_t calls = 0, sum = 0, tin = 0, tout = 0, failed = 0;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, since_ms);
	if (sqlite3_step(st) == SQLITE_ROW) {
		calls = sqlite3_column_int64(st, 0);
		sum = sqlite3_column_int64(st, 1);
		tin = sqlite3_column_int64(st, 2);
		tout = sqlite3_column_int64(st, 3);
	}
	store_done(st);
	st = store_stmt(s, failures);
	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, since_ms);
	if (sqlite3_step(st) == SQLITE_ROW)
		failed = sqlite3_column_int64(st, 0);
	store_done(st);
	json_object_set_new(
		fig, "model",
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "calls",
			  (json_int_t)calls, "failures", (json_int_t)failed,
			  "ms_sum", (json_int_t)sum, "ms_mean",
			  (json_int_t)(calls ? (sum + calls / 2) / calls : 0),
			  "ms_p95",
			  (json_int_t)percentile(s, sorted, since_ms, calls, 0.95),
			  "tokens_in", (json_int_t)tin, "tokens_out",
			  (json_int_t)tout));
	return 0;
}

json_t *store_report_figures(store *s, int64_t since_ms)
{
	json_t *fig = json_object();

	if (report_totals(s, since_ms, fig) < 0 ||
	    report_reasons(s, since_ms, fig) < 0 ||
	    report_intents(s, since_ms, fig) < 0 ||
	    report_vip(s, since_ms, fig) < 0 ||
	    report_latency(s, since_ms, fig) < 0 ||
	    report_model(s, since_ms, fig) < 0) {
		json_decref(fig);
		return NULL;
	}
	return fig;
}

/* The outbox rows of one decision, in the order they were planned. */
static json_t *decision_calls(store *s, const char *source, int64_t ticket_id,
			      int64_t decision_id)
{
	static const char sql[] =
		"SELECT id, action, state, attempts, last_error, result, done_at"
		" FROM outbox WHERE source = ?1 AND ticket_id = ?2"
		" AND decision_id = ?3 ORDER BY id";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *calls;
	int step;

	if (!st)
		return NULL;
	calls = json_array();
	store_bind_text(st, 1, source);
	sqlite3_bind_int64(st, 2, ticket_id);
	sqlite3_bind_int64(st, 3, decision_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(
			calls,
			json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
				  store_column_json(st, 0), "action",
				  store_column_json(st, 1), "state", store_column_json(st, 2),
				  "attempts", store_column_json(st, 3), "last_error",
				  store_column_json(st, 4), "result", store_column_json(st, 5),
				  "done_at", store_column_json(st, 6)));
	store_done(st);
	if (step != SQLITE_DONE) {
		json_decref(calls);
		return NULL;
	}
	return calls;
}

/* Per-row fields of store_report_decisions, collected before the outbox
 * rows are read so no two statements interleave. */
struct row {
	json_t *obj;
	char *source;
	int64_t ticket_id;
	int64_t id;
};

json_t *store_report_decisions(store *s, const struct decision_filter *f)
{
	static const char sql[] =
		"SELECT d.id, d.event_id, d.source, d.ticket_id, d.decided_at,"
		" d.outcome, d.would_be, d.intent, d.confidence, d.reasons,"
		" d.drafter, d.draft, d.latency_us, d.model_ms, d.tokens_in,"
		" d.tokens_out, d.acceptance, x.escalated_at"
		" FROM decisions d LEFT JOIN sla_escalations x ON x.decision_id = d.id"
		" WHERE (?1 = 0 OR d.ticket_id = ?1) AND (?2 IS NULL OR d.source = ?2)"
		" AND d.decided_at >= ?3 ORDER BY d.id DESC LIMIT ?4";
	/* clang-format off */
	static const char *const names[] = {
		"id", "event_id", "source", "ticket_id", "decided_at", "outcome",
		"would_be", "intent", "confidence", "reasons", "drafter", "draft",
		"latency_us", "model_ms", "tokens_in", "tokens_out", "acceptance",
		"sla_escalated_at",
	};
	/* clang-format on */
	sqlite3_stmt *st = store_stmt(s, sql);
	int limit = f->limit > 0 ? f->limit : 100;
	struct row *rows;
	json_t *list = NULL;
	int n = 0, step = SQLITE_DONE;

	if (!st)
		return NULL;
	rows = xcalloc((size_t)limit, sizeof(*rows));
	sqlite3_bind_int64(st, 1, f->ticket_id);
	store_bind_text(st, 2, f->source);
	sqlite3_bind_int64(st, 3, f->since_ms);
	sqlite3_bind_int(st, 4, limit);
	while (n < limit && (step = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		json_error_t jerr;

		for (int i = 0; i < (int)DP_ARRAY_LEN(names); i++) {
			json_t *v = i == 9 ? json_loads(store_column_text(st, i), 0, &jerr)
					   : store_column_json(st, i);

			json_object_set_new(o, names[i], v ? v : json_array());
		}
		rows[n].obj = o;
		rows[n].source = xstrdup(store_column_text(st, 2));
		rows[n].ticket_id = sqlite3_column_int64(st, 3);
		rows[n].id = sqlite3_column_int64(st, 0);
		n++;
	}
	if (n == limit)
		step = SQLITE_DONE;
	store_done(st);
	if (step == SQLITE_DONE)
		list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *calls = list ? decision_calls(s, rows[i].source,
						      rows[i].ticket_id, rows[i].id)
				     : NULL;

		if (list && !calls) {
			json_decref(list);
			list = NULL;
		}
		if (list) {
			json_object_set_new(rows[i].obj, "calls", calls);
			json_array_append(list, rows[i].obj);
		}
		json_decref(rows[i].obj);
		free(rows[i].source);
	}
	free(rows);
	return list;
}

int store_report_reason_counts(store *s,
			       void (*fn)(void *ctx, const char *code, int64_t n),
			       void *ctx)
{
	static const char sql[] =
		"SELECT json_extract(j.value, '$.code') AS code, count(*)"
		" FROM decisions d, json_each(d.reasons) j"
		" WHERE code IS NOT NULL"
		" GROUP BY code ORDER BY code";
	sqlite3_stmt *st = store_stmt(s, sql);
	int step;

	if (!st)
		return DP_ESTORE;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, store_column_text(st, 0), sqlite3_column_int64(st, 1));
	store_done(st);
	return step == SQLITE_DONE ? 0 : DP_ESTORE;
}
