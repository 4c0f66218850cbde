/*
 * check_json_doc.c - the webhook parser (common/json_doc.h): what it
 * builds, and that it refuses everything jansson's strict parse refused.
 */
#include "common/json_doc.h"

#include "test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse NUL-terminated text; 0 or DP_EPARSE, err filled. */
static int parse(struct json_doc *d, const char *text, size_t len,
		 struct dp_error *err)
{
	return json_doc_parse(d, text, len, 8, err);
}

START_TEST(builds_a_tree)
{
	static const char text[] =
		"{\"a\":1,\"b\":\"x\\u00e9\\ud83d\\ude00\\n\",\"c\":[true,false,null,-2.5],"
		"\"d\":{\"e\":{}},\"f\":-9223372036854775807}";
	struct dp_error err = {{0}};
	struct json_doc d;
	const struct json_node *root, *c, *it;
	int kinds[4], n = 0;

	ck_assert_msg(parse(&d, text, strlen(text), &err) == 0, "%s", err.msg);
	root = json_doc_root(&d);
	ck_assert(json_doc_is(root, JDOC_OBJECT));
	ck_assert_uint_eq(root->len, 5);
	ck_assert_int_eq(json_doc_get(&d, root, "a")->v.i, 1);
	ck_assert_str_eq(json_doc_string(json_doc_get(&d, root, "b")),
			 "x\xc3\xa9\xf0\x9f\x98\x80\n");
	ck_assert_uint_eq(json_doc_get(&d, root, "b")->len, 8);
	c = json_doc_get(&d, root, "c");
	for (it = json_doc_first(&d, c); it; it = json_doc_next(&d, it))
		kinds[n++] = it->kind;
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(kinds[0], JDOC_TRUE);
	ck_assert_int_eq(kinds[1], JDOC_FALSE);
	ck_assert_int_eq(kinds[2], JDOC_NULL);
	ck_assert_int_eq(kinds[3], JDOC_REAL);
	ck_assert(json_doc_is(json_doc_get(&d, json_doc_get(&d, root, "d"), "e"),
			      JDOC_OBJECT));
	ck_assert(json_doc_get(&d, root, "f")->v.i == -INT64_MAX);
	ck_assert_ptr_null(json_doc_get(&d, root, "missing"));
	ck_assert_ptr_null(json_doc_get(&d, c, "a")); /* not an object */
	ck_assert_ptr_null(json_doc_string(json_doc_get(&d, root, "a")));
	json_doc_release(&d);
}
END_TEST

/* Every text jansson (JSON_REJECT_DUPLICATES) refuses is refused here
 * too, and with the reason. */
START_TEST(refuses_what_jansson_refuses)
{
	static const struct {
		const char *text;
		size_t len; /* 0: strlen */
		const char *why;
	} cases[] = {
		{"", 0, "not JSON"},
		{"not json", 0, "not JSON"},
		{"\"a string\"", 0, "expected"},
		{"42", 0, "expected"},
		{"{\"a\":1}x", 0, "trailing garbage"},
		{"{\"a\":1,\"a\":2}", 0, "duplicate object key 'a'"},
		{"{\"t\":{\"id\":1,\"x\":{},\"id\":2}}", 0, "duplicate object key 'id'"},
		{"{\"a\":1", 0, "not JSON"},
		{"{\"a\":123456789012345678901234567890}", 0, "integer overflow"},
		{"{\"a\":1e999}", 0, "overflow"},
		{"{\"a\":01}", 0, "not JSON"},
		{"{\"a\":\"\\u0000\"}", 0, "\\u0000"},
		{"{\"a\":\"\\ud800\"}", 0, "surrogate"},
		{"{\"a\":\"\\udc00\\ud800\"}", 0, "surrogate"},
		{"{\"a\":\"\\ud800\\u0041\"}", 0, "surrogate"},
		{"{\"a\":\"\\x\"}", 0, "not JSON"},
		{"{\"a\":\"\xff\"}", 0, "UTF-8"},
		{"{\"a\":\"\xc0\x80\"}", 0, "UTF-8"},         /* overlong NUL */
		{"{\"a\":\"\xed\xa0\x80\"}", 0, "UTF-8"},     /* a surrogate */
		{"{\"a\":\"\xf4\x90\x80\x80\"}", 0, "UTF-8"}, /* past U+10FFFF */
		{"{\"a\":\"\xc3\"}", 0, "UTF-8"},             /* truncated */
		{"{\"a\":\"tab\there\"}", 0, "not JSON"},     /* raw control */
		{"{\"a\":\"x\"}\0", 10, "not JSON"},          /* a NUL after */
		{"[[[[[[[[[1]]]]]]]]]", 0, "nests deeper than 8 levels"},
		{"{\"a\":1,}", 0, "not JSON"},
		{"{'a':1}", 0, "not JSON"},
		{"{\"a\":1} /* c */", 0, "not JSON"},
	};

	for (size_t i = 0; i < DP_ARRAY_LEN(cases); i++) {
		const char *t = cases[i].text;
		size_t len = cases[i].len ? cases[i].len : strlen(t);
		struct dp_error err = {{0}};
		struct json_doc d;
		json_error_t jerr;
		json_t *j;

		ck_assert_msg(parse(&d, t, len, &err) == DP_EPARSE, "case %zu accepted", i);
		ck_assert_msg(strstr(err.msg, cases[i].why), "case %zu: '%s'", i, err.msg);
		ck_assert_ptr_null(d.nodes);
		/* The parse it replaces agrees (depth aside, which was a scan
		 * before it). */
		j = json_loadb(t, len, JSON_REJECT_DUPLICATES, &jerr);
		ck_assert_msg(j == NULL || strstr(cases[i].why, "deeper"),
			      "case %zu: jansson took it", i);
		json_decref(j);
	}
}
END_TEST

/* Nesting up to the cap is fine, brackets in strings do not count. */
START_TEST(nesting_at_the_cap)
{
	static const char ok[] = "[[[[[[[[\"[[[[{{{{\"]]]]]]]]";
	struct dp_error err = {{0}};
	struct json_doc d;
	const struct json_node *n;

	ck_assert_int_eq(parse(&d, ok, strlen(ok), &err), 0);
	n = json_doc_root(&d);
	for (int i = 0; i < 8; i++) {
		ck_assert(json_doc_is(n, JDOC_ARRAY));
		n = json_doc_first(&d, n);
	}
	ck_assert_str_eq(json_doc_string(n), "[[[[{{{{");
	json_doc_release(&d);
}
END_TEST

/* A fixture webhook reads the same through both parsers. */
START_TEST(same_values_as_jansson)
{
	const char *src = getenv("DP_SRCDIR");
	char *path = xasprintf("%s/tests/data/zammad/webhook-default-customer-email.body",
			       src ? src : ".");
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	struct dp_error err = {{0}};
	struct json_doc d;
	const struct json_node *root, *t, *a;
	char *text;
	FILE *f;
	long len;

	ck_assert_ptr_nonnull(j);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = xmalloc((size_t)len);
	ck_assert_uint_eq(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	ck_assert_int_eq(json_doc_parse(&d, text, (size_t)len, 64, &err), 0);
	root = json_doc_root(&d);
	t = json_doc_get(&d, root, "ticket");
	a = json_doc_get(&d, root, "article");
	ck_assert_int_eq(json_doc_get(&d, t, "id")->v.i,
			 json_integer_value(json_object_get(json_object_get(j, "ticket"), "id")));
	ck_assert_str_eq(json_doc_string(json_doc_get(&d, a, "body")),
			 json_string_value(json_object_get(json_object_get(j, "article"), "body")));
	ck_assert_uint_eq(root->len, json_object_size(j));
	ck_assert_uint_eq(t->len, json_object_size(json_object_get(j, "ticket")));
	json_doc_release(&d);
	json_decref(j);
	free(text);
	free(path);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("json_doc");
	TCase *t = tcase_create("parse");

	tcase_add_test(t, builds_a_tree);
	tcase_add_test(t, refuses_what_jansson_refuses);
	tcase_add_test(t, nesting_at_the_cap);
	tcase_add_test(t, same_values_as_jansson);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return test_main(suite());
}
