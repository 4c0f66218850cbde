/*
 * train.c - `deskpilot train [-c FILE] FILE.csv [--folds K] [--no-builtin]`:
 * train the intent classifier on a helpdesk's own labelled tickets and
 * store it as the database's model (it replaces the built-in one there).
 *
 * The file has a header with a text column (or Bitext's instruction) and
 * an intent column: the labels the helpdesk uses, as they are (any UTF-8
 * text up to CLASS_NAME_MAX - 1 bytes; spaces around it are dropped). An
 * optional label column marks rows as sensitive (a topic that always
 * needs a person) or out_of_scope (not the helpdesk's business). The
 * built-in rows (off-domain groups and sensitive topics, see
 * triage/builtin.h) are added unless --no-builtin. Texts are cleaned the
 * way the pipeline cleans messages, so training and serving see the same
 * words. Before the final model is trained, K-fold cross-validation on
 * the file's rows (default 5; --folds 0 skips it) prints each intent's
 * precision and recall, and intents with too few rows are named. Nothing
 * is stored unless the whole file is good.
 */
#include "cli/cli.h"

#include "common/clean.h"
#include "config/config.h"
#include "store/model.h"
#include "triage/builtin.h"
#include "triage/eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Below this many rows an intent's figures mean little. */
#define FEW_ROWS 10
/* Passes of the quick model that finds colliding background groups. */
#define QUICK_EPOCHS 3

/* Every row needs a valid intent; errors name file, line and field. */
static int check_rows(const char *path, const struct eval_set *set)
{
	if (!set->has_intent) {
		fprintf(stderr, "deskpilot: %s:1: no 'intent' column\n", path);
		return 1;
	}
	for (size_t i = 0; i < set->n; i++) {
		const struct eval_row *r = &set->rows[i];

		if (!r->intent && r->labelled && r->label == EVAL_OUT_OF_SCOPE)
			continue; /* off-domain text for the background */
		if (!r->intent || !classifier_name_ok(r->intent)) {
			fprintf(stderr,
				"deskpilot: %s:%ld: field 'intent': %s (1 to %d bytes of UTF-8 text without control characters)\n",
				path, r->line, r->intent ? "invalid name" : "empty",
				CLASS_NAME_MAX - 1);
			return 1;
		}
	}
	return 0;
}

struct intent_score {
	const char *name;
	size_t rows, tp, fp;
};

static struct intent_score *score_of(struct intent_score *s, size_t *n,
				     const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	s[*n] = (struct intent_score){.name = name};
	return &s[(*n)++];
}

/* Cross-validate on the file's rows (the first n_file of ex) and print
 * each intent's precision and recall. 0, or 1 on a training error. */
static int report_cv(const struct classifier_example *ex, size_t n,
		     size_t n_file, int folds)
{
	bool *scored = xcalloc(n + 1, sizeof(*scored));
	const char **pred = xcalloc(n + 1, sizeof(*pred));
	double *conf = xcalloc(n + 1, sizeof(*conf));
	struct intent_score *s = xcalloc(2 * n_file + 1, sizeof(*s));
	size_t n_s = 0, right = 0;
	struct dp_error err;
	int rc = 1;

	for (size_t i = 0; i < n_file; i++)
		scored[i] = true;
	if (classifier_cross_validate(ex, n, scored, folds, pred, conf, &err) < 0) {
		fprintf(stderr, "deskpilot: cross-validation: %s\n", err.msg);
		goto out;
	}
	for (size_t i = 0; i < n_file; i++) {
		struct intent_score *truth = score_of(s, &n_s, ex[i].name);

		truth->rows++;
		if (pred[i] && strcmp(pred[i], ex[i].name) == 0) {
			truth->tp++;
			right++;
		} else if (pred[i]) {
			score_of(s, &n_s, pred[i])->fp++;
		}
	}
	printf("%d-fold cross-validation on the file's %zu rows: %.1f%% right\n",
	       folds, n_file, 100.0 * (double)right / (double)n_file);
	printf("  %-40s %6s %9s %7s\n", "intent", "rows", "precision", "recall");
	for (size_t i = 0; i < n_s; i++) {
		if (!s[i].rows) /* a built-in class some rows were taken for */
			continue;
		printf("  %-40.40s %6zu %9.3f %7.3f\n", s[i].name, s[i].rows,
		       s[i].tp + s[i].fp ? (double)s[i].tp / (double)(s[i].tp + s[i].fp)
					 : 0.0,
		       (double)s[i].tp / (double)s[i].rows);
	}
	for (size_t i = 0; i < n_s; i++) {
		if (!s[i].fp || s[i].rows)
			continue;
		printf("  %-40.40s %6s %9s %7s  (%zu of the file's rows read as it)\n",
		       s[i].name, "-", "-", "-", s[i].fp);
	}
	for (size_t i = 0; i < n_s; i++)
		if (s[i].rows && s[i].rows < FEW_ROWS)
			fprintf(stderr,
				"deskpilot: warning: intent '%s' has %zu rows; give it at least %d for a usable model\n",
				s[i].name, s[i].rows, FEW_ROWS);
	rc = 0;
out:
	free(s);
	free(conf);
	free(pred);
	free(scored);
	return rc;
}

/* Index of name in names[0..*n), added when new. */
static size_t name_index(const char **names, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	names[*n] = name;
	return (*n)++;
}

/* Mark in drop[] (by the index of each row's group in groups[]) the
 * background groups that take too many of the file's intent rows, as
 * predicted in pred[]: a tenth of an intent's (with FEW_ROWS or more), or
 * a fiftieth of all of them. */
static void find_collisions(const struct classifier_example *ex, size_t n_file,
			    const char **pred, const char **groups,
			    size_t n_groups, bool *drop)
{
	const char **intents = xcalloc(n_file + 1, sizeof(*intents));
	size_t *of = xcalloc(n_file + 1, sizeof(*of)), n_intents = 0, n_rows = 0;
	size_t *rows, *lost;

	for (size_t i = 0; i < n_file; i++)
		if (ex[i].kind == CLASS_INTENT)
			of[i] = name_index(intents, &n_intents, ex[i].name);
	rows = xcalloc(n_intents + 1, sizeof(*rows));
	lost = xcalloc(n_intents + 1, sizeof(*lost));
	for (size_t i = 0; i < n_file; i++)
		if (ex[i].kind == CLASS_INTENT)
			rows[of[i]]++, n_rows++;
	for (size_t g = 0; g < n_groups; g++) {
		size_t taken = 0;

		memset(lost, 0, (n_intents + 1) * sizeof(*lost));
		for (size_t i = 0; i < n_file; i++) {
			if (ex[i].kind != CLASS_INTENT || !pred[i] ||
			    strcmp(pred[i], groups[g]) != 0)
				continue;
			lost[of[i]]++;
			taken++;
		}
		drop[g] = n_rows && taken * 50 >= n_rows;
		for (size_t k = 0; k < n_intents && !drop[g]; k++)
			drop[g] = rows[k] >= FEW_ROWS && lost[k] * 10 >= rows[k];
	}
	free(lost);
	free(rows);
	free(of);
	free(intents);
}

struct classifier_example *cli_training_rows(const struct eval_set *set,
					     bool with_builtin, size_t *n_file,
					     size_t *n, FILE *report)
{
	const struct classifier_example *extra = NULL;
	struct classifier_example *ex;
	struct classifier *quick = NULL;
	const char **pred = NULL, **groups = NULL;
	size_t n_extra = 0, kept, n_groups = 0, *group_of = NULL;
	bool *drop = NULL;
	struct dp_error err;

	ex = eval_training_rows(set, 0, 0, NULL, 0, n_file);
	*n = *n_file;
	if (!with_builtin)
		return ex;
	if (!(extra = builtin_rows(&n_extra))) {
		fprintf(stderr, "deskpilot: the built-in training rows are unusable (use --no-builtin)\n");
		free(ex);
		return NULL;
	}
	free(ex);
	ex = eval_training_rows(set, 0, 0, extra, n_extra, n);
	/* A group of off-domain text is not off-domain for a helpdesk whose
	 * own tickets read like it (a bank's, for the banking group): a quick
	 * model tells which groups the file's rows are taken for. */
	quick = classifier_train(ex, *n, &(struct classifier_options){.epochs = QUICK_EPOCHS},
				 &err);
	if (!quick) {
		fprintf(stderr, "deskpilot: %s\n", err.msg);
		free(ex);
		return NULL;
	}
	pred = xcalloc(*n_file + 1, sizeof(*pred));
	for (size_t i = 0; i < *n_file; i++) {
		struct classifier_prediction p;

		classifier_predict(quick, ex[i].text, &p);
		if (p.kind == CLASS_BACKGROUND)
			pred[i] = p.name; /* borrowed from quick, freed below */
	}
	groups = xcalloc(*n - *n_file + 1, sizeof(*groups));
	group_of = xcalloc(*n - *n_file + 1, sizeof(*group_of));
	for (size_t i = *n_file; i < *n; i++)
		if (ex[i].kind == CLASS_BACKGROUND)
			group_of[i - *n_file] = name_index(groups, &n_groups, ex[i].name);
	drop = xcalloc(n_groups + 1, sizeof(*drop));
	find_collisions(ex, *n_file, pred, groups, n_groups, drop);
	for (size_t g = 0; g < n_groups; g++)
		if (drop[g])
			fprintf(report,
				"leaving out the built-in background group '%s': the file's own rows read like it\n",
				groups[g]);
	kept = *n_file;
	for (size_t i = *n_file; i < *n; i++)
		if (ex[i].kind != CLASS_BACKGROUND || !drop[group_of[i - *n_file]])
			ex[kept++] = ex[i];
	*n = kept;
	free(drop);
	free(group_of);
	free(groups);
	free(pred);
	classifier_free(quick);
	return ex;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: deskpilot train [-c FILE] FILE.csv [--folds K] [--no-builtin]   (columns text,intent[,label])\n");
}

int cmd_train(int argc, char **argv)
{
	struct config cfg;
	struct dp_error err;
	struct eval_set set = {0};
	struct classifier_example *ex = NULL;
	struct classifier *m = NULL;
	const char *path = NULL;
	long long folds = 5;
	bool with_builtin = true;
	size_t n, n_file;
	char *meta = NULL;
	char when[32];
	time_t now = time(NULL);
	store *s = NULL;
	int rc = cli_load_config(&argc, argv, &cfg);

	if (rc != 0)
		goto out;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--folds") == 0 && i + 1 < argc) {
			if (dp_parse_ll(argv[++i], 0, 100, &folds) < 0 || folds == 1) {
				fprintf(stderr, "deskpilot: --folds must be 0 (none) or 2..100\n");
				rc = EXIT_USAGE;
				goto out;
			}
		} else if (strcmp(argv[i], "--no-builtin") == 0) {
			with_builtin = false;
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			path = NULL;
			break;
		}
	}
	if (!path) {
		usage();
		rc = EXIT_USAGE;
		goto out;
	}
	rc = 1;
	if (eval_set_load(path, &cfg.policy, &set, &err) < 0) {
		fprintf(stderr, "deskpilot: %s\n", err.msg);
		goto out;
	}
	if (check_rows(path, &set) != 0)
		goto out;
	eval_set_map_text(&set, clean_message);
	if (!(ex = cli_training_rows(&set, with_builtin, &n_file, &n, stdout)))
		goto out;
	if (folds >= 2 && report_cv(ex, n, n_file, (int)folds) != 0)
		goto out;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	meta = xasprintf("%zu rows of %.200s%s, trained %s", n_file, path,
			 with_builtin ? " and the built-in rows" : "", when);
	m = classifier_train(ex, n, &(struct classifier_options){.meta = meta}, &err);
	if (!m) {
		fprintf(stderr, "deskpilot: %s: %s\n", path, err.msg);
		goto out;
	}
	if (!(s = cli_open_store(&cfg)))
		goto out;
	if (store_model_save(s, m, (int)n_file, dp_now_ms()) < 0) {
		fprintf(stderr, "deskpilot: cannot store the model in %s\n",
			cfg.database);
		goto out;
	}
	printf("trained on %zu rows of %s%s (%zu classes); model stored in %s\n",
	       n_file, path, with_builtin ? " and the built-in rows" : "",
	       classifier_classes(m), cfg.database);
	rc = 0;
out:
	store_close(s);
	classifier_free(m);
	free(meta);
	free(ex);
	eval_set_release(&set);
	config_release(&cfg);
	return rc;
}
