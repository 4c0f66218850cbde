/*
 * serve.c - `deskpilot serve [-c FILE]`.
 */
#include "cli/cli.h"

#include "config/config.h"
#include "front/server.h"

#include <stdio.h>

int cmd_serve(int argc, char **argv)
{
	struct config cfg;
	int rc = cli_load_config(&argc, argv, &cfg);

	if (rc == 0 && argc > 1) {
		fprintf(stderr, "usage: deskpilot serve [-c FILE]\n");
		rc = EXIT_USAGE;
	}
	if (rc == 0)
		rc = server_run(&cfg);
	config_release(&cfg);
	return rc;
}
