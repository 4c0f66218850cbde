/*
 * cli.h - the deskpilot subcommands. Each takes the arguments after its
 * name (argv[0] is the subcommand) and returns the process exit status:
 * 0 success, 1 failure, 2 usage error (EXIT_USAGE).
 */
#ifndef DP_CLI_H
#define DP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/dp.h" /* EXIT_USAGE */

int cmd_serve(int argc, char **argv);
int cmd_check_config(int argc, char **argv);
int cmd_vip(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_triage(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
int cmd_kb(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_decisions(int argc, char **argv);
int cmd_intents(int argc, char **argv);
int cmd_replay(int argc, char **argv);

/* Shared option handling: `-c FILE` / `--config FILE` anywhere in argv.
 * Loads the config (defaults when no -c and the default file is absent)
 * and removes the option from argv. Returns 0, or prints the error to
 * stderr and returns 1 (bad file) or EXIT_USAGE (bad option). cfg is
 * initialised in every case: the caller always calls config_release. */
struct config;
int cli_load_config(int *argc, char **argv, struct config *cfg);

/* Run conn's subcommand (conn->command) with the arguments after its name:
 * load the config as cli_load_config does, then hand the subcommand the
 * connector's settings from it. Returns the exit status. */
struct connector;
int cli_connector_command(const struct connector *conn, int argc, char **argv);

/* Open the config's database for a command; on failure print the reason
 * to stderr and return NULL. Returns a new handle (store_close it). */
struct store;
struct store *cli_open_store(const struct config *cfg);

/* The rows `deskpilot train` trains on: the file's (set, texts already
 * cleaned; their count in *n_file) first, then, with_builtin, the built-in
 * rows (triage/builtin.h) minus any background group the file's own rows
 * read like (each one left out is named on `report`). Returns a new array
 * of borrowed strings (free it), its length in *n; NULL after printing the
 * error. */
struct eval_set;
struct classifier_example;
struct classifier_example *cli_training_rows(const struct eval_set *set,
					     bool with_builtin, size_t *n_file,
					     size_t *n, FILE *report);

#endif
