/*
 * test.h - what every test program shares: the Check runner, and
 * temporary files, directories and databases under $TMPDIR.
 *
 * Functions that make something assert with Check when they cannot (they
 * are test code): a test never runs on half a fixture.
 */
#ifndef DP_TEST_H
#define DP_TEST_H

#include <check.h>

#include "store/store.h"

/* Run every test in s with Check's defaults (CK_FORK unless the
 * environment says otherwise) and return the exit status for main.
 * libxml2 and libcurl are set up first as the service sets them up
 * (html_init, curl_global_init). */
int test_main(Suite *s);

/* Where temporary files go: $TMPDIR, or /tmp when it is not set.
 * Borrowed. */
const char *test_tmp_root(void);

/* A new empty file or directory test_tmp_root()/dp-NAME-XXXXXX; returns
 * its path (a new string). */
char *test_tmpfile(const char *name);
char *test_tmpdir(const char *name);

/* Remove dir and the files in it (not below). */
void test_rmdir(const char *dir);

/* A database of one test: a directory of its own holding deskpilot.db. */
struct test_db {
	char *dir;
	char *path; /* DIR/deskpilot.db, not created until it is opened */
};

/* Make db's directory; db->path names the file store_open will create. */
void test_db_init(struct test_db *db, const char *name);

/* test_db_init, then store_open db->path. Returns the new handle. */
store *test_db_open(struct test_db *db, const char *name);

/* Remove the database file (with its -wal and -shm) and the directory. */
void test_db_remove(struct test_db *db);

#endif
