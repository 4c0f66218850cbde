/*
 * config_cmd.c - loading the config and opening the store for every
 * subcommand, running the subcommands connectors add, and `deskpilot
 * check-config`.
 */
#include "cli/cli.h"

#include "common/log.h"
#include "config/config.h"
#include "connectors/connector.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cli_load_config(int *argc, char **argv, struct config *cfg)
{
	const char *path = NULL;
	struct dp_error err;
	enum log_level level;
	int out = 1;

	/* Initialised first: callers release cfg on every return. */
	config_init(cfg);
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "deskpilot: option '%s' needs a file\n",
					argv[i]);
				return EXIT_USAGE;
			}
			path = argv[++i];
			continue;
		}
		argv[out++] = argv[i];
	}
	*argc = out;
	argv[out] = NULL;
	/* Without -c the default file is optional: the embedded defaults run a
	 * working service on 127.0.0.1. */
	if (!path && access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		path = CONFIG_DEFAULT_PATH;
	if (path && config_load(cfg, path, &err) < 0) {
		fprintf(stderr, "deskpilot: %s\n", err.msg);
		return 1;
	}
	if (log_level_parse(cfg->log_level, &level) == 0)
		log_set_level(level);
	return 0;
}

int cli_connector_command(const struct connector *conn, int argc, char **argv)
{
	struct config cfg;
	int rc = cli_load_config(&argc, argv, &cfg);

	if (rc == 0)
		rc = conn->command->run(config_helpdesk(&cfg, conn), argc, argv);
	config_release(&cfg);
	return rc;
}

store *cli_open_store(const struct config *cfg)
{
	struct dp_error err;
	store *s = store_open(cfg->database, &err);

	if (!s)
		fprintf(stderr, "deskpilot: %s\n", err.msg);
	return s;
}

int cmd_check_config(int argc, char **argv)
{
	struct config cfg;
	int rc = cli_load_config(&argc, argv, &cfg);

	if (rc == 0 && argc > 1) {
		fprintf(stderr, "usage: deskpilot check-config [-c FILE]\n");
		rc = EXIT_USAGE;
	}
	if (rc == 0) {
		config_print(&cfg, stdout);
		fprintf(stderr, "deskpilot: config %s is valid\n", cfg.path);
	}
	config_release(&cfg);
	return rc;
}
