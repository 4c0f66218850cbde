/*
 * check_config.c - the INI config: defaults, overrides, errors that name
 * file, line and key, secret files, masking, and that
 * examples/deskpilot.conf documents exactly the keys the table has.
 */
#include "config/config.h"

#include "connectors/osticket.h"
#include "connectors/zammad.h"
#include "test.h"

#include <check.h>
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Write text to a new temp file with mode; returns its path (free it). */
static char *temp_file(const char *text, mode_t mode)
{
	char *path = test_tmpfile("config");
	int fd = open(path, O_WRONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* Load text; returns config_load's result, the message in err. */
static int load_text(struct config *cfg, const char *text, struct dp_error *err,
		     char **path_out)
{
	char *path = temp_file(text, 0600);
	int rc;

	config_init(cfg);
	rc = config_load(cfg, path, err);
	if (path_out)
		*path_out = path;
	else {
		unlink(path);
		free(path);
	}
	return rc;
}

START_TEST(test_defaults)
{
	struct config cfg;

	config_init(&cfg);
	ck_assert_str_eq(cfg.listen, "127.0.0.1:9000");
	ck_assert_int_eq(cfg.threads, 8);
	ck_assert_int_eq(cfg.worker_nice, 10);
	ck_assert_uint_eq(cfg.max_body, 1024 * 1024);
	ck_assert_int_eq(cfg.policy.mode, POLICY_DRAFT);
	ck_assert(!config_helpdesk_enabled(&cfg, &zammad_connector));
	ck_assert(!config_helpdesk_enabled(&cfg, &osticket_connector));
	ck_assert_str_eq(cfg.path, "(defaults)");
	config_release(&cfg);
}
END_TEST

START_TEST(test_overrides)
{
	struct config cfg;
	struct dp_error err = {{0}};

	ck_assert_int_eq(load_text(&cfg,
				   "[server]\nthreads = 8\nmax_body = 512k\nthreads = 9\n"
				   "[policy]\nmode = shadow\n[server]\nlog_level = warn\n",
				   &err, NULL),
			 0);
	ck_assert_int_eq(cfg.threads, 9); /* the later line wins */
	ck_assert_uint_eq(cfg.max_body, 512 * 1024);
	ck_assert_int_eq(cfg.policy.mode, POLICY_SHADOW);
	ck_assert_str_eq(cfg.log_level, "warn");
	config_release(&cfg);
}
END_TEST

/* load must fail with "<path>:<line>:" and every needle in the message. */
static void assert_load_error(const char *text, int line, const char *n1,
			      const char *n2)
{
	struct config cfg;
	struct dp_error err = {{0}};
	char *path, *where;

	ck_assert_int_lt(load_text(&cfg, text, &err, &path), 0);
	where = xasprintf("%s:%d: ", path, line);
	ck_assert_msg(strncmp(err.msg, where, strlen(where)) == 0,
		      "'%s' does not start with '%s'", err.msg, where);
	ck_assert_msg(strstr(err.msg, n1), "'%s' lacks '%s'", err.msg, n1);
	ck_assert_msg(!n2 || strstr(err.msg, n2), "'%s' lacks '%s'", err.msg, n2);
	config_release(&cfg);
	unlink(path);
	free(path);
	free(where);
}

START_TEST(test_errors_name_file_line_key)
{
	assert_load_error("# comment\n[server]\nthreads = 2\nthraeds = 4\n", 4,
			  "unknown key 'thraeds'", "[server]");
	assert_load_error("[serverr]\nthreads = 2\n", 2, "unknown section [serverr]", NULL);
	/* A key an earlier version read says what replaced it. */
	assert_load_error("[policy]\nmin_similarity = 0.3\n", 2,
			  "'min_similarity' in [policy] is no longer read", "min_in_scope");
	assert_load_error("[server]\n\nthreads = 0\n", 3, "'threads'", "1 to 256");
	assert_load_error("[server]\nmax_body = 12q\n", 2, "'max_body'", NULL);
	assert_load_error("[zammad]\nverify_tls = maybe\n", 2, "'verify_tls'", "true or false");
	assert_load_error("[policy]\nmode = yolo\n", 2, "'mode'", "shadow");
	assert_load_error("[server]\nthis is not ini\n", 2, "syntax error", NULL);
	/* inih would take an indented line as a second value of the key
	 * above, replacing the first, or after a section header as a line of
	 * its own. Indented comments and blank lines are fine. */
	assert_load_error("[policy]\ndraft_intents = track_order,\n  recover_password\n", 3,
			  "indented", NULL);
	assert_load_error("[policy]\nmode = draft\n  [server]\nthreads = 2\n", 3,
			  "indented", NULL);
	assert_load_error("[server]\n\tthreads = 2\n", 2, "indented", NULL);
	assert_load_error("  [server]\nthreads = 2\n", 1, "indented", NULL);
	assert_load_error("[server]\nthreads = 2\n\v log_level = info\n", 3, "indented", NULL);
}
END_TEST

/* The most a line holds is inih's buffer less "\r\n\0"; a longer line
 * is named, not read in pieces or cut short. */
START_TEST(test_long_lines)
{
	struct config cfg;
	struct dp_error err = {{0}};
	char value[400], *text;

	/* "draft_intents = " is 16 bytes: a value of 181 fills the line. */
	memset(value, 'a', 181);
	value[181] = '\0';
	text = xasprintf("[policy]\r\n  # about the list\r\n\t\r\ndraft_intents = %s\r\nmode = draft\r\n", value);
	ck_assert_msg(load_text(&cfg, text, &err, NULL) == 0, "%s", err.msg);
	ck_assert_str_eq(cfg.policy.draft_intents, value);
	ck_assert_int_eq(cfg.policy.mode, POLICY_DRAFT);
	config_release(&cfg);
	free(text);

	memset(value, 'a', 182);
	value[182] = '\0';
	text = xasprintf("[policy]\nmode = draft\ndraft_intents = %s\nmode = yolo\n", value);
	assert_load_error(text, 3, "line longer than 197 bytes", NULL);
	free(text);
	/* Also as the last line, with no newline after it. */
	memset(value, 'b', 300);
	value[300] = '\0';
	text = xasprintf("[policy]\n\n# a comment\nauto_reply_intents = %s", value);
	assert_load_error(text, 4, "line longer than 197 bytes", NULL);
	free(text);
	/* A NUL byte, where inih would stop reading the line. */
	{
		static const char nul[] = "[server]\nlog_level = info\0 x\nthreads = 2\n";
		char *path = temp_file("", 0600);
		FILE *f = fopen(path, "w");

		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite(nul, 1, sizeof(nul) - 1, f), sizeof(nul) - 1);
		fclose(f);
		config_init(&cfg);
		ck_assert_int_lt(config_load(&cfg, path, &err), 0);
		ck_assert_msg(strstr(err.msg, ":2: the line holds a NUL byte"), "%s", err.msg);
		config_release(&cfg);
		unlink(path);
		free(path);
	}
	/* An error on an earlier line is the one reported. */
	text = xasprintf("[policy]\nmode = yolo\nauto_reply_intents = %s\n", value);
	assert_load_error(text, 2, "'mode'", NULL);
	free(text);
}
END_TEST

START_TEST(test_cross_key_checks)
{
	struct config cfg;
	struct dp_error err = {{0}};

	ck_assert_int_lt(load_text(&cfg, "[zammad]\nurl = http://127.0.0.1:9\n", &err, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "webhook_secret"));
	config_release(&cfg);
	ck_assert_int_lt(load_text(&cfg, "[server]\nlisten = nowhere\n", &err, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "'listen'"));
	config_release(&cfg);
	ck_assert_int_eq(load_text(&cfg, "[server]\nlisten = fd:0\n", &err, NULL), 0);
	config_release(&cfg);
}
END_TEST

START_TEST(test_secret_files)
{
	struct config cfg;
	struct dp_error err = {{0}};
	char *good = temp_file("s3cret-from-file\n", 0600);
	char *open_to_all = temp_file("visible\n", 0644);
	char *text;

	text = xasprintf("[zammad]\nurl = http://127.0.0.1:9\nwebhook_secret_file = %s\n", good);
	ck_assert_int_eq(load_text(&cfg, text, &err, NULL), 0);
	ck_assert_str_eq(((const struct zammad_settings *)config_helpdesk(
				  &cfg, &zammad_connector))
				 ->webhook_secret,
			 "s3cret-from-file");
	ck_assert(config_helpdesk_enabled(&cfg, &zammad_connector));
	config_release(&cfg);
	free(text);

	text = xasprintf("[zammad]\nurl = http://127.0.0.1:9\nwebhook_secret_file = %s\n",
			 open_to_all);
	ck_assert_int_lt(load_text(&cfg, text, &err, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "world-readable"));
	ck_assert_ptr_nonnull(strstr(err.msg, open_to_all));
	config_release(&cfg);
	free(text);

	ck_assert_int_lt(load_text(&cfg, "[zammad]\ntoken_file = /nonexistent/token\n",
				   &err, NULL),
			 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/token"));
	config_release(&cfg);
	/* Only secrets have a _file form. */
	ck_assert_int_lt(load_text(&cfg, "[zammad]\nurl_file = /etc/hostname\n", &err, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "'url_file'"));
	config_release(&cfg);
	unlink(good);
	unlink(open_to_all);
	free(good);
	free(open_to_all);
}
END_TEST

static char *printed(const struct config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	config_print(cfg, f);
	fclose(f);
	return text;
}

START_TEST(test_print_masks_secrets)
{
	struct config cfg;
	struct dp_error err = {{0}};
	char *out;

	ck_assert_int_eq(load_text(&cfg,
				   "[zammad]\nurl = http://127.0.0.1:9\ntoken = tok-123456\n"
				   "webhook_secret = hook-abcdef\n[llm]\napi_key = key-xyz\n",
				   &err, NULL),
			 0);
	out = printed(&cfg);
	ck_assert_ptr_nonnull(strstr(out, "token = ********\n"));
	ck_assert_ptr_nonnull(strstr(out, "webhook_secret = ********\n"));
	ck_assert_ptr_nonnull(strstr(out, "api_key = ********\n"));
	ck_assert_ptr_null(strstr(out, "tok-123456"));
	ck_assert_ptr_null(strstr(out, "hook-abcdef"));
	ck_assert_ptr_null(strstr(out, "key-xyz"));
	ck_assert_ptr_nonnull(strstr(out, "url = http://127.0.0.1:9\n"));
	free(out);
	config_release(&cfg);
}
END_TEST

/* ---- examples/deskpilot.conf documents every key ---------------------- */

#define MAX_KEYS 512

struct keyset {
	char *names[MAX_KEYS]; /* "section.key" */
	int n;
};

static void keyset_add(struct keyset *s, const char *section, const char *key,
		       size_t key_len)
{
	ck_assert_int_lt(s->n, MAX_KEYS);
	s->names[s->n++] = xasprintf("%s.%.*s", section, (int)key_len, key);
}

static bool keyset_has(const struct keyset *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return true;
	return false;
}

static void keyset_release(struct keyset *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->names[i]);
	s->n = 0;
}

/* Collect `[section]` and `key = ...` lines, commented out or not. */
static void collect_keys(const char *text, struct keyset *s)
{
	char section[64] = "";
	const char *line = text;

	while (line && *line) {
		const char *p = line, *end = strchr(line, '\n');
		size_t n;

		if (*p == '#' || *p == ';')
			p++;
		while (*p == ' ')
			p++;
		if (*p == '[') {
			n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_");
			if (p[1 + n] == ']' && n < sizeof(section))
				snprintf(section, sizeof(section), "%.*s", (int)n, p + 1);
		} else if (islower((unsigned char)*p)) {
			const char *q;

			n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
			q = p + n;
			while (*q == ' ')
				q++;
			if (*q == '=' && section[0])
				keyset_add(s, section, p, n);
		}
		line = end ? end + 1 : NULL;
	}
}

START_TEST(test_example_documents_every_key)
{
	const char *srcdir = getenv("DP_SRCDIR");
	char *path = xasprintf("%s/examples/deskpilot.conf", srcdir ? srcdir : ".");
	char *example = NULL, *all;
	size_t len = 0;
	FILE *f = fopen(path, "re");
	struct keyset documented = {{0}, 0}, known = {{0}, 0};
	struct config cfg;
	struct dp_error err = {{0}};

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_gt(getdelim(&example, &len, '\0', f), 0);
	fclose(f);
	collect_keys(example, &documented);

	/* Every key the tables have: check-config's output with every
	 * helpdesk's section on. */
	config_init(&cfg);
	for (size_t i = 0; connector_at(i); i++)
		config_helpdesk_slot(&cfg, connector_at(i))->enabled = true;
	all = printed(&cfg);
	collect_keys(all, &known);
	ck_assert_int_gt(known.n, 50);
	for (int i = 0; i < known.n; i++)
		ck_assert_msg(keyset_has(&documented, known.names[i]),
			      "%s is not documented in examples/deskpilot.conf: add it with its default",
			      known.names[i]);
	for (int i = 0; i < documented.n; i++)
		ck_assert_msg(keyset_has(&known, documented.names[i]),
			      "examples/deskpilot.conf documents %s, which deskpilot does not know",
			      documented.names[i]);
	/* And the example as shipped loads. */
	config_release(&cfg);
	config_init(&cfg);
	ck_assert_msg(config_load(&cfg, path, &err) == 0, "%s", err.msg);
	config_release(&cfg);
	keyset_release(&documented);
	keyset_release(&known);
	free(all);
	free(example);
	free(path);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_overrides);
	tcase_add_test(tc, test_errors_name_file_line_key);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_cross_key_checks);
	tcase_add_test(tc, test_secret_files);
	tcase_add_test(tc, test_print_masks_secrets);
	tcase_add_test(tc, test_example_documents_every_key);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_main(suite());
}
