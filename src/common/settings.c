/*
 * settings.c - defaults, parsing and printing of a section's keys (see
 * settings.h).
 *
 * Design: settings_init feeds every default through settings_set, the
 * setter the file goes through, so the defaults are validated exactly
 * like user input and check-config prints both the same way.
 */
#include "common/settings.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(values, k, T) ((T *)((char *)(values) + (k)->off))
#define CFIELD(values, k, T) ((const T *)((const char *)(values) + (k)->off))

static int parse_size(const char *v, double min, double max, size_t *out)
{
	char *end;
	unsigned long long n;
	unsigned long long mul = 1;

	if (!isdigit((unsigned char)*v))
		return DP_EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return DP_EINVAL;
	if (*end == 'k' || *end == 'K')
		mul = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1024 * 1024, end++;
	if (*end || n > (unsigned long long)max / mul || n * mul < min)
		return DP_EINVAL;
	*out = (size_t)(n * mul);
	return 0;
}

/* The index of v among the '|'-separated choices, or -1. */
static int choice_index(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *p = choices;

	for (int i = 0; p; i++) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, v, n) == 0)
			return i;
		p = bar ? bar + 1 : NULL;
	}
	return -1;
}

/* Choice i of the '|'-separated choices, printed. */
static void print_choice(const char *choices, int i, FILE *out)
{
	const char *p = choices;

	while (i-- > 0 && p)
		p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL;
	if (p)
		fprintf(out, "%.*s", (int)strcspn(p, "|"), p);
}

static void set_string(const struct setting *k, void *values, char *s)
{
	free(*FIELD(values, k, char *));
	*FIELD(values, k, char *) = s;
}

int settings_set(const struct setting *k, void *values, const char *v,
		 struct dp_error *err)
{
	long long ll;
	double d;
	char *end;
	bool b;
	int i;

	switch (k->type) {
	case SETTING_STR:
	case SETTING_SECRET:
		set_string(k, values, xstrdup(v));
		return 0;
	case SETTING_INT:
		if (dp_parse_ll(v, (long long)k->min, (long long)k->max, &ll) < 0)
			return dp_fail(err, DP_EINVAL,
				       "'%s' must be an integer from %.0f to %.0f, not '%s'",
				       k->name, k->min, k->max, v);
		*FIELD(values, k, int) = (int)ll;
		return 0;
	case SETTING_SIZE:
		if (parse_size(v, k->min, k->max, FIELD(values, k, size_t)) < 0)
			return dp_fail(err, DP_EINVAL,
				       "'%s' must be a size (e.g. 512k, 1m) from %.0f to %.0f bytes, not '%s'",
				       k->name, k->min, k->max, v);
		return 0;
	case SETTING_DOUBLE:
		errno = 0;
		d = strtod(v, &end);
		if (!*v || *end || errno || !isfinite(d) || d < k->min || d > k->max)
			return dp_fail(err, DP_EINVAL,
				       "'%s' must be a number from %g to %g, not '%s'",
				       k->name, k->min, k->max, v);
		*FIELD(values, k, double) = d;
		return 0;
	case SETTING_BOOL:
		if (dp_parse_bool(v, &b) < 0)
			return dp_fail(err, DP_EINVAL,
				       "'%s' must be true or false, not '%s'",
				       k->name, v);
		*FIELD(values, k, bool) = b;
		return 0;
	case SETTING_CHOICE:
	case SETTING_ENUM:
		i = choice_index(k->choices, v);
		if (i < 0)
			return dp_fail(err, DP_EINVAL, "'%s' must be one of %s, not '%s'",
				       k->name, k->choices, v);
		if (k->type == SETTING_ENUM)
			*FIELD(values, k, int) = i;
		else
			set_string(k, values, xstrdup(v));
		return 0;
	}
	return DP_EINVAL;
}

void settings_take_secret(const struct setting *k, void *values, char *value)
{
	set_string(k, values, value);
}

void settings_init(const struct settings_section *sec, void *values)
{
	for (size_t i = 0; i < sec->n_keys; i++)
		if (settings_set(&sec->keys[i], values, sec->keys[i].def, NULL) < 0)
			abort(); /* a default that fails its own check is a bug */
}

static bool owns_string(const struct setting *k)
{
	return k->type == SETTING_STR || k->type == SETTING_SECRET ||
	       k->type == SETTING_CHOICE;
}

void settings_release(const struct settings_section *sec, void *values)
{
	for (size_t i = 0; i < sec->n_keys; i++) {
		const struct setting *k = &sec->keys[i];

		if (owns_string(k)) {
			free(*FIELD(values, k, char *));
			*FIELD(values, k, char *) = NULL;
		}
	}
}

const struct setting *settings_find(const struct settings_section *sec,
				    const char *name)
{
	for (size_t i = 0; i < sec->n_keys; i++)
		if (strcmp(sec->keys[i].name, name) == 0)
			return &sec->keys[i];
	return NULL;
}

static void print_value(const struct setting *k, const void *values, FILE *out)
{
	const char *s;

	fprintf(out, "%s = ", k->name);
	switch (k->type) {
	case SETTING_STR:
	case SETTING_CHOICE:
		fputs(*CFIELD(values, k, char *), out);
		break;
	case SETTING_SECRET:
		s = *CFIELD(values, k, char *);
		fputs(*s ? "********" : "", out);
		break;
	case SETTING_INT:
		fprintf(out, "%d", *CFIELD(values, k, int));
		break;
	case SETTING_SIZE:
		fprintf(out, "%zu", *CFIELD(values, k, size_t));
		break;
	case SETTING_DOUBLE:
		fprintf(out, "%g", *CFIELD(values, k, double));
		break;
	case SETTING_BOOL:
		fputs(*CFIELD(values, k, bool) ? "true" : "false", out);
		break;
	case SETTING_ENUM:
		print_choice(k->choices, *CFIELD(values, k, int), out);
		break;
	}
	fputc('\n', out);
}

void settings_print(const struct settings_section *sec, const void *values,
		    FILE *out)
{
	fprintf(out, "\n[%s]\n", sec->name);
	for (size_t i = 0; i < sec->n_keys; i++)
		print_value(&sec->keys[i], values, out);
}
