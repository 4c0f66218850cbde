/*
 * main.c - the deskpilot command: one binary, one table of subcommands,
 * followed by the subcommands the connectors add (connector.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config.h" /* PACKAGE_VERSION, SYSCONFDIR */
#include "connectors/connector.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{"serve", cmd_serve, "[-c FILE]  run the FastCGI service"},
	{"check-config", cmd_check_config,
	 "[-c FILE]  validate the config and print it with secrets masked"},
	{"outbox", cmd_outbox,
	 "list|retry|renew-id [-c FILE]  show write-back actions, requeue dead ones, a new installation id after a restore"},
	{"kb", cmd_kb,
	 "import FILE|DIR | list | remove ID [-c FILE]  manage the knowledge base the drafters answer from"},
	{"stats", cmd_stats,
	 "[-c FILE] [--since DATE|SPAN] [--json]  outcomes, reasons, AI share, draft acceptance, VIP SLA, model use"},
	{"decisions", cmd_decisions,
	 "[-c FILE] [--ticket N] [--source S] [--since DATE|SPAN] [--limit N] [--json]  the audit log"},
	{"replay", cmd_replay,
	 "[-c FILE] EVENT_ID [--json]  decide a stored event again and show what would change"},
	{"intents", cmd_intents,
	 "[list] | restore INTENT [-c FILE]  intents taken off the auto-reply list; put one back"},
	{"triage", cmd_triage,
	 "[-c FILE] [--format csv|jsonl] FILE|-  preview decisions, one JSON line per ticket"},
	{"eval", cmd_eval,
	 "[-c FILE] FILE.csv [--folds K] [--train FILE]  measure triage on labelled tickets"},
	{"train", cmd_train, "[-c FILE] FILE.csv  train the intent classifier (columns text,intent)"},
	{"vip", cmd_vip,
	 "add|remove|list|import FILE.csv|export [-c FILE]  manage premium-customer rules"},
	{"version", cmd_version, "  print the version"},
	{"help", cmd_help, "  show this help"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: deskpilot <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %s %s\n", commands[i].name, commands[i].summary);
	for (size_t i = 0; connector_at(i); i++) {
		const struct connector_command *c = connector_at(i)->command;

		if (c)
			fprintf(out, "  %s %s\n", c->name, c->summary);
	}
	fprintf(out,
		"\nThe default config is %s/deskpilot/deskpilot.conf; without it the\n"
		"embedded defaults apply. See deskpilot(8) and deskpilot.conf(5).\n",
		SYSCONFDIR);
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("deskpilot %s\n", PACKAGE_VERSION);
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	for (size_t i = 0; connector_at(i); i++) {
		const struct connector_command *c = connector_at(i)->command;

		if (c && strcmp(argv[1], c->name) == 0)
			return cli_connector_command(connector_at(i), argc - 1, argv + 1);
	}
	fprintf(stderr, "deskpilot: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
