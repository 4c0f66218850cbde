/*
 * triage_cmd.c - `deskpilot triage [-c FILE] [--format csv|jsonl] FILE|-`:
 * preview decisions on exported tickets, without any helpdesk.
 *
 * Input is a CSV file with a text column (optional email, organization,
 * vip columns) or JSON lines of normalized events (common/event.h). The
 * format defaults to jsonl for *.jsonl and *.json names, csv otherwise.
 * Output: one JSON object per ticket on stdout, in input order:
 * {"outcome","intent","confidence","reasons":[{"code","evidence"}]}.
 *
 * VIP rules and the model come from the configured database, or the
 * built-in model when it has none; a stored model that does not load
 * sends every ticket not caught by tiers or cues to a human (reason
 * no_model). Texts are cleaned as the pipeline cleans them; a
 * content_type column of text/html marks HTML bodies.
 */
#include "cli/cli.h"

#include "common/buf.h"
#include "common/clean.h"
#include "config/config.h"
#include "store/model.h"
#include "store/vip.h"
#include "triage/builtin.h"
#include "triage/eval.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest JSON line accepted. */
#define JSONL_LINE_MAX (1024u * 1024)

struct ctx {
	const struct policy *policy;
	const struct vip_rules *vip;
	const struct classifier *model;
};

static void emit(const struct ctx *cx, const struct ticket_event *ev)
{
	struct triage_input in = {
		.ev = ev,
		.vip = cx->vip,
		.policy = cx->policy,
		.model = cx->model,
	};
	struct decision d;
	json_t *j;

	triage_decide(&in, &d);
	j = decision_to_json(&d);
	json_dumpf(j, stdout, JSON_COMPACT | JSON_REAL_PRECISION(6));
	fputc('\n', stdout);
	json_decref(j);
}

static int run_csv(const struct ctx *cx, const char *path)
{
	struct eval_set set;
	struct dp_error err;

	if (eval_set_load(path, cx->policy, &set, &err) < 0) {
		fprintf(stderr, "deskpilot: %s\n", err.msg);
		return 1;
	}
	eval_set_map_text(&set, clean_message);
	for (size_t i = 0; i < set.n; i++) {
		struct ticket_event ev;

		ticket_event_init(&ev);
		eval_row_event(&set.rows[i], &ev);
		emit(cx, &ev);
	}
	eval_set_release(&set);
	return 0;
}

/* Read one line into b (without the newline); 1 read, 0 EOF, DP_ETOOBIG. */
static int read_line(FILE *f, struct buf *b)
{
	int ch;

	buf_reset(b);
	while ((ch = getc(f)) != EOF && ch != '\n')
		if (buf_putc(b, (char)ch) < 0)
			return DP_ETOOBIG;
	return ch == EOF && b->len == 0 ? 0 : 1;
}

static int run_jsonl(const struct ctx *cx, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	struct buf line;
	long lineno = 0;
	int rc = 0, got;

	if (!f) {
		fprintf(stderr, "deskpilot: cannot read '%s': %s\n", path,
			strerror(errno));
		return 1;
	}
	buf_init(&line, JSONL_LINE_MAX);
	while ((got = read_line(f, &line)) != 0) {
		struct ticket_event ev;
		struct dp_error err;
		json_error_t jerr;
		json_t *j;
		char *clean;

		lineno++;
		if (got < 0) {
			fprintf(stderr, "deskpilot: %s:%ld: line longer than %u bytes\n",
				path, lineno, JSONL_LINE_MAX);
			rc = 1;
			break;
		}
		if (strspn(buf_str(&line), " \t\r") == line.len)
			continue;
		j = json_loads(buf_str(&line), 0, &jerr);
		if (!j) {
			fprintf(stderr, "deskpilot: %s:%ld: column %d: %s\n", path,
				lineno, jerr.column, jerr.text);
			rc = 1;
			break;
		}
		ticket_event_init(&ev);
		if (ticket_event_from_json(j, &ev, &err) < 0) {
			fprintf(stderr, "deskpilot: %s:%ld: %s\n", path, lineno,
				err.msg);
			ticket_event_release(&ev);
			json_decref(j);
			rc = 1;
			break;
		}
		clean = clean_text(ev.body);
		free(ev.body);
		ev.body = clean;
		emit(cx, &ev);
		ticket_event_release(&ev);
		json_decref(j);
	}
	buf_release(&line);
	if (f != stdin)
		fclose(f);
	return rc;
}

static bool jsonl_name(const char *path)
{
	size_t n = strlen(path);

	return (n > 6 && strcmp(path + n - 6, ".jsonl") == 0) ||
	       (n > 5 && strcmp(path + n - 5, ".json") == 0);
}

int cmd_triage(int argc, char **argv)
{
	struct config cfg;
	struct dp_error err;
	struct vip_rules vip;
	struct classifier *model = NULL;
	bool in_db = false;
	const char *path = NULL, *format = NULL;
	store *s;
	int rc = cli_load_config(&argc, argv, &cfg);

	vip_rules_init(&vip);
	if (rc != 0)
		goto out;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
			format = argv[++i];
		else if (!path)
			path = argv[i];
		else
			path = NULL, i = argc;
	}
	if (!path || (format && strcmp(format, "csv") != 0 &&
		      strcmp(format, "jsonl") != 0)) {
		fprintf(stderr, "usage: deskpilot triage [-c FILE] [--format csv|jsonl] FILE|-\n");
		rc = EXIT_USAGE;
		goto out;
	}
	s = store_open(cfg.database, &err);
	if (s) {
		if (store_vip_load(s, &vip) < 0)
			fprintf(stderr, "deskpilot: cannot read VIP rules\n");
		in_db = store_model_stamp(s) != 0;
		if (in_db && !(model = store_model_load(s, &err)))
			fprintf(stderr, "deskpilot: %s\n", err.msg);
		store_close(s);
	} else {
		fprintf(stderr, "deskpilot: %s; deciding without VIP rules or model\n",
			err.msg);
	}
	{
		struct ctx cx = {
			.policy = &cfg.policy,
			.vip = &vip,
			.model = builtin_pick(in_db, model),
		};
		bool jsonl = format ? strcmp(format, "jsonl") == 0 : jsonl_name(path);

		rc = jsonl ? run_jsonl(&cx, path) : run_csv(&cx, path);
	}
out:
	classifier_free(model);
	vip_rules_release(&vip);
	config_release(&cfg);
	return rc;
}
