/*
 * html.c - HTML to readable plain text (see html.h).
 *
 * Design: libxml2's forgiving HTML parser builds a tree (no network, no
 * error output, recovering from broken markup); a depth-capped walk emits
 * text through a small state machine. Whitespace is never written when
 * seen: it only raises a "pending break" level (space < line < paragraph),
 * and the highest level pending is written just before the next visible
 * character. That gives collapsed spaces, no trailing blanks on a line and
 * no leading or trailing blank lines without a cleanup pass.
 *
 * Invariants: the output is appended in whole UTF-8 sequences, so the
 * output cap never splits a character; the walk never goes deeper than
 * MAX_DEPTH elements.
 */
#include "common/html.h"

#include "common/buf.h"
#include "common/dp.h"
#include "common/utf8.h"

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 256
#define MAX_QUOTE 8

enum brk { BRK_NONE,
	   BRK_SPACE,
	   BRK_LINE,
	   BRK_PARA };

struct emit {
	struct buf out;
	enum brk pending;
	bool line_start; /* nothing written on the current line yet */
	int quote;       /* blockquote nesting */
	int pre;         /* <pre> nesting: whitespace is kept */
	bool bullet;     /* a list item's "- " is due before its first text */
};

static void want(struct emit *e, enum brk b)
{
	if (b > e->pending)
		e->pending = b;
}

/* Write the pending break, then the quote prefix of a new line. */
static void flush(struct emit *e)
{
	if (e->out.len == 0) {
		e->pending = BRK_NONE;
	} else if (e->pending == BRK_SPACE && !e->line_start) {
		buf_putc(&e->out, ' ');
	} else if (e->pending >= BRK_LINE) {
		buf_puts(&e->out, e->pending == BRK_PARA ? "\n\n" : "\n");
		e->line_start = true;
	}
	e->pending = BRK_NONE;
	if (e->line_start) {
		for (int i = 0; i < e->quote && i < MAX_QUOTE; i++)
			buf_puts(&e->out, "> ");
		if (e->bullet)
			buf_puts(&e->out, "- ");
		e->bullet = false;
		e->line_start = false;
	}
}

/* Length of the character starting at s (at most n bytes); a byte that
 * starts no valid sequence counts as one. */
static size_t seq_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len = utf8_decode(s, n, &cp);

	return len ? len : 1;
}

static void put_text(struct emit *e, const unsigned char *s)
{
	size_t n = strlen((const char *)s);

	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		bool nbsp = c == 0xC2 && i + 1 < n && s[i + 1] == 0xA0;
		size_t k;

		if (e->pre && (c == '\n' || c == '\r')) {
			if (c == '\n')
				e->pending = e->pending >= BRK_LINE ? BRK_PARA
								    : BRK_LINE;
			i++;
			continue;
		}
		if (!e->pre && (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
				c == '\f' || nbsp)) {
			want(e, BRK_SPACE);
			i += nbsp ? 2 : 1;
			continue;
		}
		flush(e);
		k = seq_len(s + i, n - i);
		buf_append(&e->out, s + i, k); /* past the cap: dropped whole */
		i += k;
	}
}

static bool name_in(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

/* clang-format off */
static const char *const hidden[] = {
	"script", "style", "head", "title", "noscript", "template", "iframe",
	"object", "svg", NULL,
};
static const char *const para_blocks[] = {
	"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table",
	"blockquote", "pre", "hr", NULL,
};
static const char *const line_blocks[] = {
	"div", "li", "tr", "dt", "dd", "section", "article", "header",
	"footer", "address", "form", "fieldset", "figure", "main", "nav",
	"aside", "caption", "center", "body", NULL,
};
/* clang-format on */

static void walk(struct emit *e, xmlNode *node, int depth);

static void walk_element(struct emit *e, xmlNode *node, int depth)
{
	const char *name = (const char *)node->name;
	enum brk around = BRK_NONE;

	if (name_in(name, hidden))
		return;
	if (strcmp(name, "br") == 0) {
		/* A second <br> in a row makes a blank line. */
		e->pending = e->pending >= BRK_LINE ? BRK_PARA : BRK_LINE;
		return;
	}
	if (name_in(name, para_blocks))
		around = BRK_PARA;
	else if (name_in(name, line_blocks))
		around = BRK_LINE;
	else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
		around = BRK_SPACE;
	want(e, around);
	e->bullet = strcmp(name, "li") == 0;
	e->quote += strcmp(name, "blockquote") == 0;
	e->pre += strcmp(name, "pre") == 0;
	walk(e, node->children, depth + 1);
	e->quote -= strcmp(name, "blockquote") == 0;
	e->pre -= strcmp(name, "pre") == 0;
	e->bullet = false;
	want(e, around);
}

static void walk(struct emit *e, xmlNode *node, int depth)
{
	if (depth > MAX_DEPTH)
		return;
	for (; node; node = node->next) {
		if (node->type == XML_TEXT_NODE && node->content)
			put_text(e, node->content);
		else if (node->type == XML_ELEMENT_NODE)
			walk_element(e, node, depth);
	}
}

/* libxml2 must never load anything from outside the document. */
static xmlParserInputPtr deny_entities(const char *url, const char *id,
				       xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

void html_init(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(deny_entities);
}

void html_cleanup(void)
{
	xmlCleanupParser();
}

char *html_to_text(const char *html, size_t len)
{
	struct emit e = {.pending = BRK_NONE, .line_start = true};
	htmlDocPtr doc;

	buf_init(&e.out, HTML_MAX_OUTPUT);
	if (!html || len == 0)
		return buf_detach(&e.out);
	len = utf8_cut(html, len, HTML_MAX_INPUT);
	doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
			     HTML_PARSE_NONET | HTML_PARSE_NOERROR |
				     HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
	if (doc) {
		walk(&e, xmlDocGetRootElement(doc), 0);
		xmlFreeDoc(doc);
	}
	return buf_detach(&e.out);
}
