/*
 * check_manual.c - the man pages stay in sync with the code: every config
 * key (as `deskpilot check-config` prints it, from the section tables) is
 * documented in its section of deskpilot.conf(5) and no documented key is
 * gone, and every subcommand (main.c's table and the connectors') has an
 * entry in deskpilot(8).
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "connectors/connector.h"
#include "test.h"

#define MAX_ITEMS 512
#define ITEM_MAX 96

struct set {
	char items[MAX_ITEMS][ITEM_MAX];
	int n;
};

static void set_add(struct set *s, const char *v)
{
	ck_assert_int_lt(s->n, MAX_ITEMS);
	ck_assert_int_lt(strlen(v), ITEM_MAX);
	snprintf(s->items[s->n++], ITEM_MAX, "%s", v);
}

static bool set_has(const struct set *s, const char *v)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->items[i], v) == 0)
			return true;
	return false;
}

static char *slurp(const char *rel)
{
	const char *src = getenv("DP_SRCDIR");
	char path[1024];
	FILE *f;
	char *text;
	long n;

	snprintf(path, sizeof(path), "%s/%s", src ? src : ".", rel);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = malloc((size_t)n + 1);
	ck_assert_int_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* The next line of a writable text, NUL-terminated in place; NULL at the
 * end. */
static char *next_line(char **cursor)
{
	char *line = *cursor, *nl;

	if (!line || !*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*cursor = nl + 1;
	} else {
		*cursor = line + strlen(line);
	}
	return line;
}

/* The first word of a roff macro line's first argument, with "\-" read
 * as "-" and quotes dropped: `.BR "kb list" ...` gives "kb". */
static void first_word(const char *line, char *out, size_t cap)
{
	const char *p = strchr(line, ' ');
	size_t n = 0;

	out[0] = '\0';
	if (!p)
		return;
	while (*p == ' ' || *p == '"')
		p++;
	while (*p && *p != ' ' && *p != '"' && *p != '\n' && n + 1 < cap) {
		if (p[0] == '\\' && p[1] == '-')
			p++;
		out[n++] = *p++;
	}
	out[n] = '\0';
}

/* "section/key" for every key in deskpilot.conf(5), from `.SS [section]`
 * headings and the `.BR key " = default"` lines under them. */
static void manual_keys(struct set *out)
{
	char *text = slurp("man/deskpilot.conf.5");
	char *cur = text;
	char section[48] = "";

	for (char *line = next_line(&cur); line; line = next_line(&cur)) {
		char word[ITEM_MAX], item[2 * ITEM_MAX];

		if (sscanf(line, ".SS [%47[a-z_]]", section) == 1)
			continue;
		if (strncmp(line, ".SH", 3) == 0)
			section[0] = '\0';
		if (!section[0] || strncmp(line, ".BR ", 4) != 0 ||
		    !strstr(line, " \" ="))
			continue;
		first_word(line, word, sizeof(word));
		snprintf(item, sizeof(item), "%s/%s", section, word);
		set_add(out, item);
	}
	free(text);
}

/* "section/key" for every key the config prints with every helpdesk on. */
static void config_keys(struct set *out)
{
	struct config cfg;
	char *text = NULL, *cur;
	char section[48] = "";
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	config_init(&cfg);
	for (size_t i = 0; connector_at(i); i++)
		config_helpdesk_slot(&cfg, connector_at(i))->enabled = true;
	config_print(&cfg, f);
	fclose(f);
	config_release(&cfg);
	cur = text;
	for (char *line = next_line(&cur); line; line = next_line(&cur)) {
		char key[ITEM_MAX], item[2 * ITEM_MAX];

		if (sscanf(line, "[%47[a-z_]]", section) == 1)
			continue;
		if (line[0] == '#' || sscanf(line, "%95[a-z_] =", key) != 1)
			continue;
		snprintf(item, sizeof(item), "%s/%s", section, key);
		set_add(out, item);
	}
	free(text);
}

START_TEST(test_every_key_documented)
{
	static struct set cfg, man;

	config_keys(&cfg);
	manual_keys(&man);
	/* The parse itself works: the table has dozens of keys. */
	ck_assert_int_gt(cfg.n, 40);
	ck_assert(set_has(&cfg, "server/listen"));
	ck_assert(set_has(&cfg, "osticket/urgent_priority"));
	for (int i = 0; i < cfg.n; i++)
		ck_assert_msg(set_has(&man, cfg.items[i]),
			      "key %s is not documented in man/deskpilot.conf.5",
			      cfg.items[i]);
	for (int i = 0; i < man.n; i++)
		ck_assert_msg(set_has(&cfg, man.items[i]),
			      "man/deskpilot.conf.5 documents %s, which config.c does not have",
			      man.items[i]);
}
END_TEST

START_TEST(test_every_command_documented)
{
	char *main_c = slurp("src/main.c");
	char *page = slurp("man/deskpilot.8");
	static struct set man;
	char *cur = page;
	int commands = 0;

	/* Entries are the tagged paragraphs: the line after each .TP. */
	const char *prev = "";

	for (char *line = next_line(&cur); line;
	     prev = line, line = next_line(&cur)) {
		char word[ITEM_MAX];

		if (strcmp(prev, ".TP") != 0 || strncmp(line, ".B", 2) != 0)
			continue;
		first_word(line, word, sizeof(word));
		if (word[0])
			set_add(&man, word);
	}
	/* The subcommands connectors add. */
	for (size_t i = 0; connector_at(i); i++) {
		const struct connector_command *c = connector_at(i)->command;

		if (!c)
			continue;
		commands++;
		ck_assert_msg(set_has(&man, c->name),
			      "command '%s' has no entry in man/deskpilot.8", c->name);
	}
	/* main.c's table rows look like `{"name", cmd_...`. */
	for (const char *p = strstr(main_c, "{\""); p; p = strstr(p + 1, "{\"")) {
		char name[ITEM_MAX];

		if (sscanf(p, "{\"%95[a-z-]\", cmd_", name) != 1)
			continue;
		commands++;
		ck_assert_msg(set_has(&man, name),
			      "command '%s' has no entry in man/deskpilot.8", name);
	}
	ck_assert_int_ge(commands, 8);
	free(main_c);
	free(page);
}
END_TEST

static Suite *suite(void)
{
	Suite *su = suite_create("manual");
	TCase *tc = tcase_create("manual");

	tcase_add_test(tc, test_every_key_documented);
	tcase_add_test(tc, test_every_command_documented);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	return test_main(suite());
}
