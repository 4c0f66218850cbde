/*
 * kb.c - `deskpilot kb import|list|remove`: the knowledge base the
 * drafters answer from.
 *
 * Import reads a CSV file (header intent,title,body[,language]), a
 * Markdown file with a small header, or a directory of such files (*.csv
 * and *.md, in name order). Markdown files look like
 *
 *     intent: track_order
 *     title: Where is my order?
 *     language: en
 *
 *     Body text, with {{customer_first_name|there}} placeholders...
 *
 * One import is one transaction: any error (named by file, line and
 * field) leaves the knowledge base as it was. Importing a file again
 * replaces the entries that came from a file of that name.
 */
#include "cli/cli.h"

#include "common/buf.h"
#include "common/csv.h"
#include "config/config.h"
#include "store/kb.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Largest Markdown file read. */
#define MD_FILE_MAX (KB_BODY_MAX + 4096)
/* Most files a directory import takes. */
#define DIR_FILES_MAX 10000

static void usage(void)
{
	fprintf(stderr,
		"usage: deskpilot kb import [-c FILE] FILE.csv|FILE.md|DIR\n"
		"       deskpilot kb list [-c FILE]\n"
		"       deskpilot kb remove [-c FILE] ID\n");
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Text that jansson accepts as a string is valid UTF-8 without NULs: the
 * same test the llm drafter's request will apply. */
static bool utf8_ok(const char *s)
{
	json_t *j = json_string(s);
	bool ok = j != NULL;

	json_decref(j);
	return ok;
}

/* Add one entry; errors are prefixed with where it came from. */
static int add(store *s, struct kb_entry *e, const char *where, int *added,
	       struct dp_error *err)
{
	struct dp_error why;
	int64_t id;
	const char *fields[] = {"intent", "title", "body", "language"};
	const char *values[] = {e->intent, e->title, e->body, e->language};

	for (size_t i = 0; i < DP_ARRAY_LEN(fields); i++)
		if (values[i] && !utf8_ok(values[i]))
			return dp_fail(err, DP_EINVAL, "%s: field '%s' is not valid UTF-8",
				       where, fields[i]);
	if (store_kb_add(s, e, dp_now_ms(), &id, &why) < 0)
		return dp_fail(err, DP_EINVAL, "%s: %s", where, why.msg);
	(*added)++;
	return 0;
}

static int import_csv(store *s, const char *path, int *added,
		      struct dp_error *err)
{
	FILE *f = fopen(path, "re");
	struct csv *c;
	int rc, ci, ct, cb, cl;

	if (!f)
		return dp_fail(err, DP_EIO, "cannot open '%s': %s", path, strerror(errno));
	c = csv_new(f, path);
	rc = csv_read_header(c, err);
	if (rc < 0)
		goto out;
	ci = csv_column(c, "intent");
	ct = csv_column(c, "title");
	cb = csv_column(c, "body");
	cl = csv_column(c, "language");
	if (ct < 0 || cb < 0) {
		rc = dp_fail(err, DP_EINVAL, "%s:1: the header needs columns 'title' and 'body' (and usually 'intent', 'language')",
			     path);
		goto out;
	}
	while ((rc = csv_next(c, err)) == 1) {
		struct kb_entry e;
		char *where = xasprintf("%s:%ld", path, csv_line(c));

		kb_entry_init(&e);
		e.intent = (char *)csv_field(c, ci);
		e.title = (char *)csv_field(c, ct);
		e.body = (char *)csv_field(c, cb);
		e.language = (char *)csv_field(c, cl);
		e.origin = (char *)base_name(path);
		rc = add(s, &e, where, added, err);
		free(where);
		if (rc < 0)
			break;
	}
out:
	csv_free(c);
	fclose(f);
	return rc < 0 ? rc : 0;
}

/* Read a whole small file into a new string. */
static char *read_file(const char *path, struct dp_error *err)
{
	FILE *f = fopen(path, "re");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (!f) {
		dp_fail(err, DP_EIO, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, MD_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_append(&b, chunk, n) < 0) {
			dp_fail(err, DP_ETOOBIG, "%s: larger than %u bytes", path,
				(unsigned)MD_FILE_MAX);
			fclose(f);
			buf_release(&b);
			return NULL;
		}
	}
	fclose(f);
	if (memchr(buf_str(&b), '\0', b.len)) {
		dp_fail(err, DP_EINVAL, "%s: holds a NUL byte", path);
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static void trim(char **s)
{
	size_t n;

	while (**s == ' ' || **s == '\t')
		(*s)++;
	n = strlen(*s);
	while (n && strchr(" \t\r", (*s)[n - 1]))
		(*s)[--n] = '\0';
}

static int import_md(store *s, const char *path, int *added,
		     struct dp_error *err)
{
	char *text = read_file(path, err);
	char *p, *body;
	struct kb_entry e;
	int line = 0, rc = 0;

	if (!text)
		return DP_EINVAL;
	kb_entry_init(&e);
	/* Header lines "key: value" up to the first blank line. */
	for (p = text; *p;) {
		char *nl = strchr(p, '\n');
		char *colon, *key, *value;

		line++;
		if (nl)
			*nl = '\0';
		key = p;
		p = nl ? nl + 1 : p + strlen(p);
		trim(&key);
		if (!*key)
			break;
		colon = strchr(key, ':');
		if (!colon) {
			rc = dp_fail(err, DP_EINVAL,
				     "%s:%d: expected a header line 'key: value' or a blank line before the body",
				     path, line);
			goto out;
		}
		*colon = '\0';
		value = colon + 1;
		trim(&key);
		trim(&value);
		if (strcmp(key, "intent") == 0)
			e.intent = value;
		else if (strcmp(key, "title") == 0)
			e.title = value;
		else if (strcmp(key, "language") == 0)
			e.language = value;
		else {
			rc = dp_fail(err, DP_EINVAL,
				     "%s:%d: unknown header field '%s' (intent, title, language)",
				     path, line, key);
			goto out;
		}
	}
	body = p;
	while (*body == '\n' || *body == '\r')
		body++;
	trim(&body);
	while (*body && body[strlen(body) - 1] == '\n')
		body[strlen(body) - 1] = '\0';
	e.body = body;
	e.origin = (char *)base_name(path);
	{
		char *where = xasprintf("%s:%d", path, line);

		rc = add(s, &e, where, added, err);
		free(where);
	}
out:
	free(text);
	return rc;
}

static int import_file(store *s, const char *path, int *added,
		       struct dp_error *err)
{
	int n = store_kb_remove_origin(s, base_name(path));

	if (n < 0)
		return dp_fail(err, DP_ESTORE, "cannot replace entries from '%s'",
			       base_name(path));
	if (ends_with(path, ".csv"))
		return import_csv(s, path, added, err);
	if (ends_with(path, ".md"))
		return import_md(s, path, added, err);
	return dp_fail(err, DP_EINVAL, "'%s': expected a .csv or .md file", path);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int import_dir(store *s, const char *dir, int *added,
		      struct dp_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d)
		return dp_fail(err, DP_EIO, "cannot open '%s': %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL && n < DIR_FILES_MAX) {
		if (de->d_name[0] == '.' ||
		    !(ends_with(de->d_name, ".md") || ends_with(de->d_name, ".csv")))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xasprintf("%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (n == 0)
		rc = dp_fail(err, DP_ENOTFOUND, "'%s' holds no .md or .csv files", dir);
	if (names)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = import_file(s, names[i], added, err);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int import(store *s, const char *path)
{
	struct dp_error err;
	struct stat st;
	int added = 0, rc;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "deskpilot: cannot read '%s': %s\n", path, strerror(errno));
		return 1;
	}
	if (store_begin(s) < 0) {
		fprintf(stderr, "deskpilot: cannot lock the database\n");
		return 1;
	}
	rc = S_ISDIR(st.st_mode) ? import_dir(s, path, &added, &err)
				 : import_file(s, path, &added, &err);
	if (rc == 0 && store_commit(s) < 0)
		rc = dp_fail(&err, DP_ESTORE, "cannot commit the import");
	if (rc == 0 && store_kb_optimize(s) < 0)
		fprintf(stderr, "deskpilot: warning: cannot optimize the kb index (searches are slower)\n");
	if (rc < 0) {
		store_rollback(s);
		fprintf(stderr, "deskpilot: %s\nnothing was imported\n", err.msg);
		return 1;
	}
	printf("imported %d kb entr%s; the knowledge base holds %d\n", added,
	       added == 1 ? "y" : "ies", store_kb_count(s));
	return 0;
}

static int print_entry(const struct kb_entry *e, void *arg)
{
	(void)arg;
	printf("%-6lld %-28s %-5s %s\n", (long long)e->id,
	       e->intent ? e->intent : "-", e->language, e->title);
	return 0;
}

static int remove_entry(store *s, const char *arg)
{
	long long id;
	int rc;

	if (dp_parse_ll(arg, 1, INT64_MAX, &id) < 0) {
		usage();
		return EXIT_USAGE;
	}
	rc = store_kb_remove(s, id);
	if (rc == DP_ENOTFOUND) {
		fprintf(stderr, "deskpilot: no kb entry %lld\n", id);
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "deskpilot: cannot remove kb entry %lld: database error\n", id);
		return 1;
	}
	printf("removed kb entry %lld\n", id);
	return 0;
}

int cmd_kb(int argc, char **argv)
{
	struct config cfg = {0}; /* config_release-safe if loading stops early */
	store *s = NULL;
	int rc = cli_load_config(&argc, argv, &cfg);

	if (rc != 0)
		goto out;
	if (argc < 2 || (strcmp(argv[1], "import") == 0 && argc != 3) ||
	    (strcmp(argv[1], "list") == 0 && argc != 2) ||
	    (strcmp(argv[1], "remove") == 0 && argc != 3) ||
	    (strcmp(argv[1], "import") != 0 && strcmp(argv[1], "list") != 0 &&
	     strcmp(argv[1], "remove") != 0)) {
		usage();
		rc = EXIT_USAGE;
		goto out;
	}
	s = cli_open_store(&cfg);
	if (!s) {
		rc = 1;
		goto out;
	}
	if (strcmp(argv[1], "import") == 0)
		rc = import(s, argv[2]);
	else if (strcmp(argv[1], "remove") == 0)
		rc = remove_entry(s, argv[2]);
	else
		rc = store_kb_each(s, print_entry, NULL) < 0;
out:
	store_close(s);
	config_release(&cfg);
	return rc;
}
