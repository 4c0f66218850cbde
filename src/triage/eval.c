/*
 * eval.c - scoring triage on labelled tickets (see eval.h).
 *
 * Design: load the whole file (capped at EVAL_MAX_ROWS), then decide each
 * row exactly as the service would (triage_decide on an event built from
 * the row) and count. Cross-validation assigns row i to fold i % k, which
 * spreads every intent over all folds whatever the file's order. Latency
 * is the wall time of triage_decide alone, per row, from a monotonic
 * clock; median and 99th percentile are reported.
 */
#include "triage/eval.h"

#include "common/csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const label_names[EVAL_LABELS] = {
	[EVAL_EXPLICIT] = "explicit_request",
	[EVAL_COMPLAINT] = "complaint",
	[EVAL_ANGER] = "anger",
	[EVAL_MONEY] = "money_sensitive",
	[EVAL_SENSITIVE] = "sensitive",
	[EVAL_ROUTINE] = "routine",
	[EVAL_OUT_OF_SCOPE] = "out_of_scope",
	[EVAL_PREMIUM] = "premium",
};

static const char *const class_names[EVAL_CLASSES] = {
	[EVAL_CLASS_VIP] = "human_vip",
	[EVAL_CLASS_HUMAN] = "human",
	[EVAL_CLASS_AI] = "ai",
};

const char *eval_label_name(enum eval_label l)
{
	return (size_t)l < EVAL_LABELS ? label_names[l] : "unknown";
}

static int eval_label_parse(const char *s, enum eval_label *out)
{
	for (size_t i = 0; i < EVAL_LABELS; i++) {
		if (strcasecmp(s, label_names[i]) == 0) {
			*out = (enum eval_label)i;
			return 0;
		}
	}
	return DP_EINVAL;
}

static const char *eval_class_name(enum eval_class c)
{
	return (size_t)c < EVAL_CLASSES ? class_names[c] : "unknown";
}

void eval_set_release(struct eval_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->rows[i].text);
		free(s->rows[i].subject);
		free(s->rows[i].language);
		free(s->rows[i].intent);
		free(s->rows[i].email);
		free(s->rows[i].organization);
	}
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

/* Whether a Bitext tag string holds the offensive-language tag. */
static bool tag_offensive(const char *tags)
{
	return tags && strchr(tags, 'W') != NULL;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* A copy without the spaces around it, NULL when nothing is left. */
static char *trimmed(const char *s)
{
	size_t n;

	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n ? xstrndup(s, n) : NULL;
}

/* Fill row r from the current record; 0 or DP_EINVAL naming the field. */
static int read_row(const struct csv *c, const int *col,
		    const struct policy *p, struct eval_row *r,
		    struct dp_error *err)
{
	enum { TEXT,
	       INTENT,
	       TAGS,
	       LABEL,
	       EMAIL,
	       ORG,
	       VIP,
	       SUBJECT,
	       CTYPE,
	       LANG };
	const char *intent = csv_field(c, col[INTENT]);
	const char *ctype = csv_field(c, col[CTYPE]);
	const char *label = csv_field(c, col[LABEL]);
	const char *vip = csv_field(c, col[VIP]);

	r->line = csv_line(c);
	r->text = xstrdup(csv_field(c, col[TEXT]));
	r->subject = dup_or_null(csv_field(c, col[SUBJECT]));
	r->language = dup_or_null(csv_field(c, col[LANG]));
	r->html = ctype && strncasecmp(ctype, "text/html", 9) == 0;
	r->intent = trimmed(intent);
	r->email = dup_or_null(csv_field(c, col[EMAIL]));
	r->organization = dup_or_null(csv_field(c, col[ORG]));
	if (vip && *vip && dp_parse_bool(vip, &r->vip) < 0)
		return dp_fail(err, DP_EINVAL,
			       "%s:%ld: field 'vip': '%.40s' is not true or false",
			       csv_name(c), r->line, vip);
	r->label = EVAL_ROUTINE;
	if (label && *label) {
		if (eval_label_parse(label, &r->label) < 0)
			return dp_fail(err, DP_EINVAL,
				       "%s:%ld: field 'label': unknown label '%.40s'",
				       csv_name(c), r->line, label);
		r->labelled = true;
	} else if (r->intent) {
		r->labelled = true;
		if (p && policy_list_has(p->explicit_request_intents, r->intent))
			r->label = EVAL_EXPLICIT;
		else if (p && policy_list_has(p->complaint_intents, r->intent))
			r->label = EVAL_COMPLAINT;
		else if (tag_offensive(csv_field(c, col[TAGS])))
			r->label = EVAL_ANGER;
		else if (p && policy_list_has(p->money_sensitive_intents, r->intent))
			r->label = EVAL_MONEY;
	}
	return 0;
}

int eval_set_read(FILE *f, const char *name, const struct policy *p,
		  struct eval_set *out, struct dp_error *err)
{
	/* clang-format off */
	static const char *const names[][2] = {
		{"text", "instruction"}, {"intent", NULL}, {"tags", NULL},
		{"label", NULL}, {"email", NULL}, {"organization", NULL},
		{"vip", NULL}, {"subject", NULL}, {"content_type", NULL},
		{"language", NULL},
	};
	/* clang-format on */
	int col[DP_ARRAY_LEN(names)];
	struct csv *c = csv_new(f, name);
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = csv_read_header(c, err)) < 0)
		goto out;
	for (size_t i = 0; i < DP_ARRAY_LEN(names); i++) {
		col[i] = csv_column(c, names[i][0]);
		if (col[i] < 0 && names[i][1])
			col[i] = csv_column(c, names[i][1]);
	}
	if (col[0] < 0) {
		rc = dp_fail(err, DP_EINVAL,
			     "%s:1: no 'text' (or 'instruction') column", name);
		goto out;
	}
	out->has_intent = col[1] >= 0;
	while ((rc = csv_next(c, err)) > 0) {
		if (out->n == EVAL_MAX_ROWS) {
			rc = dp_fail(err, DP_ETOOBIG, "%s:%ld: more than %d rows",
				     name, csv_line(c), EVAL_MAX_ROWS);
			goto out;
		}
		if (out->n == cap) {
			cap = cap ? 2 * cap : 256;
			out->rows = xrealloc(out->rows, cap * sizeof(*out->rows));
		}
		memset(&out->rows[out->n], 0, sizeof(out->rows[0]));
		out->n++;
		if ((rc = read_row(c, col, p, &out->rows[out->n - 1], err)) < 0)
			goto out;
	}
out:
	csv_free(c);
	if (rc < 0)
		eval_set_release(out);
	return rc < 0 ? rc : 0;
}

int eval_set_load(const char *path, const struct policy *p,
		  struct eval_set *out, struct dp_error *err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	int rc;

	memset(out, 0, sizeof(*out));
	if (!f)
		return dp_fail(err, DP_EIO, "cannot read '%s': %s", path,
			       strerror(errno));
	rc = eval_set_read(f, path, p, out, err);
	if (!is_stdin)
		fclose(f);
	return rc;
}

void eval_set_map_text(struct eval_set *s,
		       char *(*fn)(const char *text, bool html))
{
	for (size_t i = 0; i < s->n; i++) {
		struct eval_row *r = &s->rows[i];
		char *t = fn(r->text, r->html);

		free(r->text);
		r->text = t;
		r->html = false;
		if (r->subject) {
			t = fn(r->subject, false);
			free(r->subject);
			r->subject = t;
		}
	}
}

void eval_row_event(const struct eval_row *r, struct ticket_event *ev)
{
	ev->kind = EVENT_CUSTOMER_MESSAGE;
	ev->body = r->text;
	ev->subject = r->subject;
	ev->customer_email = r->email;
	ev->organization = r->organization;
	ev->customer_vip = r->vip;
}

struct classifier_example *eval_training_rows(const struct eval_set *set,
					      int k, int f,
					      const struct classifier_example *extra,
					      size_t n_extra, size_t *n)
{
	struct classifier_example *ex = xcalloc(set->n + n_extra + 1, sizeof(*ex));

	*n = 0;
	for (size_t i = 0; i < set->n; i++) {
		const struct eval_row *r = &set->rows[i];
		bool background = r->labelled && r->label == EVAL_OUT_OF_SCOPE;

		if (!r->intent && !background)
			continue;
		if (k >= 2 && (int)(i % (size_t)k) == f)
			continue;
		ex[*n].text = r->text;
		ex[*n].name = r->intent ? r->intent : "other";
		ex[*n].kind = background                                  ? CLASS_BACKGROUND
			      : r->labelled && r->label == EVAL_SENSITIVE ? CLASS_SENSITIVE
									  : CLASS_INTENT;
		(*n)++;
	}
	for (size_t i = 0; i < n_extra; i++)
		ex[(*n)++] = extra[i];
	return ex;
}

static enum eval_class expected_class(const struct eval_row *r,
				      const struct policy *p)
{
	if (r->label == EVAL_PREMIUM)
		return EVAL_CLASS_VIP;
	if (r->label != EVAL_ROUTINE)
		return EVAL_CLASS_HUMAN;
	/* The knowledge base does not cover the language: a person. */
	if (r->language && p->languages && p->languages[0] &&
	    !policy_list_has(p->languages, r->language))
		return EVAL_CLASS_HUMAN;
	return EVAL_CLASS_AI;
}

static enum eval_class outcome_class(enum outcome o)
{
	if (o == OUTCOME_HUMAN_VIP)
		return EVAL_CLASS_VIP;
	return outcome_is_human(o) || o == OUTCOME_NONE ? EVAL_CLASS_HUMAN
							: EVAL_CLASS_AI;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void score(const struct eval_row *r, const struct policy *p,
		  const struct decision *d, struct eval_report *rep)
{
	enum outcome o = d->would_be;
	enum eval_class want = expected_class(r, p), got = outcome_class(o);

	rep->n++;
	rep->label_n[r->label]++;
	rep->matrix[r->label][o]++;
	if (want == got) {
		rep->class_tp[got]++;
	} else {
		rep->class_fp[got]++;
		rep->class_fn[want]++;
	}
	if (r->label == EVAL_ROUTINE && r->intent) {
		bool ok = strcmp(d->intent, r->intent) == 0;
		int bin = (int)(d->confidence * 10);

		rep->intent_n++;
		rep->intent_ok += ok;
		bin = bin < 0 ? 0 : bin > 9 ? 9
					    : bin;
		rep->conf_n[bin]++;
		rep->conf_ok[bin] += ok;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double rate(size_t num, size_t den)
{
	return den ? (double)num / (double)den : -1.0;
}

static void derive(struct eval_report *r)
{
	size_t human_n = 0, human_ok = 0;

	for (int l = EVAL_EXPLICIT; l <= EVAL_ANGER; l++) {
		human_n += r->label_n[l];
		human_ok += r->matrix[l][OUTCOME_HUMAN] +
			    r->matrix[l][OUTCOME_HUMAN_VIP];
	}
	r->human_recall = rate(human_ok, human_n);
	r->routine_automation =
		rate(r->matrix[EVAL_ROUTINE][OUTCOME_AI_DRAFT] +
			     r->matrix[EVAL_ROUTINE][OUTCOME_AI_REPLY],
		     r->label_n[EVAL_ROUTINE]);
	r->intent_accuracy = rate(r->intent_ok, r->intent_n);
	r->out_of_scope_kept =
		rate(r->matrix[EVAL_OUT_OF_SCOPE][OUTCOME_HUMAN] +
			     r->matrix[EVAL_OUT_OF_SCOPE][OUTCOME_HUMAN_VIP],
		     r->label_n[EVAL_OUT_OF_SCOPE]);
	r->premium_vip = rate(r->matrix[EVAL_PREMIUM][OUTCOME_HUMAN_VIP],
			      r->label_n[EVAL_PREMIUM]);
	r->money_kept = rate(r->matrix[EVAL_MONEY][OUTCOME_HUMAN] +
				     r->matrix[EVAL_MONEY][OUTCOME_HUMAN_VIP],
			     r->label_n[EVAL_MONEY]);
	r->sensitive_kept = rate(r->matrix[EVAL_SENSITIVE][OUTCOME_HUMAN] +
					 r->matrix[EVAL_SENSITIVE][OUTCOME_HUMAN_VIP],
				 r->label_n[EVAL_SENSITIVE]);
}

/* Decide the rows of fold f (all rows when k < 2) with model m. */
static void decide_rows(const struct eval_set *set, const struct policy *p,
			const struct vip_rules *vip, const struct classifier *m,
			int k, int f, struct eval_report *rep, double *lat,
			size_t *n_lat)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct eval_row *r = &set->rows[i];
		struct ticket_event ev;
		struct triage_input in = {
			.ev = &ev,
			.vip = vip,
			.policy = p,
			.model = m,
		};
		struct decision d;
		double t0;

		if (!r->labelled || (k >= 2 && (int)(i % (size_t)k) != f))
			continue;
		ticket_event_init(&ev);
		eval_row_event(r, &ev);
		t0 = now_us();
		triage_decide(&in, &d);
		lat[(*n_lat)++] = now_us() - t0;
		score(r, p, &d, rep);
	}
}

int eval_run(const struct eval_set *set, const struct policy *p,
	     const struct vip_rules *vip, const struct classifier *model,
	     int folds, const struct classifier_example *extra, size_t n_extra,
	     struct eval_report *out, struct dp_error *err)
{
	double *lat = xmalloc((set->n + 1) * sizeof(*lat));
	size_t n_lat = 0;

	memset(out, 0, sizeof(*out));
	out->folds = folds >= 2 ? folds : 0;
	if (folds >= 2) {
		for (int f = 0; f < folds; f++) {
			size_t n;
			struct classifier_example *ex = eval_training_rows(
				set, folds, f, extra, n_extra, &n);
			struct classifier *m = classifier_train(ex, n, NULL, err);

			free(ex);
			if (!m) {
				free(lat);
				return DP_EINVAL;
			}
			decide_rows(set, p, vip, m, folds, f, out, lat, &n_lat);
			classifier_free(m);
		}
	} else {
		decide_rows(set, p, vip, model, 0, 0, out, lat, &n_lat);
	}
	if (n_lat) {
		qsort(lat, n_lat, sizeof(*lat), cmp_double);
		out->latency_median_us = lat[n_lat / 2];
		out->latency_p99_us = lat[(n_lat * 99) / 100 < n_lat
						  ? (n_lat * 99) / 100
						  : n_lat - 1];
	}
	free(lat);
	derive(out);
	return 0;
}

static void print_rate(FILE *out, const char *name, double v, const char *note)
{
	if (v < 0)
		fprintf(out, "%-28s n/a (no rows)\n", name);
	else
		fprintf(out, "%-28s %.4f  %s\n", name, v, note);
}

void eval_print(const struct eval_report *r, FILE *out)
{
	fprintf(out, "tickets: %zu%s\n", r->n,
		r->folds ? "" : " (model from the store)");
	if (r->folds)
		fprintf(out, "cross-validation: %d folds\n", r->folds);
	fprintf(out, "\nper outcome        precision  recall\n");
	for (int c = 0; c < EVAL_CLASSES; c++) {
		double pr = rate(r->class_tp[c], r->class_tp[c] + r->class_fp[c]);
		double rc = rate(r->class_tp[c], r->class_tp[c] + r->class_fn[c]);

		fprintf(out, "  %-16s", eval_class_name((enum eval_class)c));
		if (pr < 0)
			fprintf(out, " %9s", "n/a");
		else
			fprintf(out, " %9.4f", pr);
		if (rc < 0)
			fprintf(out, "  %6s\n", "n/a");
		else
			fprintf(out, "  %6.4f\n", rc);
	}
	fprintf(out, "\nconfusion (label x outcome)\n  %-18s %7s", "", "rows");
	for (int o = OUTCOME_NONE + 1; o <= OUTCOME_AI_REPLY; o++)
		fprintf(out, " %9s", outcome_name((enum outcome)o));
	fputc('\n', out);
	for (int l = 0; l < EVAL_LABELS; l++) {
		if (!r->label_n[l])
			continue;
		fprintf(out, "  %-18s %7zu", eval_label_name((enum eval_label)l),
			r->label_n[l]);
		for (int o = OUTCOME_NONE + 1; o <= OUTCOME_AI_REPLY; o++)
			fprintf(out, " %9zu", r->matrix[l][o]);
		fputc('\n', out);
	}
	fputc('\n', out);
	print_rate(out, "needs-human recall", r->human_recall,
		   "explicit_request + complaint + anger -> human");
	print_rate(out, "routine automation", r->routine_automation,
		   "routine -> ai_draft/ai_reply");
	print_rate(out, "intent accuracy", r->intent_accuracy, "routine rows");
	print_rate(out, "money-sensitive kept", r->money_kept,
		   "money_sensitive -> human");
	print_rate(out, "sensitive kept", r->sensitive_kept,
		   "sensitive -> human");
	print_rate(out, "out-of-scope kept from AI", r->out_of_scope_kept,
		   "out_of_scope -> human");
	print_rate(out, "premium -> human_vip", r->premium_vip, "premium rows");
	fprintf(out, "%-28s median %.1f us, p99 %.1f us (triage_decide only)\n",
		"latency per ticket", r->latency_median_us, r->latency_p99_us);
	if (!r->intent_n)
		return;
	fprintf(out, "\nreliability (routine rows by the confidence of the decided intent)\n"
		     "  confidence   rows  intent right\n");
	for (int b = 0; b < 10; b++)
		if (r->conf_n[b])
			fprintf(out, "  %.1f-%.1f  %7zu  %11.3f\n", b / 10.0,
				(b + 1) / 10.0, r->conf_n[b],
				(double)r->conf_ok[b] / (double)r->conf_n[b]);
}
