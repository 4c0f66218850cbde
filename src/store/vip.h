/*
 * vip.h - the vip_rules table: deskpilot's own premium-customer rules.
 *
 * Values are stored normalized (vip_value_normalize: trimmed, lowercase,
 * a domain without '@'); (kind, value) is unique. Loading returns the
 * rules oldest first, which is the order triage tries them.
 */
#ifndef DP_STORE_VIP_H
#define DP_STORE_VIP_H

#include <stdint.h>
#include <stdio.h>

#include "common/vip_rules.h"
#include "store/store.h"

/* Every rule into out (initialised by the caller; rules are appended).
 * 0 or DP_ESTORE. */
int store_vip_load(store *s, struct vip_rules *out);

/* Add a rule (the value is checked and normalized first). 0, DP_EINVAL
 * (bad value, err says why), DP_EDUP (already there) or DP_ESTORE. note
 * may be NULL. */
int store_vip_add(store *s, enum vip_kind kind, const char *value,
		  const char *note, int64_t now_ms, struct dp_error *err);

/* Remove a rule; 0, DP_ENOTFOUND or DP_ESTORE. */
int store_vip_remove(store *s, enum vip_kind kind, const char *value);

/* Write every rule as CSV "kind,value,note" with a header, oldest first.
 * 0 or DP_ESTORE. */
int store_vip_export(store *s, FILE *out);

#endif
