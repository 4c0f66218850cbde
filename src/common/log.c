/*
 * log.c - key=value log lines on stderr (see log.h).
 */
#include "common/log.h"

#include "common/dp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum log_level current = LOG_INFO;
static const char *const names[] = {"debug", "info", "warn", "error"};

int log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(names); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return DP_EINVAL;
}

void log_set_level(enum log_level level)
{
	current = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	char *line;

	if (level < current)
		return;
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "level=%s %s\n", names[level], line);
	free(line);
}
