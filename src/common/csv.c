/*
 * csv.c - RFC 4180 CSV reader (see csv.h).
 *
 * Design: one record at a time into a single byte buffer; fields are
 * stored back to back, each NUL-terminated, with their start offsets in
 * `off`. A small state machine over getc() handles quoting; `line` counts
 * every line break read, including those inside quoted fields, so error
 * messages point at real file lines.
 *
 * Invariants: rec.len <= CSV_MAX_RECORD; n_fields <= CSV_MAX_FIELDS;
 * after an error `failed` holds the code and the message is kept.
 */
#include "common/csv.h"

#include "common/buf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct csv {
	FILE *in;
	char *name;
	long line;     /* current physical line (1-based) */
	long rec_line; /* line the current record started on */
	bool started;  /* BOM check done */
	int pend[3];   /* pushed-back bytes, last one read first */
	size_t n_pend;
	int failed; /* 0 or the error that finished the reader */
	struct dp_error saved;
	struct buf rec; /* fields back to back, NUL-separated */
	size_t off[CSV_MAX_FIELDS];
	size_t n_fields;
	char **header; /* column names after csv_read_header */
	size_t n_header;
};

struct csv *csv_new(FILE *in, const char *name)
{
	struct csv *c = xcalloc(1, sizeof(*c));

	c->in = in;
	c->name = xstrdup(name ? name : "-");
	c->line = 1;
	buf_init(&c->rec, CSV_MAX_RECORD + CSV_MAX_FIELDS);
	return c;
}

void csv_free(struct csv *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_header; i++)
		free(c->header[i]);
	free(c->header);
	buf_release(&c->rec);
	free(c->name);
	free(c);
}

static int fail(struct csv *c, struct dp_error *err, int rc, long line,
		const char *what)
{
	c->failed = rc;
	dp_fail(&c->saved, rc, "%s:%ld: %s", c->name, line, what);
	if (err)
		*err = c->saved;
	return rc;
}

/* Next input byte: bytes pushed back by the BOM check come first. */
static int next_byte(struct csv *c)
{
	if (c->n_pend)
		return c->pend[--c->n_pend];
	return getc(c->in);
}

/* Skip a UTF-8 byte order mark at the very start of the input; anything
 * else read while looking is pushed back in order. */
static void skip_bom(struct csv *c)
{
	static const int bom[3] = {0xEF, 0xBB, 0xBF};
	int got[3];
	size_t n = 0;

	while (n < 3 && (got[n] = getc(c->in)) == bom[n])
		n++;
	if (n == 3)
		return;
	if (got[n] != EOF)
		c->pend[c->n_pend++] = got[n];
	while (n > 0)
		c->pend[c->n_pend++] = got[--n];
}

/* End the current field: NUL-terminate it and start the next. */
static int end_field(struct csv *c, struct dp_error *err)
{
	if (buf_putc(&c->rec, '\0') < 0)
		return fail(c, err, DP_ETOOBIG, c->rec_line, "record too large");
	if (c->n_fields + 1 >= CSV_MAX_FIELDS)
		return fail(c, err, DP_ETOOBIG, c->rec_line, "too many fields");
	c->off[++c->n_fields] = c->rec.len;
	return 0;
}

static int put(struct csv *c, struct dp_error *err, int ch, size_t field_start)
{
	if (ch == '\0')
		return fail(c, err, DP_EPARSE, c->line, "NUL byte in field");
	if (c->rec.len - field_start >= CSV_MAX_FIELD)
		return fail(c, err, DP_ETOOBIG, c->rec_line, "field too large");
	if (buf_putc(&c->rec, (char)ch) < 0)
		return fail(c, err, DP_ETOOBIG, c->rec_line, "record too large");
	return 0;
}

/* Read one physical record (may be blank). 1 read, 0 EOF, <0 error. */
static int read_record(struct csv *c, struct dp_error *err)
{
	enum { START,
	       UNQUOTED,
	       QUOTED,
	       AFTER_QUOTE } st = START;
	size_t field_start = 0;
	int ch, rc;

	buf_reset(&c->rec);
	c->n_fields = 0;
	c->off[0] = 0;
	c->rec_line = c->line;
	ch = next_byte(c);
	if (ch == EOF)
		return 0;
	for (;; ch = next_byte(c)) {
		if (ch == '\r') {
			int next = next_byte(c);

			if (next != '\n') {
				if (next != EOF)
					c->pend[c->n_pend++] = next;
				if (st == QUOTED) {
					if ((rc = put(c, err, '\r', field_start)) < 0)
						return rc;
					continue;
				}
			}
			ch = '\n';
		}
		if (st == QUOTED) {
			if (ch == EOF)
				return fail(c, err, DP_EPARSE, c->rec_line,
					    "unterminated quoted field");
			if (ch == '"') {
				st = AFTER_QUOTE;
				continue;
			}
			if (ch == '\n')
				c->line++;
			if ((rc = put(c, err, ch, field_start)) < 0)
				return rc;
			continue;
		}
		if (ch == EOF || ch == '\n' || ch == ',') {
			if ((rc = end_field(c, err)) < 0)
				return rc;
			if (ch == '\n')
				c->line++;
			if (ch != ',')
				return 1;
			st = START;
			field_start = c->rec.len;
			continue;
		}
		switch (st) {
		case START:
			if (ch == '"') {
				st = QUOTED;
				continue;
			}
			st = UNQUOTED;
			break;
		case AFTER_QUOTE:
			if (ch == '"') { /* "" inside quotes: one quote */
				st = QUOTED;
				break;
			}
			return fail(c, err, DP_EPARSE, c->line,
				    "text after closing quote");
		case UNQUOTED:
			if (ch == '"')
				return fail(c, err, DP_EPARSE, c->line,
					    "quote inside unquoted field");
			break;
		case QUOTED:
			break;
		}
		if ((rc = put(c, err, ch, field_start)) < 0)
			return rc;
	}
}

int csv_next(struct csv *c, struct dp_error *err)
{
	int rc;

	if (c->failed) {
		if (err)
			*err = c->saved;
		return c->failed;
	}
	if (!c->started) {
		c->started = true;
		skip_bom(c);
	}
	do {
		rc = read_record(c, err);
		if (rc <= 0)
			return rc;
	} while (c->n_fields == 1 && c->rec.data[0] == '\0'); /* blank line */
	if (c->n_header && c->n_fields != c->n_header) {
		char what[96];

		snprintf(what, sizeof(what), "%zu fields, the header has %zu",
			 c->n_fields, c->n_header);
		return fail(c, err, DP_EPARSE, c->rec_line, what);
	}
	return 1;
}

int csv_read_header(struct csv *c, struct dp_error *err)
{
	int rc = csv_next(c, err);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return fail(c, err, DP_EPARSE, c->line, "empty file, no header");
	c->header = xcalloc(c->n_fields, sizeof(*c->header));
	for (size_t i = 0; i < c->n_fields; i++) {
		const char *f = csv_field(c, (int)i);
		size_t n;

		while (*f == ' ')
			f++;
		n = strlen(f);
		while (n > 0 && f[n - 1] == ' ')
			n--;
		c->header[i] = xstrndup(f, n);
		c->n_header = i + 1;
		if (csv_column(c, c->header[i]) != (int)i) {
			char what[160];

			snprintf(what, sizeof(what), "duplicate column '%.100s'",
				 c->header[i]);
			return fail(c, err, DP_EPARSE, c->rec_line, what);
		}
	}
	return 0;
}

int csv_column(const struct csv *c, const char *name)
{
	for (size_t i = 0; i < c->n_header; i++)
		if (strcasecmp(c->header[i], name) == 0)
			return (int)i;
	return -1;
}

const char *csv_field(const struct csv *c, int i)
{
	if (i < 0 || (size_t)i >= c->n_fields)
		return NULL;
	return c->rec.data + c->off[i];
}

long csv_line(const struct csv *c)
{
	return c->rec_line;
}

const char *csv_name(const struct csv *c)
{
	return c->name;
}

void csv_put(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}
