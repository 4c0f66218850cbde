/*
 * check_csv.c - the CSV reader: quoting, the header, line numbers, and
 * errors that name the file and the line.
 */
#include "common/csv.h"

#include "test.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *mem(const char *s)
{
	return fmemopen((void *)s, strlen(s), "r");
}

START_TEST(csv_quoted_fields)
{
	FILE *f = mem("\xEF\xBB\xBFtext, intent\r\n"
		      "\"a, \"\"quoted\"\"\nline\",track_order\r\n"
		      "\n"
		      "plain,x");
	struct csv *c = csv_new(f, "t.csv");
	struct dp_error err;

	ck_assert_int_eq(csv_read_header(c, &err), 0);
	ck_assert_int_eq(csv_column(c, "TEXT"), 0);
	ck_assert_int_eq(csv_column(c, "intent"), 1);
	ck_assert_int_eq(csv_column(c, "missing"), -1);
	ck_assert_int_eq(csv_next(c, &err), 1);
	ck_assert_str_eq(csv_field(c, 0), "a, \"quoted\"\nline");
	ck_assert_str_eq(csv_field(c, 1), "track_order");
	ck_assert_int_eq(csv_line(c), 2);
	ck_assert_int_eq(csv_next(c, &err), 1);
	ck_assert_int_eq(csv_line(c), 5);
	ck_assert_str_eq(csv_field(c, 0), "plain");
	ck_assert_ptr_null(csv_field(c, 2));
	ck_assert_int_eq(csv_next(c, &err), 0);
	csv_free(c);
	fclose(f);
}
END_TEST

static void csv_error(const char *text, const char *msg)
{
	FILE *f = mem(text);
	struct csv *c = csv_new(f, "bad.csv");
	struct dp_error err;
	int rc = csv_read_header(c, &err);

	if (rc == 0)
		while ((rc = csv_next(c, &err)) > 0)
			;
	ck_assert_int_lt(rc, 0);
	ck_assert_msg(strstr(err.msg, msg), "got '%s', want '%s'", err.msg, msg);
	csv_free(c);
	fclose(f);
}

START_TEST(csv_errors_name_line)
{
	csv_error("a,b\n1,2\n\"open,3\n", "bad.csv:3: unterminated quoted field");
	csv_error("a,b\n1,2,3\n", "bad.csv:2: 3 fields, the header has 2");
	csv_error("a,b\nx\"y,2\n", "bad.csv:2: quote inside unquoted field");
	csv_error("a,b\n\"x\"y,2\n", "bad.csv:2: text after closing quote");
	csv_error("", "bad.csv:1: empty file");
	csv_error("a,A\n", "duplicate column");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("csv");
	TCase *t = tcase_create("reader");

	tcase_add_test(t, csv_quoted_fields);
	tcase_add_test(t, csv_errors_name_line);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return test_main(suite());
}
