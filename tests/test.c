/*
 * test.c - the Check runner and temporary files (see test.h).
 */
#include "test.h"

#include "common/html.h"

#include <curl/curl.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int test_main(Suite *s)
{
	SRunner *sr;
	int failed;

	html_init();
	curl_global_init(CURL_GLOBAL_ALL);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	html_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

const char *test_tmp_root(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

char *test_tmpfile(const char *name)
{
	char *path = xasprintf("%s/dp-%s-XXXXXX", test_tmp_root(), name);
	int fd = mkstemp(path);

	ck_assert_msg(fd >= 0, "cannot make a temp file %s", path);
	close(fd);
	return path;
}

char *test_tmpdir(const char *name)
{
	char *path = xasprintf("%s/dp-%s-XXXXXX", test_tmp_root(), name);

	ck_assert_msg(mkdtemp(path) != NULL, "cannot make a temp dir %s", path);
	return path;
}

void test_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *p;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

void test_db_init(struct test_db *db, const char *name)
{
	db->dir = test_tmpdir(name);
	db->path = xasprintf("%s/deskpilot.db", db->dir);
}

store *test_db_open(struct test_db *db, const char *name)
{
	struct dp_error err = {{0}};
	store *s;

	test_db_init(db, name);
	s = store_open(db->path, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	return s;
}

void test_db_remove(struct test_db *db)
{
	test_rmdir(db->dir);
	free(db->dir);
	free(db->path);
	db->dir = db->path = NULL;
}
