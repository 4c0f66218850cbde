/*
 * check_html.c - html_to_text: breaks, entities, hidden elements,
 * whitespace, quotes, lists, caps and broken markup.
 */
#include "common/html.h"
#include "test.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static void expect(const char *html, const char *want)
{
	char *got = html_to_text(html, strlen(html));

	ck_assert_msg(strcmp(got, want) == 0, "html %s\n  want [%s]\n  got  [%s]",
		      html, want, got);
	free(got);
}

START_TEST(empty_input)
{
	char *t = html_to_text(NULL, 0);

	ck_assert_str_eq(t, "");
	free(t);
	expect("", "");
	expect("<p> </p><div>\n</div>", "");
}
END_TEST

START_TEST(zammad_fixture_body)
{
	/* The body of webhook-default-customer-email, after JSON decoding. */
	expect("<div>Hello,</div><div>how do I reset my password? The reset link says "
	       "\"expired\" &amp; nothing happens.</div><div>Thanks, Nora \xe2\x80\x93 "
	       "caf\xc3\xa9 team</div>",
	       "Hello,\nhow do I reset my password? The reset link says \"expired\" & "
	       "nothing happens.\nThanks, Nora \xe2\x80\x93 caf\xc3\xa9 team");
}
END_TEST

START_TEST(paragraphs_and_breaks)
{
	expect("<p>First paragraph.</p><p>Second<br>line two</p>",
	       "First paragraph.\n\nSecond\nline two");
	expect("one<br><br>two<br/>three", "one\n\ntwo\nthree");
	expect("<h1>Title</h1>text", "Title\n\ntext");
	expect("a<hr>b", "a\n\nb");
}
END_TEST

START_TEST(hidden_elements_dropped)
{
	expect("<html><head><title>T</title><style>p{color:red}</style></head>"
	       "<body><script>alert(1)</script><p>visible</p><!-- comment -->"
	       "<noscript>x</noscript></body></html>",
	       "visible");
}
END_TEST

START_TEST(entities_decoded)
{
	expect("&lt;b&gt; &amp;&nbsp;&quot;caf&eacute;&quot; &#8364; &#x41;",
	       "<b> & \"caf\xc3\xa9\" \xe2\x82\xac A");
}
END_TEST

START_TEST(whitespace_collapsed)
{
	expect("  lots   of\n\n  space\t here  ", "lots of space here");
	expect("<p>  lead</p>  <p>trail  </p>", "lead\n\ntrail");
	expect("<b>bold</b> <i>italic</i>", "bold italic");
	expect("a&nbsp;&nbsp;&nbsp;b", "a b");
}
END_TEST

START_TEST(pre_keeps_lines)
{
	expect("<pre>line 1\n  indented\nline 3</pre>after",
	       "line 1\n  indented\nline 3\n\nafter");
}
END_TEST

START_TEST(lists_and_tables)
{
	expect("<ul><li>one</li><li> two </li></ul>", "- one\n- two");
	expect("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
	       "a b\nc");
}
END_TEST

START_TEST(blockquote_prefixed)
{
	expect("<p>Yes.</p><blockquote><p>old line</p><p>older</p></blockquote>",
	       "Yes.\n\n> old line\n\n> older");
	expect("<blockquote>a<blockquote>b</blockquote></blockquote>", "> a\n\n> > b");
}
END_TEST

START_TEST(broken_markup_recovered)
{
	expect("<p>unclosed <b>bold<p>next", "unclosed bold\n\nnext");
	expect("<div><span>x</div></span>y", "x\ny");
	expect("plain text, no tags", "plain text, no tags");
}
END_TEST

START_TEST(input_is_capped)
{
	size_t n = HTML_MAX_INPUT + 4096;
	char *big = malloc(n + 1);
	char *t;

	/* "é" repeated: the cut must land on a character boundary. */
	for (size_t i = 0; i + 1 < n; i += 2)
		big[i] = '\xc3', big[i + 1] = '\xa9';
	big[n] = '\0';
	t = html_to_text(big, n);
	ck_assert_uint_le(strlen(t), HTML_MAX_INPUT);
	ck_assert_uint_ge(strlen(t), HTML_MAX_INPUT - 2);
	ck_assert_int_eq(strlen(t) % 2, 0);
	ck_assert_int_eq((unsigned char)t[strlen(t) - 1], 0xa9);
	free(t);
	free(big);
}
END_TEST

START_TEST(deep_nesting_survives)
{
	size_t depth = 5000;
	char *html = malloc(depth * 5 + 16);
	char *t;
	size_t len = 0;

	for (size_t i = 0; i < depth; i++)
		memcpy(html + len, "<div>", 5), len += 5;
	memcpy(html + len, "deep", 4), len += 4;
	html[len] = '\0';
	t = html_to_text(html, len);
	/* Text below the walk's depth cap is dropped, never crashes. */
	ck_assert_uint_le(strlen(t), 4);
	free(t);
	free(html);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("html");
	TCase *tc = tcase_create("to_text");

	tcase_add_test(tc, empty_input);
	tcase_add_test(tc, zammad_fixture_body);
	tcase_add_test(tc, paragraphs_and_breaks);
	tcase_add_test(tc, hidden_elements_dropped);
	tcase_add_test(tc, entities_decoded);
	tcase_add_test(tc, whitespace_collapsed);
	tcase_add_test(tc, pre_keeps_lines);
	tcase_add_test(tc, lists_and_tables);
	tcase_add_test(tc, blockquote_prefixed);
	tcase_add_test(tc, broken_markup_recovered);
	tcase_add_test(tc, input_is_capped);
	tcase_add_test(tc, deep_nesting_survives);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_main(suite());
}
