/*
 * retention.h - purging personal data past its retention.
 *
 * Raw webhook bodies, the ticket text inside normalized events, and drafts
 * older than the cut-off are removed; decisions, reasons and the outbox
 * history stay, so stats and the audit log keep working.
 */
#ifndef DP_STORE_RETENTION_H
#define DP_STORE_RETENTION_H

#include <stdint.h>

#include "store/store.h"

/* Purge what was received or decided before `before_ms`. Returns the
 * number of rows changed, or DP_ESTORE. */
int store_purge(store *s, int64_t before_ms);

#endif
