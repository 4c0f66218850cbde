/*
 * outbox_cmd.c - `deskpilot outbox list [--state S] [--limit N]`,
 * `deskpilot outbox retry ID|--all [--new-id]` and `deskpilot outbox
 * renew-id`: see and requeue write-back actions, dead letters above all,
 * and give a restored or copied database an installation id of its own
 * (and the decisions the helpdesk refused as the original's with it).
 */
#include "cli/cli.h"

#include "config/config.h"
#include "store/outbox.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static void usage(void)
{
	fprintf(stderr,
		"usage: deskpilot outbox list [-c FILE] [--state pending|done|dead] [--limit N]\n"
		"       deskpilot outbox retry [-c FILE] ID|--all [--new-id]\n"
		"       deskpilot outbox renew-id [-c FILE]\n");
}

static void print_item(void *ctx, const struct outbox_item *it)
{
	(void)ctx;
	printf("%-6lld %-8s %-8s ticket=%-8lld %-14s attempts=%-3d decision=%lld%s%s\n",
	       (long long)it->id, it->state, it->source, (long long)it->ticket_id,
	       it->action, it->attempts, (long long)it->decision_id,
	       it->last_error ? " error: " : "",
	       it->last_error ? it->last_error : "");
}

static int list(store *s, int argc, char **argv)
{
	const char *state = NULL;
	long long limit = 50;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--state") == 0 && i + 1 < argc &&
		    (strcmp(argv[i + 1], "pending") == 0 ||
		     strcmp(argv[i + 1], "done") == 0 ||
		     strcmp(argv[i + 1], "dead") == 0)) {
			state = argv[++i];
		} else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc &&
			   dp_parse_ll(argv[i + 1], 1, 100000, &limit) == 0) {
			i++;
		} else {
			usage();
			return EXIT_USAGE;
		}
	}
	printf("pending=%lld done=%lld dead=%lld\n",
	       (long long)store_outbox_count(s, "pending"),
	       (long long)store_outbox_count(s, "done"),
	       (long long)store_outbox_count(s, "dead"));
	return store_outbox_each(s, state, (int)limit, print_item, NULL) < 0;
}

static int retry(store *s, int argc, char **argv)
{
	char installation[STORE_INSTALLATION_SIZE];
	bool rekey = argc == 4 && strcmp(argv[3], "--new-id") == 0;
	long long id = 0;
	int n;

	if ((argc != 3 && !rekey) || (strcmp(argv[2], "--all") != 0 &&
				      dp_parse_ll(argv[2], 1, INT64_MAX, &id) < 0)) {
		usage();
		return EXIT_USAGE;
	}
	if (rekey && store_installation_id(s, installation) < 0) {
		fprintf(stderr, "deskpilot: cannot read the installation id: database error\n");
		return 1;
	}
	n = store_outbox_requeue(s, id, rekey ? installation : NULL, dp_now_ms());
	if (n < 0) {
		fprintf(stderr, "deskpilot: cannot requeue: database error\n");
		return 1;
	}
	if (n == 0 && id) {
		fprintf(stderr, "deskpilot: outbox row %lld is not %s\n", id,
			rekey ? "a decision refused as another database's" : "dead");
		return 1;
	}
	if (rekey)
		printf("requeued %d refused decision(s) under this database's installation id\n", n);
	else
		printf("requeued %d dead action(s)\n", n);
	return 0;
}

/* After a restore or a copy, the helpdesk (osTicket's plugin) would take
 * this database's new decisions for the original's. */
static int renew_id(store *s, int argc)
{
	char id[STORE_INSTALLATION_SIZE];

	if (argc != 2) {
		usage();
		return EXIT_USAGE;
	}
	if (store_installation_renew(s, id) < 0) {
		fprintf(stderr, "deskpilot: cannot renew the installation id: database error\n");
		return 1;
	}
	printf("installation id is now %s\n", id);
	return 0;
}

int cmd_outbox(int argc, char **argv)
{
	struct config cfg;
	store *s = NULL;
	int rc = cli_load_config(&argc, argv, &cfg);

	if (rc)
		goto out;
	if (argc < 2 || (strcmp(argv[1], "list") != 0 && strcmp(argv[1], "retry") != 0 &&
			 strcmp(argv[1], "renew-id") != 0)) {
		usage();
		rc = EXIT_USAGE;
		goto out;
	}
	s = cli_open_store(&cfg);
	if (!s) {
		rc = 1;
		goto out;
	}
	if (strcmp(argv[1], "list") == 0)
		rc = list(s, argc, argv);
	else if (strcmp(argv[1], "retry") == 0)
		rc = retry(s, argc, argv);
	else
		rc = renew_id(s, argc);
out:
	store_close(s);
	config_release(&cfg);
	return rc;
}
