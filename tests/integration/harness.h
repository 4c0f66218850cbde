/*
 * harness.h - integration tests against the real `deskpilot serve` behind
 * the real nginx, for every module's tests.
 *
 * What one harness is: a temp directory holding everything (config,
 * database, unix socket, nginx config, logs); deskpilot started from
 * $DP_BUILDDIR/src/deskpilot with `serve -c DIR/deskpilot.conf`; nginx
 * ($DP_NGINX) started as the current user with `-p DIR/ -c DIR/nginx.conf`,
 * single process, listening on free 127.0.0.1 ports and including the
 * shipped snippet examples/nginx/deskpilot-locations.conf, so the tests
 * exercise what admins install; and any helper processes a test needs
 * (fake helpdesks, fake LLMs) whose first stdout line is their port.
 *
 * Process lifetime (the part that makes failed tests clean up):
 *   - Every process is started by pid (no shell) with PR_SET_PDEATHSIG, so
 *     it receives SIGTERM when the process that started it dies, however
 *     it dies (a failed ck_assert in a forked test ends with _exit).
 *   - Every pid and temp dir is recorded in a registry shared with forked
 *     children; at exit, and on SIGINT/SIGTERM/SIGHUP, the test runner
 *     (the process that called harness_init) stops whatever is still
 *     running and removes every temp dir. Set DP_KEEP_TMP=1 to keep them.
 *
 * Using it from Check (the usual shape):
 *
 *     static struct harness *h;
 *     static void up(void)   { h = harness_up(&(struct harness_opts){
 *                                   .ini = "[zammad]\nurl = ...\n"});
 *                              ck_assert_msg(h, "%s", harness_error()); }
 *     static void down(void) { harness_free(h); h = NULL; }
 *     ...
 *     tcase_add_unchecked_fixture(tc, up, down);  // runs in the parent
 *     tcase_set_timeout(tc, 30);                  // Check's default is 4 s
 *     ...
 *     int main(void) { return harness_main(suite()); }
 *
 * Unchecked fixtures run in the parent with CK_FORK, so the processes
 * outlive each forked test and are stopped by the parent's teardown. A
 * test that stops, kills or restarts deskpilot must own its processes:
 * call harness_up at the top of the test and harness_free at its end (a
 * process can only wait for its own children, and a forked test's
 * changes to `h` do not reach the parent).
 *
 * Errors: functions returning pointers give NULL, int functions give 0 or
 * -1; the reason is in harness_error() and was also printed to stderr with
 * the tail of the relevant log. Nothing here calls ck_assert, but for the
 * harness_assert_* shorthands at the end: the test decides what a failure
 * means.
 */
#ifndef DP_HARNESS_H
#define DP_HARNESS_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How long a start or a wait may take before it is an error. */
#define HARNESS_START_TIMEOUT_MS 10000
/* How long SIGTERM gets before SIGKILL. */
#define HARNESS_STOP_TIMEOUT_MS 5000
#define HARNESS_MAX_PROCS 16

/* What most integration tests add to the config: workers that poll
 * often and an outbox that retries within a second, so a test waits
 * milliseconds, not seconds. */
#define HARNESS_QUICK               \
	"[workers]\npoll_ms = 20\n" \
	"[outbox]\nretry_base_ms = 100\nretry_max_ms = 400\n"

struct harness_opts {
	/* INI text appended to the generated config (which has [server]
	 * listen/database/threads/log_level and [workers] threads/poll_ms).
	 * A repeated section is fine: later keys win. */
	const char *ini;
	/* deskpilot listens on 127.0.0.1:<free port> instead of a unix socket. */
	bool tcp;
	/* The harness opens the unix socket and hands it to deskpilot as
	 * fd 0 with `listen = fd:0`, as spawn-fcgi and systemd do. */
	bool inherit_fd0;
	/* nginx keeps FastCGI connections open (fastcgi_keep_conn on plus an
	 * upstream keepalive pool). */
	bool keep_conn;
	/* Do not start nginx (tests of the binary alone). */
	bool no_nginx;
};

struct harness_proc {
	pid_t pid;
	pid_t starter; /* the process that forked it: only it can reap it */
	char name[32];
};

struct harness {
	char *dir;           /* the temp dir; removed by harness_free */
	char *conf;          /* DIR/deskpilot.conf */
	char *db;            /* DIR/deskpilot.db */
	char *sock;          /* DIR/deskpilot.sock (also with inherit_fd0) */
	char *listen;        /* the `listen =` value written to the config */
	char *log;           /* DIR/deskpilot.log: deskpilot's stderr */
	char *nginx_log;     /* DIR/nginx-error.log */
	int port;            /* nginx, buffering request bodies like production */
	int port_unbuffered; /* nginx with fastcgi_request_buffering off */
	int fcgi_port;       /* deskpilot's TCP port with opts.tcp, else 0 */
	int listen_fd;       /* with inherit_fd0: the socket, kept open as
			 * systemd keeps it across restarts; else -1 */
	pid_t deskpilot;     /* 0 when not running */
	pid_t nginx;
	struct harness_opts opts; /* ini is copied */
	struct harness_proc procs[HARNESS_MAX_PROCS];
	int n_procs;
};

struct harness_response {
	long status;   /* HTTP status; 0 when the request failed */
	char *headers; /* raw response headers, "Name: value\r\n" lines */
	char *body;    /* NUL-terminated */
	size_t body_len;
};

struct harness_request {
	const char *method;         /* "GET" when NULL */
	const char *path;           /* e.g. "/healthz" */
	const char *const *headers; /* NULL-terminated "Name: value", or NULL */
	const char *body;           /* NULL: no body and no Content-Length */
	size_t body_len;
	bool chunked;    /* send body with Transfer-Encoding: chunked */
	int port;        /* 0: h->port */
	long timeout_ms; /* 0: 10 s */
};

/* Once per test program, before any other call and before Check forks:
 * the shared registry, the exit and signal safety net, libcurl. */
void harness_init(void);

/* harness_init, run every test in s with Check's defaults (CK_FORK unless
 * the environment says otherwise), and return the exit status for main. */
int harness_main(Suite *s);

/* The reason the last call failed (static storage, this process). */
const char *harness_error(void);

/* Make the temp dir, pick ports and write deskpilot.conf and nginx.conf,
 * starting nothing. opts may be NULL. Returns a new harness (free with
 * harness_free). */
struct harness *harness_new(const struct harness_opts *opts);

/* harness_new, then start deskpilot and (unless opts->no_nginx) nginx and
 * wait until both answer. */
struct harness *harness_up(const struct harness_opts *opts);

/* Stop every process this harness started (SIGTERM, then SIGKILL after
 * HARNESS_STOP_TIMEOUT_MS), remove the temp dir, free h. NULL is fine. */
void harness_free(struct harness *h);

/* Start `deskpilot serve -c h->conf` and wait until its socket accepts.
 * 0 or -1 (it exited or never listened; its log tail is printed). */
int harness_start_deskpilot(struct harness *h);

/* Send sig to deskpilot and wait for it to exit (SIGKILL after
 * HARNESS_STOP_TIMEOUT_MS). Returns its exit status as from waitpid
 * (use WIFEXITED/WEXITSTATUS), or -1 if it could not be reaped here. */
int harness_stop_deskpilot(struct harness *h, int sig);

/* Stop deskpilot with sig (SIGTERM: orderly; SIGKILL: a crash) and start
 * it again on the same config, socket and database. 0 or -1. */
int harness_restart_deskpilot(struct harness *h, int sig);

/* Generate nginx.conf (done by harness_new) and start nginx; wait until
 * both ports accept. 0 or -1. */
int harness_start_nginx(struct harness *h);

/* Start a helper: argv[0] is an executable path, argv is NULL-terminated.
 * Its stdout goes to DIR/<name>.out and stderr to DIR/<name>.log; when
 * port is not NULL, wait for the first stdout line and parse it as the
 * port the helper listens on. Returns the pid, or -1. The harness stops
 * it in harness_free. */
pid_t harness_start_helper(struct harness *h, const char *name,
			   const char *const argv[], int *port);

/* harness_start_helper for `$DP_PYTHON3 $DP_SRCDIR/<script> args...`
 * (args NULL-terminated, may be NULL). */
pid_t harness_start_python(struct harness *h, const char *script,
			   const char *const args[], int *port);

/* Stop one process of this harness by pid: sig, wait, SIGKILL after the
 * timeout. Returns the waitpid status, or -1 when not our child (then it
 * is waited for by polling until it is gone or a zombie). */
int harness_stop_pid(struct harness *h, pid_t pid, int sig);

/* One HTTP request through nginx (libcurl, no proxy, loopback only).
 * resp is filled even for 4xx/5xx; 0, or -1 when no response arrived.
 * Release resp with harness_response_release. */
int harness_request(struct harness *h, const struct harness_request *rq,
		    struct harness_response *resp);
/* Shorthands: GET path; POST body (len bytes) with extra headers. */
int harness_get(struct harness *h, const char *path,
		struct harness_response *resp);
int harness_post(struct harness *h, const char *path,
		 const char *const *headers, const char *body, size_t len,
		 struct harness_response *resp);
void harness_response_release(struct harness_response *resp);
/* Value of response header `name` (case-insensitive) as a new string
 * (caller frees), or NULL when absent. */
char *harness_response_header(const struct harness_response *resp,
			      const char *name);

/* Raw FastCGI straight to deskpilot's socket, bypassing nginx: for what
 * nginx never sends (an invalid CONTENT_LENGTH, a header flood) and for
 * holding a request open half way (drain tests). params are "NAME=value"
 * strings, NULL-terminated. Every call returns 0 (or the fd) or -1. */
int harness_fcgi_connect(struct harness *h);
/* BEGIN_REQUEST and the params; with end_params false the params stream
 * stays open, so deskpilot's accept is still reading this request. */
int harness_fcgi_send_params(int fd, const char *const params[], bool end_params);
int harness_fcgi_end_params(int fd);
/* Body bytes on FCGI_STDIN (any length); len 0 ends the stream. */
int harness_fcgi_send_stdin(int fd, const char *data, size_t len);
/* Read records until FCGI_END_REQUEST and parse the CGI response: the
 * "Status:" header gives resp->status (200 when absent). */
int harness_fcgi_read_response(int fd, struct harness_response *resp,
			       int timeout_ms);
/* One whole request on a new connection (closed afterwards). */
int harness_fcgi_request(struct harness *h, const char *const params[],
			 const char *body, size_t len,
			 struct harness_response *resp);

/* Open sockets of process pid (from /proc/<pid>/fd), or -1: an accepted
 * connection shows up here before deskpilot has read the request. */
int harness_count_sockets(pid_t pid);

/* Wait up to timeout_ms for pid (one of h's processes) to exit by itself.
 * Returns the waitpid status; -1 when it ended but is not our child;
 * -2 when it is still running. */
int harness_wait_exit(struct harness *h, pid_t pid, int timeout_ms);

/* Poll cond(arg) every 20 ms until it is true (returns true) or timeout_ms
 * passes (returns false). */
bool harness_wait_until(bool (*cond)(void *arg), void *arg, int timeout_ms);

/* Wait up to timeout_ms until the count that sql returns is above 0 and
 * no outbox action is pending: the pipeline decided what the test sent and
 * carried it out. On a timeout the logs are printed and false returned. */
bool harness_wait_settled(struct harness *h, const char *sql, int timeout_ms);

/* The first column of the first row of sql on deskpilot's database,
 * opened read-only for this call. 0 and *out, or -1 (no row, or error). */
int harness_sql_int(struct harness *h, const char *sql, int64_t *out);
/* Same, as a new string (caller frees); NULL when no row or SQL NULL. */
char *harness_sql_text(struct harness *h, const char *sql);
/* Whether that value is the text want (a mismatch is printed to stderr
 * with both values). */
bool harness_sql_text_is(struct harness *h, const char *sql, const char *want);
/* Run sql on deskpilot's database, opened read-write for this call and
 * waiting up to 5 s while the running service holds the write lock.
 * 0, or -1 with harness_error() set. */
int harness_sql_exec(struct harness *h, const char *sql);

/* A path inside the temp dir (new string), and writing a file there
 * (mode 0600; returns the new path, caller frees). */
char *harness_path(struct harness *h, const char *name);
char *harness_write_file(struct harness *h, const char *name,
			 const char *content);

/* $DP_SRCDIR/<rel> (new string): test data, examples and the labelled
 * data in data/; and a whole file as a new NUL-terminated string with its
 * length in *len (may be NULL); NULL when unreadable. */
char *harness_srcdir_path(const char *rel);
char *harness_slurp(const char *path, size_t *len);

/* Run argv (no shell) to completion with stdout and stderr captured
 * together into *output (new string, may be NULL). Returns the waitpid
 * status, or -1 when it could not run or exceeded timeout_ms. */
int harness_run(const char *const argv[], char **output, int timeout_ms);

/* Run `deskpilot ARGS... -c DIR/deskpilot.conf` (this build's binary) to
 * completion (args NULL-terminated, at most 12). Returns its exit status,
 * or -1 when it could not run, was killed or took over two minutes;
 * *output (may be NULL) gets stdout and stderr as a new string. */
int harness_cli(struct harness *h, const char *const args[], char **output);

/* What the quick start does before serving: import the example knowledge
 * base into h's database (the built-in intent model decides). 0, or -1
 * with the reason in harness_error(). */
int harness_import_kb(struct harness *h);

/* The fakes in tests/fakes share two routes on their port: GET /__state
 * answers the fake's whole state as JSON, POST /__control (a JSON body)
 * changes how it behaves. The state as a new JSON value, or NULL; 0 or
 * -1. */
json_t *harness_fake_state(struct harness *h, int port);
int harness_fake_control(struct harness *h, int port, const char *json);

/* Print the last lines of the temp dir's logs to stderr. */
void harness_dump_logs(struct harness *h);

/* A free TCP port on 127.0.0.1 (bound, read back, released). 0 or -1. */
int harness_free_port(void);

/* ---- shorthands that fail the Check test instead of returning -1 ---- */

/* What the quick start does (harness_import_kb), then start deskpilot and
 * nginx. */
void harness_assert_started(struct harness *h);

/* harness_sql_int's value. */
int64_t harness_assert_sql_int(struct harness *h, const char *sql);

/* harness_wait_settled, within timeout_ms. */
void harness_assert_settled(struct harness *h, const char *sql, int timeout_ms);

/* The file tests/data/DIR/NAME from $DP_SRCDIR, as a new NUL-terminated
 * string with its length in *len (may be NULL). */
char *harness_assert_fixture(const char *dir, const char *name, size_t *len);

/* Start the fake tests/fakes/SCRIPT on 127.0.0.1:port for h (harness_start
 * _python with the port, then the NULL-terminated args, may be NULL) and
 * check it listens there. Returns its pid. */
pid_t harness_assert_fake(struct harness *h, const char *script, int port,
			  const char *const args[]);

/* harness_fake_state and harness_fake_control. */
json_t *harness_assert_fake_state(struct harness *h, int port);
void harness_assert_fake_control(struct harness *h, int port, const char *json);

#endif
