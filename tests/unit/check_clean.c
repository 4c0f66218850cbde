/*
 * check_clean.c - clean_text on real-looking threads from several mail
 * clients (tests/data/clean/NAME.txt against NAME.expected) and on the
 * character-level rules.
 */
#include "common/clean.h"
#include "test.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off */
static const char *const threads[] = {
	"gmail_en", "outlook_en", "outlook_de", "apple_fr", "thunderbird_es",
	"original_message_de", "bottom_post", "disclaimer_tracking",
	"forward_gmail", "unicode_ws", "sv_signoff", "outlook_chain",
};
/* clang-format on */

static char *slurp(const char *name, const char *ext)
{
	const char *src = getenv("DP_SRCDIR");
	char path[4096];
	FILE *f;
	char *data;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/clean/%s.%s",
		 src ? src : ".", name, ext);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = malloc((size_t)n + 1);
	ck_assert_int_eq(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	/* the expected files end with one newline the output does not have */
	if (strcmp(ext, "expected") == 0 && n > 0 && data[n - 1] == '\n')
		data[n - 1] = '\0';
	return data;
}

START_TEST(test_thread)
{
	char *in = slurp(threads[_i], "txt");
	char *want = slurp(threads[_i], "expected");
	char *got = clean_text(in);

	ck_assert_msg(strcmp(got, want) == 0, "%s:\n--- got ---\n%s\n--- want ---\n%s",
		      threads[_i], got, want);
	ck_assert_uint_le(strlen(got), strlen(in));
	free(got);
	free(want);
	free(in);
}
END_TEST

static void expect(const char *in, const char *want)
{
	char *got = clean_text(in);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_characters)
{
	/* CRLF and CR line ends, tabs and NBSP as spaces */
	expect("a\r\nb\rc", "a\nb\nc");
	expect("a\tb\xc2\xa0\xc2\xa0"
	       "c",
	       "a b c");
	/* zero-width space, BOM, soft hyphen, bidi override: gone */
	expect("\xef\xbb\xbfpass\xe2\x80\x8bword re\xc2\xadset \xe2\x80\xaeok",
	       "password reset ok");
	/* decomposed accents composed: e + U+0301, U + U+0308, s + caron */
	expect("cafe\xcc\x81 U\xcc\x88"
	       "ber s\xcc\x8c",
	       "caf\xc3\xa9 \xc3\x9c"
	       "ber \xc5\xa1");
	/* invalid UTF-8 and control bytes dropped, valid text kept */
	expect("ok\xff\xfe then\x01\x7f fine \xc3\x28!", "ok then fine (!");
	/* blank lines squeezed, leading and trailing blank lines trimmed */
	expect("\n\n  a  \n\n\n\nb\n\n", "a\n\nb");
	expect(NULL, "");
	expect("", "");
}
END_TEST

START_TEST(test_history_rules)
{
	/* wrapped Gmail header with only plain text after it: all history */
	expect("New question\n\nOn Tue, 5 Mar 2024 at 10:00, Bob <b@x.example>\nwrote:\nold text",
	       "New question");
	/* German and Dutch reply headers */
	expect("Danke\n\nAm 04.03.2024 um 10:15 schrieb Max <max@x.de>:\n> alt", "Danke");
	expect("Bedankt\n\nOp ma 4 mrt. 2024 om 10:15 schreef Jan <j@x.nl>:\n> oud", "Bedankt");
	/* "On ... wrote:" needs a date or address: a sentence survives */
	expect("On the form I wrote:\nmy order number", "On the form I wrote:\nmy order number");
	/* a "From:" line without a Sent/Date line is not a header block */
	expect("From: Berlin\nTo: Munich, how long?", "From: Berlin\nTo: Munich, how long?");
	/* signature delimiter */
	expect("Body\n-- \nSig line", "Body");
	/* a sign-off followed by real content is not a signature */
	expect("Thanks,\nhere is more detail on the problem:\n"
	       "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7",
	       "Thanks,\nhere is more detail on the problem:\nline 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7");
	/* "Thanks for ..." is a sentence, not a sign-off */
	expect("Where is it?\nThanks for checking", "Where is it?\nThanks for checking");
	/* a message that is only a sign-off keeps it */
	expect("Thanks!", "Thanks!");
	/* `>` lines in the middle go, the text around stays */
	expect("a\n> quoted\nb", "a\nb");
}
END_TEST

START_TEST(test_links_and_cap)
{
	char *big = malloc(CLEAN_MAX_INPUT + 100);
	char *got;

	expect("see https://shop.example/p?id=1&utm_source=x.", "see https://shop.example/p.");
	expect("see https://shop.example/p?id=1.", "see https://shop.example/p?id=1.");
	expect("a [image: logo] b", "a b");
	memset(big, 'a', CLEAN_MAX_INPUT + 99);
	big[CLEAN_MAX_INPUT + 99] = '\0';
	got = clean_text(big);
	ck_assert_uint_eq(strlen(got), CLEAN_MAX_INPUT);
	free(got);
	free(big);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("clean");
	TCase *tc = tcase_create("clean");

	tcase_add_loop_test(tc, test_thread, 0, (int)(sizeof(threads) / sizeof(threads[0])));
	tcase_add_test(tc, test_characters);
	tcase_add_test(tc, test_history_rules);
	tcase_add_test(tc, test_links_and_cap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_main(suite());
}
