/*
 * buf.h - a growable byte buffer with a hard maximum.
 *
 * Invariants: data is NULL until the first append, then always
 * NUL-terminated; len never exceeds max. An append that would pass max
 * fails with DP_ETOOBIG and leaves the buffer as it was. Pointers into data
 * are valid only until the next append.
 */
#ifndef DP_BUF_H
#define DP_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

/* Empty buffer that may grow to max bytes (not counting the NUL). */
void buf_init(struct buf *b, size_t max);
/* Frees the contents; the buffer may be reused after buf_init. */
void buf_release(struct buf *b);
/* Keeps the storage, drops the contents. */
void buf_reset(struct buf *b);

int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Returns the contents as a new heap string (caller frees; "" when empty)
 * and leaves the buffer empty. */
char *buf_detach(struct buf *b);

/* The contents as a C string: borrowed, "" when empty. */
const char *buf_str(const struct buf *b);

#endif
