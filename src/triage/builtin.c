/*
 * builtin.c - the embedded default model and training rows (see
 * builtin.h). The bytes come from builtin_data.S, which includes the
 * files dp-mkmodel wrote.
 */
#include "triage/builtin.h"

#include "common/log.h"
#include "triage/eval.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char dp_builtin_model[], dp_builtin_model_end[];
extern const unsigned char dp_builtin_rows[], dp_builtin_rows_end[];

static pthread_once_t model_once = PTHREAD_ONCE_INIT;
static struct classifier *model;

static void load_model(void)
{
	struct dp_error err;

	model = classifier_load(dp_builtin_model,
				(size_t)(dp_builtin_model_end - dp_builtin_model),
				&err);
	if (!model)
		log_error("msg=\"the built-in intent model does not load\" error=\"%s\"",
			  err.msg);
}

const struct classifier *builtin_model(void)
{
	pthread_once(&model_once, load_model);
	return model;
}

static pthread_mutex_t logged_mu = PTHREAD_MUTEX_INITIALIZER;
static char *logged; /* meta of the model last logged */

const struct classifier *builtin_pick(bool in_db, const struct classifier *stored)
{
	const struct classifier *m = in_db ? stored : builtin_model();
	const char *meta = m ? classifier_meta(m) : "";
	const char *source = in_db ? "database" : "built-in";

	pthread_mutex_lock(&logged_mu);
	if (!logged || strcmp(logged, meta) != 0) {
		free(logged);
		logged = xstrdup(meta);
		if (m)
			log_info("msg=\"intent model\" source=%s classes=%zu trained_on=\"%s\"",
				 source, classifier_classes(m), meta);
	}
	pthread_mutex_unlock(&logged_mu);
	return m;
}

static pthread_once_t rows_once = PTHREAD_ONCE_INIT;
static struct eval_set rows_set;
static struct classifier_example *rows;
static size_t n_rows;

static void load_rows(void)
{
	size_t len = (size_t)(dp_builtin_rows_end - dp_builtin_rows);
	FILE *f = fmemopen((void *)dp_builtin_rows, len, "r");
	struct dp_error err;

	if (!f || eval_set_read(f, "(built-in rows)", NULL, &rows_set, &err) < 0) {
		log_error("msg=\"the built-in training rows do not parse\" error=\"%s\"",
			  f ? err.msg : "fmemopen failed");
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	rows = eval_training_rows(&rows_set, 0, 0, NULL, 0, &n_rows);
}

const struct classifier_example *builtin_rows(size_t *n)
{
	pthread_once(&rows_once, load_rows);
	*n = n_rows;
	return rows;
}
