/*
 * mkmodel.c - dp-mkmodel, the build step that makes what deskpilot ships
 * compiled in (see builtin.h): not installed, run by `make`.
 *
 *   dp-mkmodel builtin OUT.csv CLINC.csv DOMAINS.csv SENSITIVE.csv
 *       The rows every training adds to the helpdesk's own: each CLINC150
 *       query as its domain's background class (or as the sensitive topic
 *       DOMAINS.csv maps its intent to), then the sensitive-topic rows.
 *       Written as CSV text,intent,label with cleaned texts.
 *   dp-mkmodel model OUT.model BUILTIN.csv TRAIN.csv...
 *       The default intent model: the TRAIN files' rows (columns text or
 *       instruction, intent) and the built-in rows, serialized.
 *
 * Output is written to OUT.tmp and renamed, so an interrupted build leaves
 * no half file. Errors name the file and line; exit status 1.
 */
#include "common/clean.h"
#include "common/csv.h"
#include "triage/classifier.h"
#include "triage/eval.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *msg)
{
	fprintf(stderr, "dp-mkmodel: %s\n", msg);
	return 1;
}

static void put_row(FILE *f, const char *text, const char *intent,
		    const char *label)
{
	char *clean = clean_message(text, false);

	csv_put(f, clean);
	fputc(',', f);
	csv_put(f, intent);
	fprintf(f, ",%s\n", label);
	free(clean);
}

/* The rows of a CSV file with the named columns, one callback per row. */
static int each_row(const char *path, const char *const *cols, size_t n_cols,
		    int (*fn)(void *, const char *const *), void *ctx)
{
	FILE *f = fopen(path, "r");
	struct csv *c;
	struct dp_error err;
	int idx[4], rc;

	if (!f) {
		fprintf(stderr, "dp-mkmodel: cannot read '%s': %s\n", path,
			strerror(errno));
		return 1;
	}
	c = csv_new(f, path);
	rc = csv_read_header(c, &err);
	for (size_t i = 0; rc == 0 && i < n_cols; i++)
		if ((idx[i] = csv_column(c, cols[i])) < 0)
			rc = dp_fail(&err, DP_EINVAL, "%s:1: no '%s' column", path,
				     cols[i]);
	while (rc >= 0 && (rc = csv_next(c, &err)) > 0) {
		const char *v[4];

		for (size_t i = 0; i < n_cols; i++)
			v[i] = csv_field(c, idx[i]);
		if (fn(ctx, v) != 0)
			rc = dp_fail(&err, DP_EINVAL, "%s:%ld: unusable row", path,
				     csv_line(c));
	}
	csv_free(c);
	fclose(f);
	if (rc < 0)
		return fail(err.msg);
	return 0;
}

struct domains {
	size_t n;
	char *intent[512], *class[512], *label[512];
	FILE *out;
};

static int add_domain(void *ctx, const char *const *v)
{
	struct domains *d = ctx;

	if (d->n == DP_ARRAY_LEN(d->intent) || !classifier_name_ok(v[1]))
		return 1;
	d->intent[d->n] = xstrdup(v[0]);
	d->class[d->n] = xstrdup(v[1]);
	d->label[d->n] = xstrdup(v[2]);
	d->n++;
	return 0;
}

static int add_background(void *ctx, const char *const *v)
{
	struct domains *d = ctx;

	for (size_t i = 0; i < d->n; i++) {
		if (strcmp(d->intent[i], v[1]) == 0) {
			put_row(d->out, v[0], d->class[i], d -> label[i]);
			return 0;
		}
	}
	return 1; /* an intent the domain table does not know */
}

static int add_sensitive(void *ctx, const char *const *v)
{
	struct domains *d = ctx;

	if (!classifier_name_ok(v[1]))
		return 1;
	put_row(d->out, v[0], v[1], "sensitive");
	return 0;
}

static int finish(FILE *f, const char *tmp, const char *out)
{
	if (fclose(f) != 0 || rename(tmp, out) != 0) {
		fprintf(stderr, "dp-mkmodel: cannot write '%s': %s\n", out,
			strerror(errno));
		remove(tmp);
		return 1;
	}
	return 0;
}

static int make_builtin(char **argv)
{
	static const char *const clinc_cols[] = {"text", "clinc_intent"};
	static const char *const domain_cols[] = {"intent", "class", "label"};
	static const char *const sensitive_cols[] = {"text", "intent"};
	struct domains d = {0};
	char *tmp = xasprintf("%s.tmp", argv[0]);
	int rc = 1;

	if (!(d.out = fopen(tmp, "w"))) {
		fprintf(stderr, "dp-mkmodel: cannot write '%s': %s\n", tmp,
			strerror(errno));
		goto out;
	}
	fputs("text,intent,label\n", d.out);
	if (each_row(argv[2], domain_cols, 3, add_domain, &d) != 0 ||
	    each_row(argv[1], clinc_cols, 2, add_background, &d) != 0 ||
	    each_row(argv[3], sensitive_cols, 2, add_sensitive, &d) != 0) {
		fclose(d.out);
		remove(tmp);
		goto out;
	}
	rc = finish(d.out, tmp, argv[0]);
out:
	for (size_t i = 0; i < d.n; i++) {
		free(d.intent[i]);
		free(d.class[i]);
		free(d.label[i]);
	}
	free(tmp);
	return rc;
}

/* Count the rows and distinct classes of each kind among ex. */
static void describe(const struct classifier_example *ex, size_t n,
		     size_t *rows, size_t *classes)
{
	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		rows[ex[i].kind]++;
		for (size_t j = 0; j < i && !seen; j++)
			seen = ex[j].kind == ex[i].kind &&
			       strcmp(ex[j].name, ex[i].name) == 0;
		classes[ex[i].kind] += !seen;
	}
}

static int make_model(int argc, char **argv)
{
	struct eval_set *sets = xcalloc((size_t)argc, sizeof(*sets));
	struct classifier_example *ex = NULL;
	struct classifier *m = NULL;
	size_t n = 0, rows[CLASS_KINDS] = {0}, classes[CLASS_KINDS] = {0};
	char *tmp = xasprintf("%s.tmp", argv[0]), *meta = NULL;
	struct dp_error err;
	unsigned char *blob = NULL;
	size_t len;
	FILE *f;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		struct classifier_example *part;
		size_t k;

		if (eval_set_load(argv[i], NULL, &sets[i], &err) < 0) {
			fail(err.msg);
			goto out;
		}
		eval_set_map_text(&sets[i], clean_message);
		part = eval_training_rows(&sets[i], 0, 0, ex, n, &k);
		free(ex);
		ex = part;
		n = k;
	}
	describe(ex, n, rows, classes);
	meta = xasprintf("deskpilot %s default model: %zu intents (%zu rows), "
			 "%zu sensitive topics (%zu rows), %zu off-domain groups "
			 "(%zu rows); data/ of the source tree",
			 PACKAGE_VERSION, classes[CLASS_INTENT], rows[CLASS_INTENT],
			 classes[CLASS_SENSITIVE], rows[CLASS_SENSITIVE],
			 classes[CLASS_BACKGROUND], rows[CLASS_BACKGROUND]);
	m = classifier_train(ex, n, &(struct classifier_options){.meta = meta},
			     &err);
	if (!m) {
		fail(err.msg);
		goto out;
	}
	blob = classifier_serialize(m, &len);
	if (!(f = fopen(tmp, "wb")) || fwrite(blob, 1, len, f) != len) {
		fprintf(stderr, "dp-mkmodel: cannot write '%s': %s\n", tmp,
			strerror(errno));
		if (f)
			fclose(f);
		remove(tmp);
		goto out;
	}
	if ((rc = finish(f, tmp, argv[0])) == 0)
		printf("dp-mkmodel: %s: %s, %zu bytes\n", argv[0], meta, len);
out:
	for (int i = 1; i < argc; i++)
		eval_set_release(&sets[i]);
	free(sets);
	free(blob);
	classifier_free(m);
	free(ex);
	free(meta);
	free(tmp);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "builtin") == 0)
		return make_builtin(argv + 2);
	if (argc >= 5 && strcmp(argv[1], "model") == 0)
		return make_model(argc - 2, argv + 2);
	fprintf(stderr,
		"usage: dp-mkmodel builtin OUT.csv CLINC.csv DOMAINS.csv SENSITIVE.csv\n"
		"       dp-mkmodel model OUT.model BUILTIN.csv TRAIN.csv...\n");
	return 2;
}
