/*
 * decisions.c - `deskpilot decisions`: the audit log. Each decision with
 * its reasons and evidence, the drafter, latency, model use, the agent's
 * acceptance of the draft, any SLA escalation, and every helpdesk call
 * made for it with its state, attempts, result and last error.
 */
#include "cli/cli.h"

#include "config/config.h"
#include "connectors/connector.h"
#include "ops/stats.h"
#include "store/reports.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_LIMIT 100000

static void usage(void)
{
	fprintf(stderr, "usage: deskpilot decisions [-c FILE] [--ticket N] [--source ");
	for (size_t i = 0; connector_at(i); i++)
		fprintf(stderr, "%s%s", i ? "|" : "", connector_at(i)->name);
	fprintf(stderr, "]\n"
			"                           [--since DATE|SPAN] [--limit N] [--json]\n");
}

static const char *str(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "-";
}

static long long num(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static void print_time(FILE *out, const json_t *ms)
{
	time_t t = (time_t)(json_integer_value(ms) / 1000);
	struct tm tm;
	char text[32] = "-";

	if (json_is_integer(ms) && gmtime_r(&t, &tm))
		strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%SZ", &tm);
	fputs(text, out);
}

static void print_calls(FILE *out, const json_t *calls)
{
	size_t i;
	json_t *c;

	if (json_array_size(calls) == 0) {
		fprintf(out, "  calls      none\n");
		return;
	}
	json_array_foreach(calls, i, c) {
		long long attempts = num(c, "attempts");

		fprintf(out, "  %-10s #%lld %s %s (%lld attempt%s)", i ? "" : "calls",
			num(c, "id"), str(c, "action"), str(c, "state"), attempts,
			attempts == 1 ? "" : "s");
		if (json_is_string(json_object_get(c, "last_error")))
			fprintf(out, " last error: %s", str(c, "last_error"));
		if (json_is_string(json_object_get(c, "result")))
			fprintf(out, " result: %s", str(c, "result"));
		fputc('\n', out);
	}
}

static void print_decision(FILE *out, const json_t *d)
{
	const json_t *reasons = json_object_get(d, "reasons");
	const json_t *acc = json_object_get(d, "acceptance");
	size_t i;
	json_t *r;

	fprintf(out, "decision %lld  ", num(d, "id"));
	print_time(out, json_object_get(d, "decided_at"));
	fprintf(out, "  %s ticket %lld  event %lld\n", str(d, "source"),
		num(d, "ticket_id"), num(d, "event_id"));
	fprintf(out, "  %-10s %s", "outcome", str(d, "outcome"));
	if (strcmp(str(d, "outcome"), "none") == 0)
		fprintf(out, " (shadow: would be %s)", str(d, "would_be"));
	if (json_is_string(json_object_get(d, "intent")))
		fprintf(out, "  intent %s, confidence %.2f", str(d, "intent"),
			json_number_value(json_object_get(d, "confidence")));
	fputc('\n', out);
	json_array_foreach(reasons, i, r) {
		const char *ev = str(r, "evidence");

		fprintf(out, "  %-10s %s", i ? "" : "reasons", str(r, "code"));
		if (*ev && strcmp(ev, "-") != 0)
			fprintf(out, ": \"%s\"", ev);
		fputc('\n', out);
	}
	fprintf(out, "  %-10s %s, latency %.1f ms, model %lld ms, tokens %lld in / %lld out",
		"drafter", str(d, "drafter"), num(d, "latency_us") / 1000.0,
		num(d, "model_ms"), num(d, "tokens_in"), num(d, "tokens_out"));
	if (json_is_number(acc))
		fprintf(out, ", agent kept %.0f%% of the draft",
			100.0 * json_number_value(acc));
	fputc('\n', out);
	if (json_is_integer(json_object_get(d, "sla_escalated_at"))) {
		fprintf(out, "  %-10s escalated ", "vip sla");
		print_time(out, json_object_get(d, "sla_escalated_at"));
		fputc('\n', out);
	}
	print_calls(out, json_object_get(d, "calls"));
}

int cmd_decisions(int argc, char **argv)
{
	struct config cfg;
	struct decision_filter f = {0};
	struct dp_error err;
	long long v;
	bool json = false;
	store *s = NULL;
	json_t *list = NULL;
	int rc = cli_load_config(&argc, argv, &cfg);

	for (int i = 1; rc == 0 && i < argc; i++) {
		bool more = i + 1 < argc;

		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--ticket") == 0 && more &&
			   dp_parse_ll(argv[i + 1], 1, INT64_MAX, &v) == 0) {
			f.ticket_id = v;
			i++;
		} else if (strcmp(argv[i], "--source") == 0 && more) {
			f.source = argv[++i];
		} else if (strcmp(argv[i], "--limit") == 0 && more &&
			   dp_parse_ll(argv[i + 1], 1, MAX_LIMIT, &v) == 0) {
			f.limit = (int)v;
			i++;
		} else if (strcmp(argv[i], "--since") == 0 && more) {
			if (stats_parse_since(argv[++i], dp_now_ms(), &f.since_ms, &err) < 0) {
				fprintf(stderr, "deskpilot: --since %s\n", err.msg);
				rc = EXIT_USAGE;
			}
		} else {
			usage();
			rc = EXIT_USAGE;
		}
	}
	if (rc)
		goto out;
	s = cli_open_store(&cfg);
	if (!s) {
		rc = 1;
		goto out;
	}
	list = store_report_decisions(s, &f);
	if (!list) {
		fprintf(stderr, "deskpilot: cannot read decisions from '%s'\n",
			cfg.database);
		rc = 1;
		goto out;
	}
	if (json) {
		json_dumpf(list, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		size_t i;
		json_t *d;

		json_array_foreach(list, i, d) {
			if (i)
				putchar('\n');
			print_decision(stdout, d);
		}
		if (json_array_size(list) == 0)
			printf("no decisions match\n");
	}
out:
	json_decref(list);
	store_close(s);
	config_release(&cfg);
	return rc;
}
