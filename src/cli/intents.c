/*
 * intents.c - `deskpilot intents [list]` and `deskpilot intents restore
 * INTENT`: see which intents draft acceptance took off the auto-reply
 * list, and put one back (ops/acceptance.h explains the rule).
 */
#include "cli/cli.h"

#include "config/config.h"
#include "store/demotions.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void usage(void)
{
	fprintf(stderr, "usage: deskpilot intents [-c FILE] [list]\n"
			"       deskpilot intents [-c FILE] restore INTENT\n");
}

static void when(const json_t *ms, char *out, size_t n)
{
	time_t t = (time_t)(json_integer_value(ms) / 1000);
	struct tm tm;

	snprintf(out, n, "-");
	if (json_is_integer(ms) && gmtime_r(&t, &tm))
		strftime(out, n, "%Y-%m-%d %H:%M:%SZ", &tm);
}

static int list(store *s, const struct config *cfg)
{
	json_t *rows = store_demotion_list(s);
	size_t i;
	json_t *r;

	if (!rows) {
		fprintf(stderr, "deskpilot: cannot read demotions\n");
		return 1;
	}
	printf("auto-demotion: mean acceptance below %.2f over the last %d drafts%s\n",
	       cfg->acceptance_min, cfg->acceptance_window,
	       cfg->acceptance_min > 0 ? "" : " (off: acceptance_min = 0)");
	if (json_array_size(rows) == 0)
		printf("no intent was ever taken off the auto-reply list\n");
	else
		printf("%-28s %-9s %10s %7s  %-21s %s\n", "intent", "state",
		       "acceptance", "drafts", "demoted", "restored");
	json_array_foreach(rows, i, r) {
		char demoted[32], restored[32];

		when(json_object_get(r, "demoted_at"), demoted, sizeof(demoted));
		when(json_object_get(r, "restored_at"), restored, sizeof(restored));
		printf("%-28s %-9s %10.2f %7lld  %-21s %s\n",
		       json_string_value(json_object_get(r, "intent")),
		       json_is_true(json_object_get(r, "demoted")) ? "demoted" : "restored",
		       json_number_value(json_object_get(r, "mean_acceptance")),
		       (long long)json_integer_value(json_object_get(r, "drafts")),
		       demoted, restored);
	}
	json_decref(rows);
	return 0;
}

static int restore(store *s, const char *intent)
{
	int rc = store_demotion_restore(s, intent, dp_now_ms());

	if (rc == DP_ENOTFOUND) {
		fprintf(stderr, "deskpilot: intent '%s' is not demoted\n", intent);
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "deskpilot: cannot restore '%s': database error\n", intent);
		return 1;
	}
	printf("restored '%s' to the auto-reply list; only drafts from now on count toward a new demotion\n",
	       intent);
	return 0;
}

int cmd_intents(int argc, char **argv)
{
	struct config cfg;
	store *s = NULL;
	int rc = cli_load_config(&argc, argv, &cfg);
	bool is_list = argc == 1 || (argc == 2 && strcmp(argv[1], "list") == 0);
	bool is_restore = argc == 3 && strcmp(argv[1], "restore") == 0;

	if (rc)
		goto out;
	if (!is_list && !is_restore) {
		usage();
		rc = EXIT_USAGE;
		goto out;
	}
	s = cli_open_store(&cfg);
	if (!s) {
		rc = 1;
		goto out;
	}
	rc = is_list ? list(s, &cfg) : restore(s, argv[2]);
out:
	store_close(s);
	config_release(&cfg);
	return rc;
}
