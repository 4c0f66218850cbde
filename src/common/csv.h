/*
 * csv.h - a small RFC 4180 CSV reader.
 *
 * Reads records from a FILE one at a time: fields separated by ',',
 * records by CRLF or LF, fields optionally enclosed in double quotes; a
 * quoted field may hold commas, line breaks and "" (one quote). A UTF-8
 * byte order mark at the start of the file is skipped, blank lines are
 * skipped, and the final line break is optional.
 *
 * Strict where silence would lose data: a quote inside an unquoted field,
 * text after a closing quote, an unterminated quoted field, a NUL byte, or
 * (once csv_read_header was called) a record with a different number of
 * fields than the header is an error. Every error message starts with
 * "NAME:LINE:" (the line the record starts on) and, where it applies,
 * names the column.
 *
 * Caps: CSV_MAX_FIELD bytes per field, CSV_MAX_FIELDS fields per record,
 * CSV_MAX_RECORD bytes per record; passing one is DP_ETOOBIG.
 */
#ifndef DP_CSV_H
#define DP_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "common/dp.h"

#define CSV_MAX_FIELD (64u * 1024)
#define CSV_MAX_FIELDS 256
#define CSV_MAX_RECORD (1024u * 1024)

struct csv;

/* Returns a new reader over `in` (borrowed; the caller closes it). `name`
 * is copied and used in error messages (e.g. the file path or "-"). */
struct csv *csv_new(FILE *in, const char *name);
/* csv_free(NULL) does nothing. */
void csv_free(struct csv *c);

/* Read the next record: 1 when one was read, 0 at the end of the input,
 * or a negative dp_err with err filled ("train.csv:12: unterminated quoted
 * field"). After an error the reader is finished: further calls return
 * the same error. */
int csv_next(struct csv *c, struct dp_error *err);

/* Read the first record as the header: column names, trimmed of spaces and
 * compared case-insensitively by csv_column. From then on every record
 * must have as many fields as the header. 0, DP_EPARSE for an empty file
 * or a duplicate column name, or a csv_next error. */
int csv_read_header(struct csv *c, struct dp_error *err);

/* Index of the header column `name`, or -1 when absent. */
int csv_column(const struct csv *c, const char *name);

/* Write s as one CSV field to out: quoted (quotes doubled) when it holds
 * a comma, a quote or a line break, as it is otherwise. */
void csv_put(FILE *out, const char *s);

/* Field i of the current record, NUL-terminated; borrowed, valid until
 * the next csv_next. NULL when i is negative or past the end (so
 * csv_field(c, csv_column(c, "x")) is NULL for an absent column). */
const char *csv_field(const struct csv *c, int i);
/* Line number (1-based) on which the current record starts. */
long csv_line(const struct csv *c);
/* The reader's name as given to csv_new (borrowed). */
const char *csv_name(const struct csv *c);

#endif
