/*
 * stats.c - `deskpilot stats [--since DATE] [--json]`: what deskpilot did
 * and how well, as a table for a terminal or JSON for scripts (the
 * figures and their definitions are in ops/stats.h).
 */
#include "cli/cli.h"

#include "config/config.h"
#include "ops/stats.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
	fprintf(stderr, "usage: deskpilot stats [-c FILE] [--since DATE|SPAN] [--json]\n"
			"       DATE is YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC), SPAN is 30m, 24h, 7d\n");
}

int cmd_stats(int argc, char **argv)
{
	struct config cfg;
	struct dp_error err;
	int64_t since = 0;
	bool json = false;
	store *s = NULL;
	json_t *st = NULL;
	int rc = cli_load_config(&argc, argv, &cfg);

	for (int i = 1; rc == 0 && i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc) {
			if (stats_parse_since(argv[++i], dp_now_ms(), &since, &err) < 0) {
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
	st = stats_collect(s, &cfg, since);
	if (!st) {
		fprintf(stderr, "deskpilot: cannot read statistics from '%s'\n",
			cfg.database);
		rc = 1;
		goto out;
	}
	if (json) {
		json_dumpf(st, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		stats_print_table(st, stdout);
	}
out:
	json_decref(st);
	store_close(s);
	config_release(&cfg);
	return rc;
}
