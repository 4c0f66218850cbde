/*
 * stats.c - derived figures, the stats table and the store-backed metrics
 * (see stats.h).
 *
 * Design: the store returns raw counts as JSON (store_report_figures);
 * this file derives ratios and estimates from them, and both renderings
 * (table and JSON) read the same object, so they cannot disagree.
 */
#include "ops/stats.h"

#include "store/demotions.h"
#include "store/reports.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <time.h>

static int64_t count_of(const json_t *obj, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(obj, key));
}

/* n digits at p as an int, or -1. */
static int digits(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD[THH:MM[:SS]][Z]" as UTC; DP_EINVAL unless it is a real
 * date and time. */
static int parse_date(const char *s, int64_t *out_ms)
{
	size_t n = strlen(s);
	struct tm tm, check;
	time_t t;

	if (n && s[n - 1] == 'Z')
		n--;
	if (n != 10 && n != 16 && n != 19)
		return DP_EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 5, 2) - 1;
	tm.tm_mday = digits(s + 8, 2);
	if (s[4] != '-' || s[7] != '-' || tm.tm_year < 70 || tm.tm_mon < 0 ||
	    tm.tm_mday < 1)
		return DP_EINVAL;
	if (n >= 16) {
		tm.tm_hour = digits(s + 11, 2);
		tm.tm_min = digits(s + 14, 2);
		if (s[10] != 'T' || s[13] != ':' || tm.tm_hour < 0 || tm.tm_min < 0)
			return DP_EINVAL;
	}
	if (n == 19) {
		tm.tm_sec = digits(s + 17, 2);
		if (s[16] != ':' || tm.tm_sec < 0)
			return DP_EINVAL;
	}
	check = tm;
	t = timegm(&tm);
	/* timegm normalises 2024-02-30 to March: refuse what moved. */
	if (t == (time_t)-1 || tm.tm_mday != check.tm_mday ||
	    tm.tm_mon != check.tm_mon || tm.tm_hour != check.tm_hour ||
	    tm.tm_min != check.tm_min || tm.tm_sec != check.tm_sec)
		return DP_EINVAL;
	*out_ms = (int64_t)t * 1000;
	return 0;
}

int stats_parse_since(const char *s, int64_t now_ms, int64_t *out_ms,
		      struct dp_error *err)
{
	size_t n = strlen(s);
	long long v;

	if (n >= 2 && n < 16 && strchr("mhd", s[n - 1])) {
		char num[16];
		int64_t unit = s[n - 1] == 'm'   ? 60000
			       : s[n - 1] == 'h' ? 3600000
						 : 86400000;

		memcpy(num, s, n - 1);
		num[n - 1] = '\0';
		if (dp_parse_ll(num, 0, 100LL * 365 * 86400000 / unit, &v) == 0) {
			*out_ms = now_ms - (int64_t)v * unit;
			return 0;
		}
	} else if (parse_date(s, out_ms) == 0) {
		return 0;
	}
	return dp_fail(err, DP_EINVAL,
		       "'%s' is not a date (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS]) or a span (30m, 24h, 7d)",
		       s);
}

static json_t *iso_time(int64_t ms)
{
	char out[32];
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return json_null();
	strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(out);
}

static bool demoted(const json_t *demotions, const char *intent)
{
	size_t i;
	json_t *d;

	json_array_foreach(demotions, i, d)
		if (json_is_true(json_object_get(d, "demoted")) &&
		    strcmp(json_string_value(json_object_get(d, "intent")), intent) == 0)
			return true;
	return false;
}

json_t *stats_collect(store *s, const struct config *cfg, int64_t since_ms)
{
	json_t *st = store_report_figures(s, since_ms);
	json_t *demotions = st ? store_demotion_list(s) : NULL;
	json_t *eff, *out, *intents, *it;
	int64_t ai, decided, drafts, replies;
	double per_draft;
	size_t i;

	if (!demotions) {
		json_decref(st);
		return NULL;
	}
	eff = json_object_get(st, "effective");
	ai = count_of(eff, "ai_draft") + count_of(eff, "ai_reply");
	decided = count_of(st, "decisions") - count_of(eff, "none");
	out = json_object_get(st, "outcomes");
	drafts = count_of(out, "ai_draft");
	replies = count_of(out, "ai_reply");
	per_draft = cfg->minutes_per_human_ticket - cfg->minutes_per_ai_draft;
	if (per_draft < 0)
		per_draft = 0;
	json_object_set_new(st, "since", since_ms ? iso_time(since_ms) : json_null());
	json_object_set_new(st, "ai_share",
			    json_real(decided > 0 ? (double)ai / (double)decided : 0));
	json_object_set_new(st, "minutes_saved",
			    json_real((double)replies * cfg->minutes_per_human_ticket +
				      (double)drafts * per_draft));
	json_object_set_new(st, "minutes_per_human_ticket",
			    json_real(cfg->minutes_per_human_ticket));
	json_object_set_new(st, "minutes_per_ai_draft",
			    json_real(cfg->minutes_per_ai_draft));
	intents = json_object_get(st, "intents");
	json_array_foreach(intents, i, it)
		json_object_set_new(
			it, "demoted",
			json_boolean(demoted(demotions,
					     json_string_value(json_object_get(it, "intent")))));
	json_object_set_new(st, "demotions", demotions);
	return st;
}

static void print_counts(FILE *out, const char *label, const json_t *obj)
{
	static const char *const order[] = {"human_vip", "human", "ai_draft",
					    "ai_reply", "none"};

	fprintf(out, "%-22s", label);
	for (size_t i = 0; i < DP_ARRAY_LEN(order); i++)
		fprintf(out, "%s%s %lld", i ? "   " : " ", order[i],
			(long long)count_of(obj, order[i]));
	fputc('\n', out);
}

static void print_intents(const json_t *st, FILE *out)
{
	const json_t *intents = json_object_get(st, "intents");
	size_t i;
	json_t *it;

	if (json_array_size(intents) == 0)
		return;
	fprintf(out, "\n%-28s %9s %6s %9s %11s\n", "intent", "decisions", "by AI",
		"measured", "acceptance");
	json_array_foreach(intents, i, it) {
		const json_t *mean = json_object_get(it, "acceptance_mean");
		char acc[16] = "-";

		if (json_is_number(mean))
			snprintf(acc, sizeof(acc), "%.2f", json_number_value(mean));
		fprintf(out, "  %-26s %9lld %6lld %9lld %11s%s\n",
			json_string_value(json_object_get(it, "intent")),
			(long long)count_of(it, "n"), (long long)count_of(it, "ai"),
			(long long)count_of(it, "acceptance_n"), acc,
			json_is_true(json_object_get(it, "demoted"))
				? "  (off auto-reply)"
				: "");
	}
}

static void print_demotions(const json_t *st, FILE *out)
{
	const json_t *list = json_object_get(st, "demotions");
	size_t i;
	json_t *d;
	bool header = false;

	json_array_foreach(list, i, d) {
		if (!json_is_true(json_object_get(d, "demoted")))
			continue;
		if (!header)
			fprintf(out, "\ntaken off the auto-reply list (deskpilot intents restore INTENT):\n");
		header = true;
		fprintf(out, "  %-26s mean acceptance %.2f over %lld drafts\n",
			json_string_value(json_object_get(d, "intent")),
			json_number_value(json_object_get(d, "mean_acceptance")),
			(long long)count_of(d, "drafts"));
	}
}

void stats_print_table(const json_t *st, FILE *out)
{
	const json_t *since = json_object_get(st, "since");
	const json_t *reasons = json_object_get(st, "human_reasons");
	const json_t *vip = json_object_get(st, "vip");
	const json_t *lat = json_object_get(st, "latency_us");
	const json_t *model = json_object_get(st, "model");
	const json_t *eff = json_object_get(st, "effective");
	int64_t ai = count_of(eff, "ai_draft") + count_of(eff, "ai_reply");
	size_t i;
	json_t *r;

	fprintf(out, "deskpilot stats %s%s\n\n",
		json_is_string(since) ? "since " : "",
		json_is_string(since) ? json_string_value(since) : "(all time)");
	fprintf(out, "%-22s %lld on %lld tickets\n", "decisions",
		(long long)count_of(st, "decisions"), (long long)count_of(st, "tickets"));
	print_counts(out, "outcomes", json_object_get(st, "outcomes"));
	if (count_of(json_object_get(st, "outcomes"), "none") > 0)
		print_counts(out, "counting shadow as", eff);
	fprintf(out, "%-22s %lld (%.1f%% of decided)\n", "handled by AI", (long long)ai,
		100.0 * json_number_value(json_object_get(st, "ai_share")));
	fprintf(out, "%-22s about %.0f (%g per AI reply, %g per AI draft)\n",
		"agent minutes saved",
		json_number_value(json_object_get(st, "minutes_saved")),
		json_number_value(json_object_get(st, "minutes_per_human_ticket")),
		fmax(0, json_number_value(json_object_get(st, "minutes_per_human_ticket")) -
				json_number_value(json_object_get(st, "minutes_per_ai_draft"))));
	fprintf(out, "%-22s %lld tickets, %lld answered by an agent, %lld SLA breaches\n",
		"VIP", (long long)count_of(vip, "tickets"),
		(long long)count_of(vip, "answered"), (long long)count_of(vip, "breaches"));
	fprintf(out, "%-22s mean %.1f ms, p50 %.1f ms, p95 %.1f ms\n",
		"decision latency", count_of(lat, "mean") / 1000.0,
		count_of(lat, "p50") / 1000.0, count_of(lat, "p95") / 1000.0);
	fprintf(out, "%-22s %lld calls, %lld failures, mean %lld ms, p95 %lld ms, tokens %lld in / %lld out\n",
		"model", (long long)count_of(model, "calls"),
		(long long)count_of(model, "failures"),
		(long long)count_of(model, "ms_mean"), (long long)count_of(model, "ms_p95"),
		(long long)count_of(model, "tokens_in"),
		(long long)count_of(model, "tokens_out"));
	if (json_array_size(reasons) > 0) {
		fprintf(out, "\ntop reasons for a human\n");
		json_array_foreach(reasons, i, r)
			fprintf(out, "  %-26s %9lld\n",
				json_string_value(json_object_get(r, "code")),
				(long long)count_of(r, "n"));
	}
	print_intents(st, out);
	print_demotions(st, out);
}

/* A Prometheus label value: backslash, quote and newline escaped. */
static void label_value(struct buf *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			buf_putc(out, '\\');
		if (*v == '\n')
			buf_puts(out, "\\n");
		else
			buf_putc(out, *v);
	}
}

static void render_reason(void *ctx, const char *code, int64_t n)
{
	struct buf *out = ctx;

	buf_puts(out, "deskpilot_decision_reasons_total{code=\"");
	label_value(out, code);
	buf_printf(out, "\"} %lld\n", (long long)n);
}

/* Metric lines per intent from stats' "intents" and "demotions". */
static void render_intents(struct buf *out, const json_t *fig,
			   const json_t *demotions)
{
	size_t i;
	json_t *it;

	buf_puts(out,
		 "# HELP deskpilot_draft_acceptance Mean share of AI drafts agents kept, by intent.\n"
		 "# TYPE deskpilot_draft_acceptance gauge\n");
	json_array_foreach(json_object_get(fig, "intents"), i, it) {
		if (count_of(it, "acceptance_n") == 0)
			continue;
		buf_puts(out, "deskpilot_draft_acceptance{intent=\"");
		label_value(out, json_string_value(json_object_get(it, "intent")));
		buf_printf(out, "\"} %.4f\n",
			   json_number_value(json_object_get(it, "acceptance_mean")));
	}
	buf_puts(out,
		 "# HELP deskpilot_intent_demoted 1 while an intent is off the auto-reply list.\n"
		 "# TYPE deskpilot_intent_demoted gauge\n");
	json_array_foreach(demotions, i, it) {
		buf_puts(out, "deskpilot_intent_demoted{intent=\"");
		label_value(out, json_string_value(json_object_get(it, "intent")));
		buf_printf(out, "\"} %d\n", json_is_true(json_object_get(it, "demoted")));
	}
}

void stats_render_metrics(store *s, struct buf *out)
{
	json_t *fig = store_report_figures(s, 0);
	json_t *demotions = store_demotion_list(s);
	const json_t *model = json_object_get(fig, "model");

	buf_puts(out,
		 "# HELP deskpilot_decision_reasons_total Decision reasons by code.\n"
		 "# TYPE deskpilot_decision_reasons_total counter\n");
	store_report_reason_counts(s, render_reason, out);
	if (fig) {
		buf_printf(out,
			   "# HELP deskpilot_model_calls_total Drafts that called the model.\n"
			   "# TYPE deskpilot_model_calls_total counter\n"
			   "deskpilot_model_calls_total %lld\n"
			   "# HELP deskpilot_model_failures_total Decisions handed to a human because the model failed.\n"
			   "# TYPE deskpilot_model_failures_total counter\n"
			   "deskpilot_model_failures_total %lld\n"
			   "# HELP deskpilot_model_wait_seconds_total Time spent waiting for the model.\n"
			   "# TYPE deskpilot_model_wait_seconds_total counter\n"
			   "deskpilot_model_wait_seconds_total %.3f\n"
			   "# HELP deskpilot_model_tokens_total Tokens the model reported.\n"
			   "# TYPE deskpilot_model_tokens_total counter\n"
			   "deskpilot_model_tokens_total{direction=\"in\"} %lld\n"
			   "deskpilot_model_tokens_total{direction=\"out\"} %lld\n"
			   "# HELP deskpilot_sla_breaches_total VIP tickets escalated for want of an agent reply.\n"
			   "# TYPE deskpilot_sla_breaches_total counter\n"
			   "deskpilot_sla_breaches_total %lld\n",
			   (long long)count_of(model, "calls"),
			   (long long)count_of(model, "failures"),
			   count_of(model, "ms_sum") / 1000.0,
			   (long long)count_of(model, "tokens_in"),
			   (long long)count_of(model, "tokens_out"),
			   (long long)count_of(json_object_get(fig, "vip"), "breaches"));
		if (demotions)
			render_intents(out, fig, demotions);
	}
	json_decref(demotions);
	json_decref(fig);
}
