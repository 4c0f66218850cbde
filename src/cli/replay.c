/*
 * replay.c - `deskpilot replay EVENT_ID [--json]`: decide a stored
 * customer message again under the current configuration and show what
 * would change (pipeline/replay.h). Writes nothing.
 */
#include "cli/cli.h"

#include "config/config.h"
#include "pipeline/replay.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void usage(void)
{
	fprintf(stderr, "usage: deskpilot replay [-c FILE] EVENT_ID [--json]\n");
}

int cmd_replay(int argc, char **argv)
{
	struct config cfg;
	struct dp_error err = {{0}};
	long long id = 0;
	bool json = false;
	store *s = NULL;
	json_t *r = NULL;
	int rc = cli_load_config(&argc, argv, &cfg);

	for (int i = 1; rc == 0 && i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (id == 0 && dp_parse_ll(argv[i], 1, INT64_MAX, &id) == 0) {
			continue;
		} else {
			usage();
			rc = EXIT_USAGE;
		}
	}
	if (rc == 0 && id == 0) {
		usage();
		rc = EXIT_USAGE;
	}
	if (rc)
		goto out;
	s = cli_open_store(&cfg);
	if (!s) {
		rc = 1;
		goto out;
	}
	r = replay_event(s, &cfg, id, &err);
	if (!r) {
		fprintf(stderr, "deskpilot: %s\n", err.msg);
		rc = 1;
		goto out;
	}
	if (json) {
		json_dumpf(r, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		replay_print(r, stdout);
	}
out:
	json_decref(r);
	store_close(s);
	config_release(&cfg);
	return rc;
}
