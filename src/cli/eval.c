/*
 * eval.c - `deskpilot eval [-c FILE] FILE.csv [--folds K] [--train FILE]`:
 * how good triage is on labelled tickets (see triage/eval.h for the file
 * format and the figures).
 *
 * With --folds K the model is cross-validated on FILE itself; with --train
 * a model is trained from another file first (both add the built-in rows
 * as deskpilot train does, unless --no-builtin); otherwise the configured
 * database's model decides, or the built-in one when it has none. VIP
 * rules come from the database. Texts are cleaned as the pipeline cleans
 * them.
 */
#include "cli/cli.h"

#include "common/clean.h"
#include "config/config.h"
#include "store/model.h"
#include "store/vip.h"
#include "triage/builtin.h"
#include "triage/eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
	fprintf(stderr,
		"usage: deskpilot eval [-c FILE] FILE.csv [--folds K] [--train TRAIN.csv] [--no-builtin]\n");
}

/* Train a model from path as deskpilot train does. */
static struct classifier *train_from(const char *path, const struct policy *p,
				     bool with_builtin)
{
	struct eval_set set;
	struct dp_error err;
	struct classifier_example *ex;
	struct classifier *m = NULL;
	size_t n, n_file;

	if (eval_set_load(path, p, &set, &err) < 0) {
		fprintf(stderr, "deskpilot: %s\n", err.msg);
		return NULL;
	}
	eval_set_map_text(&set, clean_message);
	ex = cli_training_rows(&set, with_builtin, &n_file, &n, stderr);
	if (ex && !(m = classifier_train(ex, n, NULL, &err)))
		fprintf(stderr, "deskpilot: %s: %s\n", path, err.msg);
	free(ex);
	eval_set_release(&set);
	return m;
}

int cmd_eval(int argc, char **argv)
{
	struct config cfg;
	struct dp_error err;
	struct eval_set set = {0};
	struct eval_report rep;
	struct vip_rules vip;
	struct classifier *model = NULL;
	struct classifier_example *rows = NULL;
	const char *path = NULL, *train = NULL;
	long long folds = 0;
	bool with_builtin = true, in_db = false;
	size_t n_rows = 0, n_file = 0;
	store *s;
	int rc = cli_load_config(&argc, argv, &cfg);

	vip_rules_init(&vip);
	if (rc != 0)
		goto out;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--folds") == 0 && i + 1 < argc) {
			if (dp_parse_ll(argv[++i], 2, 100, &folds) < 0) {
				fprintf(stderr, "deskpilot: --folds must be 2..100\n");
				rc = EXIT_USAGE;
				goto out;
			}
		} else if (strcmp(argv[i], "--train") == 0 && i + 1 < argc) {
			train = argv[++i];
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
	if (!set.has_intent && folds) {
		fprintf(stderr, "deskpilot: %s:1: --folds needs an 'intent' column\n",
			path);
		goto out;
	}
	eval_set_map_text(&set, clean_message);
	s = store_open(cfg.database, &err);
	if (s) {
		if (store_vip_load(s, &vip) < 0)
			fprintf(stderr, "deskpilot: cannot read VIP rules\n");
		in_db = store_model_stamp(s) != 0;
		if (!folds && !train && in_db && !(model = store_model_load(s, &err)))
			fprintf(stderr, "deskpilot: %s\n", err.msg);
		store_close(s);
	} else {
		fprintf(stderr, "deskpilot: %s; evaluating without VIP rules or model\n",
			err.msg);
	}
	/* Each fold trains as deskpilot train would on the other folds. */
	if (folds && !(rows = cli_training_rows(&set, with_builtin, &n_file,
						&n_rows, stderr)))
		goto out;
	if (train && !folds) {
		if (!(model = train_from(train, &cfg.policy, with_builtin)))
			goto out;
		in_db = true; /* this model, not the built-in one */
	}
	if (eval_run(&set, &cfg.policy, &vip,
		     folds ? NULL : builtin_pick(in_db, model), (int)folds,
		     rows ? rows + n_file : NULL, n_rows - n_file, &rep, &err) < 0) {
		fprintf(stderr, "deskpilot: %s: %s\n", path, err.msg);
		goto out;
	}
	eval_print(&rep, stdout);
	rc = 0;
out:
	free(rows);
	classifier_free(model);
	vip_rules_release(&vip);
	eval_set_release(&set);
	config_release(&cfg);
	return rc;
}
