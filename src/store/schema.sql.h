/*
 * schema.sql.h - the schema migrations, oldest first. Migration i brings a
 * file from user_version i to i+1. Never edit a migration that has shipped:
 * add a new one at the end.
 */
#ifndef DP_SCHEMA_SQL_H
#define DP_SCHEMA_SQL_H

static const char *const migrations[] = {
	/* 1: events, decisions, outbox, VIP rules, knowledge base, models. */
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  source TEXT NOT NULL,"
	"  delivery_id TEXT,"
	"  ticket_id INTEGER NOT NULL,"
	"  article_id INTEGER,"
	"  kind TEXT NOT NULL,"
	"  received_at INTEGER NOT NULL," /* ms since epoch */
	"  content_type TEXT,"
	"  raw BLOB,"                 /* moved to event_raw by 4 */
	"  normalized TEXT NOT NULL," /* struct ticket_event as JSON */
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending','claimed','done','recorded')),"
	"  lease_until INTEGER,"
	"  attempts INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE UNIQUE INDEX events_delivery ON events(source, delivery_id)"
	"  WHERE delivery_id IS NOT NULL;"
	"CREATE UNIQUE INDEX events_article ON events(source, ticket_id, article_id)"
	"  WHERE article_id IS NOT NULL;"
	"CREATE INDEX events_queue ON events(state, id);"
	"CREATE INDEX events_ticket ON events(source, ticket_id, id);"

	"CREATE TABLE decisions ("
	"  id INTEGER PRIMARY KEY,"
	"  event_id INTEGER NOT NULL UNIQUE REFERENCES events(id),"
	"  source TEXT NOT NULL,"
	"  ticket_id INTEGER NOT NULL,"
	"  decided_at INTEGER NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  would_be TEXT,"
	"  intent TEXT,"
	"  confidence REAL,"
	"  reasons TEXT NOT NULL," /* JSON array of {code, evidence} */
	"  drafter TEXT,"
	"  draft TEXT," /* purged by retention */
	"  latency_us INTEGER,"
	"  model_ms INTEGER,"
	"  tokens_in INTEGER,"
	"  tokens_out INTEGER,"
	"  acceptance REAL" /* share of the draft an agent kept */
	");"
	"CREATE INDEX decisions_ticket ON decisions(source, ticket_id, id);"
	"CREATE INDEX decisions_time ON decisions(decided_at);"

	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  decision_id INTEGER NOT NULL REFERENCES decisions(id),"
	"  source TEXT NOT NULL,"
	"  ticket_id INTEGER NOT NULL,"
	"  action TEXT NOT NULL,"  /* e.g. tag_add, ticket_update, note */
	"  payload TEXT NOT NULL," /* JSON, connector-specific */
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending','done','dead')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  next_at INTEGER NOT NULL,"
	"  lease_until INTEGER,"
	"  done_at INTEGER,"
	"  last_error TEXT,"
	"  result TEXT"
	");"
	"CREATE INDEX outbox_due ON outbox(state, next_at);"
	"CREATE INDEX outbox_ticket ON outbox(source, ticket_id, id);"

	"CREATE TABLE vip_rules ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('email','domain','organization','tag')),"
	"  value TEXT NOT NULL COLLATE NOCASE,"
	"  note TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  UNIQUE (kind, value)"
	");"

	"CREATE TABLE kb ("
	"  id INTEGER PRIMARY KEY,"
	"  intent TEXT,"
	"  title TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  language TEXT NOT NULL DEFAULT 'en',"
	"  origin TEXT," /* file it was imported from */
	"  updated_at INTEGER NOT NULL"
	");"
	"CREATE VIRTUAL TABLE kb_fts USING fts5(title, body,"
	"  content='kb', content_rowid='id',"
	"  tokenize='unicode61 remove_diacritics 2');"
	"CREATE TRIGGER kb_ai AFTER INSERT ON kb BEGIN"
	"  INSERT INTO kb_fts(rowid, title, body) VALUES (new.id, new.title, new.body);"
	"END;"
	"CREATE TRIGGER kb_ad AFTER DELETE ON kb BEGIN"
	"  INSERT INTO kb_fts(kb_fts, rowid, title, body)"
	"    VALUES ('delete', old.id, old.title, old.body);"
	"END;"
	"CREATE TRIGGER kb_au AFTER UPDATE ON kb BEGIN"
	"  INSERT INTO kb_fts(kb_fts, rowid, title, body)"
	"    VALUES ('delete', old.id, old.title, old.body);"
	"  INSERT INTO kb_fts(rowid, title, body) VALUES (new.id, new.title, new.body);"
	"END;"

	"CREATE TABLE models ("
	"  name TEXT PRIMARY KEY,"
	"  data BLOB NOT NULL,"
	"  rows INTEGER NOT NULL,"
	"  trained_at INTEGER NOT NULL,"
	"  meta TEXT"
	");",

	/* 2: VIP SLA escalations and intents taken off the auto-reply list. */
	"CREATE TABLE sla_escalations ("
	"  id INTEGER PRIMARY KEY,"
	"  decision_id INTEGER NOT NULL UNIQUE REFERENCES decisions(id),"
	"  source TEXT NOT NULL,"
	"  ticket_id INTEGER NOT NULL,"
	"  due_at INTEGER NOT NULL," /* when the SLA ran out, ms */
	"  escalated_at INTEGER NOT NULL"
	");"
	"CREATE INDEX sla_escalations_time ON sla_escalations(escalated_at);"
	"CREATE INDEX decisions_outcome ON decisions(outcome, decided_at);"

	"CREATE TABLE intent_demotions ("
	"  intent TEXT PRIMARY KEY,"
	"  demoted_at INTEGER NOT NULL,"
	"  mean_acceptance REAL NOT NULL," /* over the window that demoted it */
	"  drafts INTEGER NOT NULL,"
	"  restored_at INTEGER" /* set by the admin; NULL: demoted */
	");",

	/* 3: the open events and actions of a ticket, found without walking
	 * its history (claims ask this for every event and action). */
	"CREATE INDEX events_open ON events(source, ticket_id, id)"
	"  WHERE state IN ('pending','claimed');"
	"CREATE INDEX outbox_open ON outbox(source, ticket_id, id)"
	"  WHERE state = 'pending';",

	/* 4: the exact body in a row of its own, written once: workers update
	 * an event's state twice, and with the body inline every update
	 * rewrote its overflow pages. */
	"CREATE TABLE event_raw ("
	"  event_id INTEGER PRIMARY KEY REFERENCES events(id),"
	"  raw BLOB NOT NULL" /* purged by retention */
	");"
	"INSERT INTO event_raw (event_id, raw)"
	"  SELECT id, raw FROM events WHERE raw IS NOT NULL;"
	"ALTER TABLE events DROP COLUMN raw;",

	/* 5: this database's installation id, made once, here. Decision ids
	 * start at 1 in every database, so a helpdesk that records which
	 * decisions it applied needs both to tell two databases apart. Undone
	 * actions that apply a whole decision (action "decision", the only
	 * kind keyed so) get it too, so they are keyed like new ones when they
	 * are sent. */
	"CREATE TABLE installation ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  uuid TEXT NOT NULL,"         /* 32 lowercase hex digits */
	"  created_at INTEGER NOT NULL" /* ms since epoch */
	");"
	"INSERT INTO installation (id, uuid, created_at) VALUES (1,"
	"  lower(hex(randomblob(16))),"
	"  CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));"
	"UPDATE outbox SET payload = json_set(payload, '$.installation',"
	"  (SELECT uuid FROM installation))"
	"  WHERE action = 'decision' AND state IN ('pending','dead')"
	"  AND json_valid(payload);",

	/* 6: three indexes written per stored webhook instead of five: each
	 * is a page (a WAL frame) more per commit. One index per ticket, by
	 * article, serves both the (ticket, article) dedupe, done inside the
	 * insert's write transaction (every insert takes that path, so it
	 * needs no unique index), and the reads of a ticket's history; one
	 * small partial index over the open events, in id order, serves the
	 * claims and the queue depth in place of (state, id) over every event
	 * and the per-ticket open index. */
	"DROP INDEX events_article;"
	"DROP INDEX events_queue;"
	"DROP INDEX events_open;"
	"DROP INDEX events_ticket;"
	"CREATE INDEX events_ticket ON events(source, ticket_id, article_id);"
	"CREATE INDEX events_waiting ON events(id)"
	"  WHERE state IN ('pending','claimed');",
};

#endif
