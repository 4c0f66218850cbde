/*
 * log.h - one line per message to stderr (journald under systemd), as
 * stable key=value pairs: `level=info msg="..." key=value ...`.
 *
 * The level is set once at start, before threads; writing is thread-safe
 * (one fprintf per line). Never log secrets or raw request bodies.
 */
#ifndef DP_LOG_H
#define DP_LOG_H

enum log_level { LOG_DEBUG,
		 LOG_INFO,
		 LOG_WARN,
		 LOG_ERROR };

/* Parse "debug", "info", "warn", "error"; 0 or DP_EINVAL. */
int log_level_parse(const char *s, enum log_level *out);
void log_set_level(enum log_level level);

/* fmt holds the rest of the line after `level=...`, typically
 * `msg="..." key=value`. */
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
