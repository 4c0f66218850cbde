/*
 * settings.h - one INI section described as a table of keys, and the
 * generic code that gives every key its default, sets it from the text a
 * file holds, checks it and prints it back.
 *
 * A section's keys live in a plain struct of the module that owns them
 * (struct config for deskpilot's own sections, a connector's settings
 * struct for its helpdesk's section); each key names its field by offset.
 * config.c reads the file and hands each key to settings_set; the same
 * table gives the defaults, `deskpilot check-config` output (secrets
 * masked) and so what the manual and the example config must document.
 */
#ifndef DP_SETTINGS_H
#define DP_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/dp.h"

enum setting_type {
	SETTING_STR,    /* any string (char *) */
	SETTING_SECRET, /* string, or read from <key>_file; masked when printed */
	SETTING_INT,    /* integer in [min, max] (int) */
	SETTING_SIZE,   /* byte count with optional k/m suffix (size_t) */
	SETTING_DOUBLE, /* real in [min, max] (double) */
	SETTING_BOOL,   /* dp_parse_bool's words (bool) */
	SETTING_CHOICE, /* one of `choices`, '|'-separated, kept as text (char *) */
	SETTING_ENUM,   /* one of `choices`, kept as its index (an enum) */
};

struct setting {
	const char *name;
	enum setting_type type;
	size_t off;      /* of the field inside the section's struct */
	const char *def; /* the default, as a file would give it */
	double min, max;
	const char *choices;
};

/* One section: its keys and the checks that span keys. */
struct settings_section {
	const char *name; /* "server", "llm", a helpdesk's section, ... */
	const struct setting *keys;
	size_t n_keys;
	/* Optional (NULL: none): checks across keys once the whole file is
	 * read. Returns 0, or <0 with err naming the key, e.g. "'url' is
	 * required" (the caller adds the file and the section). */
	int (*validate)(const void *values, struct dp_error *err);
};

/* Table rows: SETTING_ROW(struct type, key name, field, type, default,
 * min, max, choices); the shorthands below cover the common cases. */
#define SETTING_ROW(T, name, field, type, def, lo, hi, ch)      \
	{                                                       \
		name, type, offsetof(T, field), def, lo, hi, ch \
	}
#define SETTING_S(T, name, field, def) \
	SETTING_ROW(T, name, field, SETTING_STR, def, 0, 0, NULL)
#define SETTING_SECRET(T, name, field) \
	SETTING_ROW(T, name, field, SETTING_SECRET, "", 0, 0, NULL)
#define SETTING_I(T, name, field, def, lo, hi) \
	SETTING_ROW(T, name, field, SETTING_INT, def, lo, hi, NULL)
#define SETTING_Z(T, name, field, def, lo, hi) \
	SETTING_ROW(T, name, field, SETTING_SIZE, def, lo, hi, NULL)
#define SETTING_D(T, name, field, def, lo, hi) \
	SETTING_ROW(T, name, field, SETTING_DOUBLE, def, lo, hi, NULL)
#define SETTING_B(T, name, field, def) \
	SETTING_ROW(T, name, field, SETTING_BOOL, def, 0, 0, NULL)
#define SETTING_C(T, name, field, def, ch) \
	SETTING_ROW(T, name, field, SETTING_CHOICE, def, 0, 0, ch)
#define SETTING_E(T, name, field, def, ch) \
	SETTING_ROW(T, name, field, SETTING_ENUM, def, 0, 0, ch)

/* Give every key of sec its default in values (zeroed by the caller).
 * A default that fails its own check is a bug: abort. */
void settings_init(const struct settings_section *sec, void *values);

/* Free the strings sec's keys own in values. */
void settings_release(const struct settings_section *sec, void *values);

/* The key called name, or NULL. */
const struct setting *settings_find(const struct settings_section *sec,
				    const char *name);

/* Set key k in values from its text form. 0, or DP_EINVAL with err
 * naming the key and what it accepts (not the file or the line). */
int settings_set(const struct setting *k, void *values, const char *text,
		 struct dp_error *err);

/* Set a secret key to value (taken: freed with the section). */
void settings_take_secret(const struct setting *k, void *values, char *value);

/* Print "[name]" and every key as "key = value", secrets masked. */
void settings_print(const struct settings_section *sec, const void *values,
		    FILE *out);

#endif
