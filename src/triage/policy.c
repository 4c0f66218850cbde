/*
 * policy.c - policy modes and comma-separated lists.
 */
#include "triage/policy.h"

#include "common/dp.h"
#include "triage/classifier.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const char *const mode_names[] = {
	[POLICY_SHADOW] = "shadow",
	[POLICY_DRAFT] = "draft",
	[POLICY_AUTO] = "auto",
};

const char *policy_mode_name(enum policy_mode m)
{
	return (size_t)m < DP_ARRAY_LEN(mode_names) ? mode_names[m] : "unknown";
}

bool policy_list_has(const char *list, const char *name)
{
	size_t n = strlen(name), nt;
	const char *p = list;
	char tag[CLASS_NAME_MAX];

	if (!list || !n)
		return false;
	classifier_tag(name, tag, sizeof(tag));
	nt = strlen(tag);
	while (*p) {
		const char *start, *end;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		if (end - start == 1 && *start == '*')
			return true;
		if ((size_t)(end - start) == n && strncasecmp(start, name, n) == 0)
			return true;
		if (nt && (size_t)(end - start) == nt && strncasecmp(start, tag, nt) == 0)
			return true;
	}
	return false;
}
