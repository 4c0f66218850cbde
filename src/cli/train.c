/*
 * train.c - `deskpilot train [-c FILE] FILE.csv`: train the intent
 * classifier from labelled rows and store it as the current model.
 *
 * The file has a header with a text column (or Bitext's instruction) and
 * an intent column; every row needs both. Texts are cleaned the way the
 * pipeline cleans messages, so training and serving see the same words.
 * Nothing is stored unless the whole file is good.
 */
#include "cli/cli.h"

#include "config/config.h"
#include "draft/clean.h"
#include "store/model.h"
#include "triage/eval.h"

#include <stdio.h>
#include <stdlib.h>

/* Every row needs a valid intent; errors name file, line and field. */
static int check_rows(const char *path, const struct eval_set *set)
{
	if (!set->has_intent) {
		fprintf(stderr, "deskpilot: %s:1: no 'intent' column\n", path);
		return 1;
	}
	for (size_t i = 0; i < set->n; i++) {
		const struct eval_row *r = &set->rows[i];

		if (!r->intent || !classifier_intent_ok(r->intent)) {
			fprintf(stderr,
				"deskpilot: %s:%ld: field 'intent': %s (letters, digits, _ . - only, at most %d bytes)\n",
				path, r->line, r->intent ? "invalid name" : "empty",
				INTENT_MAX - 1);
			return 1;
		}
	}
	return 0;
}

int cmd_train(int argc, char **argv)
{
	struct config cfg;
	struct dp_error err;
	struct eval_set set = {0};
	struct classifier_example *ex = NULL;
	struct classifier *m = NULL;
	store *s = NULL;
	size_t n;
	int rc = cli_load_config(&argc, argv, &cfg);

	if (rc != 0)
		goto out;
	if (argc != 2) {
		fprintf(stderr, "usage: deskpilot train [-c FILE] FILE.csv   (columns text,intent)\n");
		rc = EXIT_USAGE;
		goto out;
	}
	rc = 1;
	if (eval_set_load(argv[1], &cfg.policy, &set, &err) < 0) {
		fprintf(stderr, "deskpilot: %s\n", err.msg);
		goto out;
	}
	if (check_rows(argv[1], &set) != 0)
		goto out;
	eval_set_map_text(&set, clean_text);
	ex = eval_training_rows(&set, 0, 0, &n);
	m = classifier_train(ex, n, &err);
	if (!m) {
		fprintf(stderr, "deskpilot: %s: %s\n", argv[1], err.msg);
		goto out;
	}
	s = cli_open_store(&cfg);
	if (!s) {
		goto out;
	}
	if (store_model_save(s, m, (int)n, dp_now_ms()) < 0) {
		fprintf(stderr, "deskpilot: cannot store the model in %s\n",
			cfg.database);
		goto out;
	}
	printf("trained on %zu rows, %zu intents; model stored in %s\n", n,
	       classifier_intents(m), cfg.database);
	rc = 0;
out:
	store_close(s);
	classifier_free(m);
	free(ex);
	eval_set_release(&set);
	config_release(&cfg);
	return rc;
}
