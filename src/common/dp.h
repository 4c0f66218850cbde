/*
 * dp.h - what every deskpilot module shares: the error convention, the
 * allocation wrappers and the clock.
 *
 * Errors: functions returning int give 0 or a negative enum dp_err; functions
 * returning pointers give NULL. Details go into an optional caller-supplied
 * struct dp_error (may be NULL). An error is reported once, at the boundary
 * that can act on it.
 *
 * Memory: internal allocation failure aborts. Every size that outside input
 * can drive is capped elsewhere, so running out of memory means
 * misconfiguration, not an attack.
 */
#ifndef DP_H
#define DP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum dp_err {
	DP_OK = 0,
	DP_EINVAL = -1,     /* bad input or argument */
	DP_EIO = -2,        /* file or socket failure */
	DP_ETOOBIG = -3,    /* a hard cap was hit */
	DP_ENOTFOUND = -4,  /* no such row, key or file */
	DP_EAUTH = -5,      /* signature or credentials wrong */
	DP_EPARSE = -6,     /* malformed document */
	DP_EDUP = -7,       /* already there (idempotent replay) */
	DP_EBUSY = -8,      /* try again later */
	DP_ESTORE = -9,     /* database failure */
	DP_ETIMEOUT = -10,  /* an external call took too long */
	DP_EREMOTE = -11,   /* a remote peer answered with an error */
	DP_EMEDIA = -12,    /* unsupported content type */
	DP_ECONFLICT = -13, /* a remote peer applied it elsewhere before */
};

/* Optional error detail; msg is always NUL-terminated. */
struct dp_error {
	char msg[512];
};

/* Static text for a code; never NULL. */
const char *dp_strerror(int rc);

/* Format into e->msg (if e is not NULL) and return rc, so callers can write
 * `return dp_fail(err, DP_EINVAL, "bad '%s'", x);`. */
int dp_fail(struct dp_error *e, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s); /* xstrdup(NULL) returns NULL */
char *xstrndup(const char *s, size_t n);
/* Returns a new heap string (caller frees). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Wall clock in milliseconds since the epoch, and a monotonic clock in
 * microseconds for measuring durations. */
int64_t dp_now_ms(void);
int64_t dp_mono_us(void);

/* The wall-clock instant ms milliseconds from now, as
 * pthread_cond_timedwait wants its deadline. */
struct timespec dp_deadline_ms(int ms);

/* Parse a whole decimal string into a long long in [min, max]; 0 or DP_EINVAL.
 * Leading/trailing garbage, empty input and overflow are errors. */
int dp_parse_ll(const char *s, long long min, long long max, long long *out);

/* Parse a boolean word, case-insensitively: true, yes, on, 1 or y; false,
 * no, off, 0 or n. 0 or DP_EINVAL (also for ""). */
int dp_parse_bool(const char *s, bool *out);

/* [*start, *start + *len) is s without the white space around it. */
void dp_trim(const char *s, const char **start, size_t *len);

/* Value of NAME in a NULL-terminated "NAME=value" array (a FastCGI
 * environment); borrowed, NULL when absent. */
const char *dp_env_get(char *const *envp, const char *name);

/* The exit status of a command given wrong arguments (0 is success, 1 a
 * failure). */
#define EXIT_USAGE 2

#define DP_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
