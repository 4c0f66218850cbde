/*
 * html.h - HTML to readable plain text (libxml2's HTML parser).
 *
 * For helpdesk article bodies: what a person would read in the message,
 * with its paragraph and line breaks, and nothing a browser would not show.
 */
#ifndef DP_HTML_H
#define DP_HTML_H

#include <stddef.h>

/* Input beyond this many bytes is ignored (cut on a character boundary). */
#define HTML_MAX_INPUT (1024u * 1024)
/* The text never grows past this many bytes (cut on a character boundary). */
#define HTML_MAX_OUTPUT (2u * 1024 * 1024)

/* Once per process, before any thread parses: initialise libxml2 and
 * install an external entity loader that refuses everything, so no
 * libxml2 parse in the process (HTML here, XML in connectors/xml_safe.h)
 * ever loads a file or a URL. html_cleanup undoes it at exit. */
void html_init(void);
void html_cleanup(void);

/* Returns a new string (caller frees; "" for NULL or empty input): the text
 * of `len` bytes of UTF-8 HTML. Entities are decoded; script, style, head,
 * title, noscript, template and comments are dropped; block elements (p,
 * div, headings, lists, tables, blockquote, pre, hr) and <br> become line
 * breaks, paragraphs a blank line; list items start with "- "; quoted
 * blocks (<blockquote>) have their lines prefixed with "> " per level (at
 * most 8); other runs of whitespace, including no-break spaces, collapse to
 * one space except inside <pre>. Lines end in "\n", with no leading or
 * trailing blank lines. Never reads the network or files; pure. */
char *html_to_text(const char *html, size_t len);

#endif
