/*
 * check_osticket_e2e.c - against a real osTicket with the deskpilot plugin
 * installed and an instance enabled (plugin/osticket/README.md). Skipped,
 * with the reason, unless these are set:
 *
 *   OSTICKET_URL        base URL, e.g. http://127.0.0.1:8081
 *   OSTICKET_API_KEY    an API key bound to 127.0.0.1 that may create
 *                       tickets (deskpilot writes back with it too)
 *   OSTICKET_SECRET     the plugin instance's shared secret
 *   OSTICKET_DB_NAME, OSTICKET_DB_USER, OSTICKET_DB_PASS
 *   OSTICKET_DB_HOST    (default 127.0.0.1), OSTICKET_DB_PREFIX (ost_)
 *   OSTICKET_VIP_TEAM   an active team (default VIP)
 *
 * and the `mysql` client is installed (the database user must be allowed
 * to connect from 127.0.0.1). The test runs its own deskpilot with a new
 * database, points the enabled deskpilot plugin instances' hook URL at it
 * for the run, makes one customer premium with `deskpilot vip add`,
 * creates two tickets through osTicket's own API and reads osTicket's
 * database: the premium customer's ticket ends with the VIP marker, raised
 * priority, the VIP team and an internal note with the reason, and no
 * reply; the routine question ends with an internal note from deskpilot
 * and no reply.
 *
 * Run it as often as you like, on an osTicket where it or any other
 * deskpilot has run before: every run's database has its own installation
 * id, so its decision ids (1, 2, ...) never meet an earlier run's. What it
 * changes in osTicket's settings (the hook URL) it puts back byte for
 * byte when it ends, however its tests end; the SQL that does so is
 * written first to ${TMPDIR:-/tmp}/deskpilot-osticket-e2e-<database>.sql,
 * and a run that finds that file (the previous one was killed) runs it
 * before anything else. It leaves behind what any use leaves: the two
 * tickets and their two users (e-mail addresses with the run's tag), the
 * plugin's record of the decisions it applied and its status line.
 */
#include "harness.h"
#include "test.h"

#include "common/dp.h"
#include "common/http_client.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 60000

static struct harness *h;
static char *mysql_bin;
static char *restore_path; /* SQL that puts back what the run changed */
static pid_t changer;      /* the process that changed it */
static char tag[32];       /* makes this run's e-mail addresses unique */

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

/* One SQL statement against osTicket's database; the first column of the
 * first row as a new string ("" when no row), or NULL on failure. */
static char *ost_sql(const char *sql)
{
	char *user = xasprintf("--user=%s", env_or("OSTICKET_DB_USER", ""));
	char *pass = xasprintf("--password=%s", env_or("OSTICKET_DB_PASS", ""));
	char *host = xasprintf("--host=%s", env_or("OSTICKET_DB_HOST", "127.0.0.1"));
	const char *argv[] = {mysql_bin, user, pass, host, "-N", "-B", "-e", sql,
			      env_or("OSTICKET_DB_NAME", ""), NULL};
	char *out = NULL;
	int st = harness_run(argv, &out, 30000);

	free(user);
	free(pass);
	free(host);
	if (st != 0) {
		fprintf(stderr, "mysql failed (%d): %s\n%s\n", st, sql, out ? out : "");
		free(out);
		return NULL;
	}
	out[strcspn(out, "\n")] = '\0';
	return out;
}

static char *ost_sql_ok(const char *sql)
{
	char *v = ost_sql(sql);

	ck_assert_msg(v != NULL, "query failed: %s", sql);
	return v;
}

#define P env_or("OSTICKET_DB_PREFIX", "ost_")

/* The config rows named `key` of the enabled deskpilot plugin instances. */
static char *instance_where(const char *key)
{
	return xasprintf("`key` = '%s' AND namespace IN (SELECT CONCAT('plugin.', p.id,"
			 " '.instance.', i.id) FROM %splugin p JOIN %splugin_instance i"
			 " ON i.plugin_id = p.id WHERE p.install_path LIKE '%%deskpilot%%'"
			 " AND p.isactive = 1 AND i.flags & 1)",
			 key, P, P);
}

/* Run the restore file, if there is one, and remove it. */
static bool restore_settings(void)
{
	char *sql = restore_path ? harness_slurp(restore_path, NULL) : NULL;
	char *out;

	if (!sql)
		return true;
	out = *sql ? ost_sql(sql) : xstrdup("");
	if (out)
		unlink(restore_path);
	else
		fprintf(stderr, "could not put osTicket's settings back: run the SQL in %s\n",
			restore_path);
	free(out);
	free(sql);
	return out != NULL;
}

/* Also when a test aborts the runner; only in the process that changed
 * them (forked tests exit too). */
static void restore_at_exit(void)
{
	if (changer == getpid())
		restore_settings();
}

static void up(void)
{
	char *ini, *where, *sql, *v, *email, *undo;
	const char *tmp = test_tmp_root();
	FILE *f;

	snprintf(tag, sizeof(tag), "%lld%d", (long long)time(NULL), (int)getpid());
	ini = xasprintf("[workers]\npoll_ms = 50\n"
			"[outbox]\nretry_base_ms = 200\nretry_max_ms = 2000\n"
			"[policy]\nmode = draft\n"
			"[osticket]\nurl = %s\napi_key = %s\nwebhook_secret = %s\n"
			"vip_team = %s\nvip_priority = High\n",
			getenv("OSTICKET_URL"), getenv("OSTICKET_API_KEY"),
			getenv("OSTICKET_SECRET"), env_or("OSTICKET_VIP_TEAM", "VIP"));
	h = harness_new(&(struct harness_opts){.ini = ini});
	free(ini);
	ck_assert_msg(h != NULL, "%s", harness_error());
	ck_assert_msg(harness_import_kb(h) == 0, "%s", harness_error());
	email = xasprintf("vera.%s@example.com", tag);
	ck_assert_int_eq(harness_cli(h, (const char *const[]){"vip", "add", "email", email, "e2e premium customer", NULL},
				     NULL),
			 0);
	free(email);
	ck_assert_msg(harness_start_deskpilot(h) == 0, "%s", harness_error());
	ck_assert_msg(harness_start_nginx(h) == 0, "%s", harness_error());

	/* A run killed before it could clean up left its undo behind. */
	restore_path = xasprintf("%s/deskpilot-osticket-e2e-%s.sql", tmp,
				 env_or("OSTICKET_DB_NAME", ""));
	if (access(restore_path, F_OK) == 0) {
		fprintf(stderr, "putting back the settings an earlier run changed (%s)\n",
			restore_path);
		ck_assert_msg(restore_settings(), "cannot run %s", restore_path);
	}

	/* The plugin must be able to send customer messages at all. */
	where = instance_where("send_messages");
	sql = xasprintf("SELECT COUNT(*) FROM %splugin p JOIN %splugin_instance i ON"
			" i.plugin_id = p.id WHERE p.install_path LIKE '%%deskpilot%%' AND"
			" p.isactive = 1 AND i.flags & 1",
			P, P);
	v = ost_sql_ok(sql);
	ck_assert_msg(strcmp(v, "0") != 0, "no active deskpilot plugin with an enabled"
					   " instance in osTicket (plugin/osticket/README.md)");
	free(v);
	free(sql);
	sql = xasprintf("SELECT COUNT(*) FROM %sconfig WHERE %s AND value <> '1'", P, where);
	v = ost_sql_ok(sql);
	ck_assert_msg(strcmp(v, "0") == 0, "the deskpilot plugin instance has \"Customer"
					   " messages\" off: tick it on the instance's page");
	free(v);
	free(sql);
	free(where);

	/* Point the plugin at this nginx for the run, having written down how
	 * to put every instance's URL back exactly. */
	where = instance_where("url");
	sql = xasprintf("SET SESSION group_concat_max_len = 1048576;"
			" SELECT IFNULL(GROUP_CONCAT(CONCAT('UPDATE %sconfig SET value ="
			" UNHEX(''', HEX(value), ''') WHERE id = ', id, ';') SEPARATOR ' '), '')"
			" FROM %sconfig WHERE %s",
			P, P, where);
	undo = ost_sql_ok(sql);
	ck_assert_msg(*undo, "no deskpilot plugin instance has a hook URL");
	free(sql);
	f = fopen(restore_path, "w");
	ck_assert_msg(f && fputs(undo, f) >= 0 && fclose(f) == 0, "cannot write %s",
		      restore_path);
	free(undo);
	changer = getpid();
	atexit(restore_at_exit);
	sql = xasprintf("UPDATE %sconfig SET value = 'http://127.0.0.1:%d/hooks/osticket'"
			" WHERE %s",
			P, h->port, where);
	v = ost_sql_ok(sql);
	free(v);
	free(sql);
	free(where);
}

static void down(void)
{
	restore_settings();
	harness_free(h);
	h = NULL;
}

/* Create a ticket through osTicket's API; returns its internal id. */
static long long create_ticket(const char *name, const char *email,
			       const char *subject, const char *message)
{
	struct http_client *c = http_client_new();
	struct http_response resp;
	struct dp_error err = {{0}};
	char *url = xasprintf("%s/api/tickets.json", getenv("OSTICKET_URL"));
	char *key = xasprintf("X-API-Key: %s", getenv("OSTICKET_API_KEY"));
	json_t *j = json_pack("{s:b, s:b, s:s, s:s, s:s, s:s, s:s}", "alert", 0,
			      "autorespond", 0, "source", "API", "name", name,
			      "email", email, "subject", subject, "message", "");
	char *msg = xasprintf("data:text/plain;charset=utf-8,%s", message);
	char *body, *sql, *id;
	long long tid;

	json_object_set_new(j, "message", json_string(msg));
	body = json_dumps(j, JSON_COMPACT);
	const char *headers[] = {"Content-Type: application/json", key, NULL};
	const struct http_call call = {"POST", url, headers, body, strlen(body),
				       5000, 60000, false};

	http_response_init(&resp);
	ck_assert_msg(http_client_do(c, &call, &resp, &err) == 0, "%s", err.msg);
	ck_assert_msg(resp.status == 201, "osTicket answered %ld: %s", resp.status,
		      buf_str(&resp.body));
	sql = xasprintf("SELECT ticket_id FROM %sticket WHERE number = '%s'", P,
			buf_str(&resp.body));
	id = ost_sql_ok(sql);
	ck_assert(dp_parse_ll(id, 1, INT64_MAX, &tid) == 0);
	free(id);
	free(sql);
	http_response_release(&resp);
	http_client_free(c);
	json_decref(j);
	free(body);
	free(msg);
	free(key);
	free(url);
	return tid;
}

struct done_wait {
	long long ticket;
};

static bool decision_written(void *arg)
{
	struct done_wait *w = arg;
	char *sql = xasprintf("SELECT count(*) FROM outbox o JOIN decisions d ON"
			      " d.id = o.decision_id WHERE d.source = 'osticket' AND"
			      " d.ticket_id = %lld AND o.state = 'done'",
			      w->ticket);
	int64_t n = 0;

	harness_sql_int(h, sql, &n);
	free(sql);
	return n > 0;
}

static void wait_written(long long ticket)
{
	struct done_wait w = {ticket};

	if (!harness_wait_until(decision_written, &w, WAIT_MS)) {
		harness_dump_logs(h);
		ck_abort_msg("no decision written back for osTicket ticket %lld", ticket);
	}
}

static long long ost_count(const char *fmt, long long ticket)
{
	char *sql = xasprintf(fmt, P, P, ticket);
	char *v = ost_sql_ok(sql);
	long long n = -1;

	dp_parse_ll(v, 0, INT64_MAX, &n);
	free(v);
	free(sql);
	return n;
}

/* A ticket form answer by field name: "value|value_id". */
static char *ost_answer(long long ticket, const char *field)
{
	char *sql = xasprintf(
		"SELECT CONCAT(IFNULL(v.value, ''), '|', IFNULL(v.value_id, ''))"
		" FROM %sform_entry e JOIN %sform_entry_values v ON v.entry_id = e.id"
		" JOIN %sform_field f ON f.id = v.field_id WHERE e.object_type = 'T'"
		" AND e.object_id = %lld AND f.name = '%s'",
		P, P, P, ticket, field);
	char *v = ost_sql_ok(sql);

	free(sql);
	return v;
}

#define NOTES "SELECT count(*) FROM %sthread_entry te JOIN %sthread t ON"             \
	      " t.id = te.thread_id WHERE t.object_type = 'T' AND t.object_id = %lld" \
	      " AND te.type = 'N' AND te.poster = 'deskpilot'"
#define REPLIES "SELECT count(*) FROM %sthread_entry te JOIN %sthread t ON"             \
		" t.id = te.thread_id WHERE t.object_type = 'T' AND t.object_id = %lld" \
		" AND te.type = 'R'"

START_TEST(test_premium_customer_gets_a_human)
{
	char *email = xasprintf("vera.%s@example.com", tag);
	long long id = create_ticket("Vera Premium", email, "Invoice question",
				     "Hello, my last invoice shows the wrong amount. Please check it.");
	char *marker, *prio, *want, *sql, *team;

	wait_written(id);
	ck_assert_int_eq(ost_count(NOTES, id), 1);
	ck_assert_int_eq(ost_count(REPLIES, id), 0);
	marker = ost_answer(id, "deskpilot_vip");
	ck_assert_msg(strncmp(marker, "1|", 2) == 0, "VIP marker is '%s'", marker);
	prio = ost_answer(id, "priority");
	sql = xasprintf("SELECT CONCAT('|', priority_id) FROM %sticket_priority"
			" WHERE priority = 'High'",
			P);
	want = ost_sql_ok(sql);
	ck_assert_msg(strstr(prio, want) != NULL, "priority answer '%s'", prio);
	free(sql);
	sql = xasprintf("SELECT tm.name FROM %sticket t JOIN %steam tm ON"
			" tm.team_id = t.team_id WHERE t.ticket_id = %lld",
			P, P, id);
	team = ost_sql_ok(sql);
	ck_assert_str_eq(team, env_or("OSTICKET_VIP_TEAM", "VIP"));
	free(team);
	free(sql);
	free(want);
	free(prio);
	free(marker);
	free(email);
}
END_TEST

START_TEST(test_routine_question_gets_a_note)
{
	char *email = xasprintf("sam.%s@example.com", tag);
	long long id = create_ticket("Sam Routine", email, "Where is my order?",
				     "Hi, I ordered a coffee grinder last week and it has not"
				     " arrived yet. Can you tell me where my order is?");
	char *marker;

	wait_written(id);
	ck_assert_int_eq(ost_count(NOTES, id), 1);
	ck_assert_int_eq(ost_count(REPLIES, id), 0);
	marker = ost_answer(id, "deskpilot_vip");
	ck_assert_msg(strncmp(marker, "1|", 2) != 0, "routine ticket marked VIP");
	free(marker);
	free(email);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("osticket_e2e");
	TCase *tc = tcase_create("real_osticket");

	tcase_add_unchecked_fixture(tc, up, down);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_premium_customer_gets_a_human);
	tcase_add_test(tc, test_routine_question_gets_a_note);
	suite_add_tcase(s, tc);
	return s;
}

static char *find_mysql(void)
{
	static const char *const dirs[] = {"/usr/bin", "/usr/local/bin", "/usr/sbin"};

	for (size_t i = 0; i < DP_ARRAY_LEN(dirs); i++) {
		char *p = xasprintf("%s/mysql", dirs[i]);

		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

int main(void)
{
	static const char *const need[] = {"OSTICKET_URL", "OSTICKET_API_KEY",
					   "OSTICKET_SECRET", "OSTICKET_DB_NAME",
					   "OSTICKET_DB_USER", "OSTICKET_DB_PASS"};
	int rc;

	for (size_t i = 0; i < DP_ARRAY_LEN(need); i++) {
		if (!getenv(need[i])) {
			/* TAP's skip (the test driver is TAP). */
			printf("1..0 # SKIP %s is not set: this test needs a real osTicket"
			       " with the deskpilot plugin (see tests/integration/"
			       "check_osticket_e2e.c)\n",
			       need[i]);
			return 0;
		}
	}
	mysql_bin = find_mysql();
	if (!mysql_bin) {
		printf("1..0 # SKIP the mysql client is not installed\n");
		return 0;
	}
	rc = harness_main(suite());
	free(mysql_bin);
	return rc;
}
