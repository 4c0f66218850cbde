/*
 * harness.c - temp dirs, processes, nginx and HTTP for integration tests
 * (see harness.h for the contract and the process-lifetime rules).
 *
 * Design: processes are started with fork+execv (never a shell), stdin
 * from /dev/null (or the inherited socket), stdout and stderr into files
 * in the temp dir, and PR_SET_PDEATHSIG so they die with their starter.
 * The registry of pids and temp dirs lives in a MAP_SHARED page made by
 * harness_init, so the runner can clean up after a forked test that died
 * half way. A pid is identified by (pid, start time) so a recycled pid is
 * never signalled.
 *
 * Invariants: every path is inside the temp dir except the binaries and
 * the shipped nginx snippet; every socket is on 127.0.0.1 or a unix path.
 */
#include "config.h" /* _GNU_SOURCE, before any system header */

#include "harness.h"

#include "common/buf.h"
#include "common/dp.h"
#include "test.h"

#include <curl/curl.h>
#include <jansson.h>
#include <sqlite3.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REG_PROCS 128
#define REG_DIRS 64
#define POLL_MS 20
#define RESPONSE_MAX (16 * 1024 * 1024)
#define NGINX_ATTEMPTS 3
#define SNIPPET "examples/nginx/deskpilot-locations.conf"
#define FASTCGI_PARAMS "/etc/nginx/fastcgi_params"

/* Shared with forked tests: written by whoever starts or stops. Check runs
 * one test at a time, so there is no concurrent writer. */
struct registry {
	pid_t owner; /* the runner: only it cleans up at exit */
	struct {
		pid_t pid;
		unsigned long long start; /* /proc/<pid>/stat starttime */
	} procs[REG_PROCS];
	char dirs[REG_DIRS][PATH_MAX];
};

static struct registry *reg;
static char last_error[1024];

static void set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	fprintf(stderr, "harness: %s\n", last_error);
}

const char *harness_error(void)
{
	return last_error;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- processes ---------------------------------------------------- */

/* The process's start time, or 0 when it is gone; *zombie tells whether
 * it has exited and waits to be reaped. */
static unsigned long long proc_start(pid_t pid, bool *zombie)
{
	char path[64], text[1024];
	unsigned long long start = 0;
	const char *p;
	ssize_t n;
	int fd, field;

	*zombie = false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	p = strrchr(text, ')'); /* the command name may hold spaces */
	if (!p || p[1] != ' ')
		return 0;
	p += 2;
	*zombie = *p == 'Z';
	/* Field 3 is the state; starttime is field 22. */
	for (field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		start = strtoull(p, NULL, 10);
	return start;
}

static void reg_add_pid(pid_t pid)
{
	bool z;

	if (!reg)
		return;
	for (int i = 0; i < REG_PROCS; i++) {
		if (reg->procs[i].pid == 0) {
			reg->procs[i].pid = pid;
			reg->procs[i].start = proc_start(pid, &z);
			return;
		}
	}
}

static void reg_del_pid(pid_t pid)
{
	if (!reg)
		return;
	for (int i = 0; i < REG_PROCS; i++)
		if (reg->procs[i].pid == pid)
			reg->procs[i].pid = 0;
}

static void reg_add_dir(const char *dir)
{
	if (!reg)
		return;
	for (int i = 0; i < REG_DIRS; i++) {
		if (!reg->dirs[i][0]) {
			snprintf(reg->dirs[i], sizeof(reg->dirs[i]), "%s", dir);
			return;
		}
	}
}

static void reg_del_dir(const char *dir)
{
	if (!reg)
		return;
	for (int i = 0; i < REG_DIRS; i++)
		if (strcmp(reg->dirs[i], dir) == 0)
			reg->dirs[i][0] = '\0';
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	const char *keep = getenv("DP_KEEP_TMP");

	if (keep && *keep && strcmp(keep, "0") != 0) {
		fprintf(stderr, "harness: keeping %s (DP_KEEP_TMP)\n", dir);
		return;
	}
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Wait for pid to end: reap it when it is our child, else poll until it
 * is gone or a zombie. Returns the status, -1 when not reaped here, or -2
 * when it still runs after timeout_ms. */
static int wait_end(pid_t pid, pid_t starter, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	int status;
	bool zombie;

	for (;;) {
		if (starter == getpid()) {
			pid_t r = waitpid(pid, &status, WNOHANG);

			if (r == pid)
				return status;
			if (r < 0)
				return -1;
		} else if (proc_start(pid, &zombie) == 0 || zombie) {
			return -1;
		}
		if (now_ms() >= deadline)
			return -2;
		sleep_ms(POLL_MS / 2);
	}
}

static int stop_process(pid_t pid, pid_t starter, int sig, int timeout_ms)
{
	int status;

	if (pid <= 0)
		return -1;
	kill(pid, sig);
	status = wait_end(pid, starter, timeout_ms);
	if (status == -2) {
		fprintf(stderr, "harness: pid %d ignored signal %d for %d ms: SIGKILL\n",
			(int)pid, sig, timeout_ms);
		kill(pid, SIGKILL);
		status = wait_end(pid, starter, HARNESS_STOP_TIMEOUT_MS);
	}
	reg_del_pid(pid);
	return status < 0 ? -1 : status;
}

static void safety_net(void)
{
	bool zombie;

	if (!reg || getpid() != reg->owner)
		return; /* a forked test exiting: its processes die with it */
	for (int i = 0; i < REG_PROCS; i++) {
		pid_t pid = reg->procs[i].pid;

		if (pid && proc_start(pid, &zombie) == reg->procs[i].start &&
		    !zombie) {
			fprintf(stderr, "harness: stopping leftover pid %d\n", (int)pid);
			stop_process(pid, getpid(), SIGTERM, 2000);
		}
		reg->procs[i].pid = 0;
	}
	for (int i = 0; i < REG_DIRS; i++) {
		if (reg->dirs[i][0])
			rm_tree(reg->dirs[i]);
		reg->dirs[i][0] = '\0';
	}
}

/* Only async-signal-safe calls: signal what runs, then die as asked. */
static void on_signal(int sig)
{
	bool zombie;

	if (reg && getpid() == reg->owner)
		for (int i = 0; i < REG_PROCS; i++)
			if (reg->procs[i].pid &&
			    proc_start(reg->procs[i].pid, &zombie) == reg->procs[i].start)
				kill(reg->procs[i].pid, SIGTERM);
	signal(sig, SIG_DFL);
	raise(sig);
}

void harness_init(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};

	if (reg)
		return;
	reg = mmap(NULL, sizeof(*reg), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (reg == MAP_FAILED) {
		perror("harness: mmap");
		abort();
	}
	memset(reg, 0, sizeof(*reg));
	reg->owner = getpid();
	atexit(safety_net);
	for (size_t i = 0; i < DP_ARRAY_LEN(sigs); i++)
		signal(sigs[i], on_signal);
	/* Helpers must print their port line at once, not at exit. */
	setenv("PYTHONUNBUFFERED", "1", 1);
	curl_global_init(CURL_GLOBAL_ALL);
}

int harness_main(Suite *s)
{
	harness_init();
	return test_main(s);
}

/* fork + execv with stdin from in_fd (or /dev/null), stdout to out_path
 * (or the log), stderr to log_path. */
static pid_t spawn(const char *const argv[], int in_fd, const char *out_path,
		   const char *log_path)
{
	pid_t parent = getpid();
	int null_fd, out_fd, log_fd;
	pid_t pid;

	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	out_fd = out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)
			  : log_fd;
	if (null_fd < 0 || log_fd < 0 || out_fd < 0) {
		set_error("cannot open logs for %s: %s", argv[0], strerror(errno));
		pid = -1;
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		set_error("fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		sigset_t none;

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127); /* the starter died before prctl */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in_fd >= 0 ? in_fd : null_fd, 0) < 0 ||
		    dup2(out_fd, 1) < 0 || dup2(log_fd, 2) < 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		dprintf(2, "harness: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	reg_add_pid(pid);
out:
	if (null_fd >= 0)
		close(null_fd);
	if (out_fd >= 0 && out_fd != log_fd)
		close(out_fd);
	if (log_fd >= 0)
		close(log_fd);
	return pid;
}

static void track(struct harness *h, pid_t pid, const char *name)
{
	if (h->n_procs >= HARNESS_MAX_PROCS) {
		fprintf(stderr, "harness: more than %d processes\n", HARNESS_MAX_PROCS);
		abort();
	}
	h->procs[h->n_procs].pid = pid;
	h->procs[h->n_procs].starter = getpid();
	snprintf(h->procs[h->n_procs].name, sizeof(h->procs[0].name), "%s", name);
	h->n_procs++;
}

static struct harness_proc *find_proc(struct harness *h, pid_t pid)
{
	for (int i = 0; i < h->n_procs; i++)
		if (h->procs[i].pid == pid)
			return &h->procs[i];
	return NULL;
}

static void untrack(struct harness *h, pid_t pid)
{
	struct harness_proc *p = find_proc(h, pid);

	if (!p)
		return;
	*p = h->procs[--h->n_procs];
	if (h->deskpilot == pid)
		h->deskpilot = 0;
	if (h->nginx == pid)
		h->nginx = 0;
}

int harness_stop_pid(struct harness *h, pid_t pid, int sig)
{
	struct harness_proc *p = find_proc(h, pid);
	int status;

	if (!p) {
		set_error("pid %d is not one of this harness's processes", (int)pid);
		return -1;
	}
	status = stop_process(pid, p->starter, sig, HARNESS_STOP_TIMEOUT_MS);
	untrack(h, pid);
	return status;
}

/* True while pid runs; reaps it (and says so) when it has exited. */
static bool still_running(struct harness *h, pid_t pid)
{
	struct harness_proc *p = find_proc(h, pid);
	int status;

	if (!p)
		return false;
	if (p->starter == getpid()) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "harness: %s (pid %d) exited with status %d\n",
				p->name, (int)pid,
				WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
			reg_del_pid(pid);
			untrack(h, pid);
			return false;
		}
		return true;
	}
	return wait_end(pid, p->starter, 0) == -2;
}

/* ---- files --------------------------------------------------------- */

char *harness_slurp(const char *path, size_t *len)
{
	struct buf b;
	char chunk[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	buf_init(&b, 256 * 1024 * 1024);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (buf_append(&b, chunk, (size_t)n) < 0)
			break;
	close(fd);
	if (len)
		*len = b.len;
	return buf_detach(&b);
}

char *harness_srcdir_path(const char *rel)
{
	const char *src = getenv("DP_SRCDIR");

	return xasprintf("%s/%s", src && *src ? src : ".", rel);
}

char *harness_path(struct harness *h, const char *name)
{
	return xasprintf("%s/%s", h->dir, name);
}

static int write_file(const char *path, const char *content)
{
	size_t n = strlen(content);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, content, n) != (ssize_t)n) {
		set_error("cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

char *harness_write_file(struct harness *h, const char *name,
			 const char *content)
{
	char *path = harness_path(h, name);

	if (write_file(path, content) < 0) {
		free(path);
		return NULL;
	}
	return path;
}

static void tail_file(const char *path, size_t max)
{
	size_t len;
	char *text = harness_slurp(path, &len);

	if (!text)
		return;
	fprintf(stderr, "---- %s (last %zu bytes) ----\n%s\n", path,
		len < max ? len : max, text + (len > max ? len - max : 0));
	free(text);
}

void harness_dump_logs(struct harness *h)
{
	char *p;

	tail_file(h->log, 3000);
	tail_file(h->nginx_log, 2000);
	for (int i = 0; i < h->n_procs; i++) {
		if (h->procs[i].pid == h->deskpilot || h->procs[i].pid == h->nginx)
			continue;
		p = xasprintf("%s/%s.log", h->dir, h->procs[i].name);
		tail_file(p, 2000);
		free(p);
	}
}

/* ---- sockets -------------------------------------------------------- */

int harness_free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int port = -1;

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static bool connects_tcp(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static int unix_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -1;
	memcpy(sa->sun_path, path, strlen(path));
	return 0;
}

static bool connects_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd;
	bool ok;

	if (unix_addr(path, &sa) < 0)
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* The listening socket a supervisor (spawn-fcgi, systemd) would hand over. */
static int open_unix_listener(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (unix_addr(path, &sa) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM, 0); /* inherited: no CLOEXEC */
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- the harness ---------------------------------------------------- */

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

static char *deskpilot_config(const struct harness *h)
{
	return xasprintf("# generated by the integration harness\n"
			 "[server]\n"
			 "listen = %s\n"
			 "listen_mode = 0600\n"
			 "database = %s\n"
			 "threads = 4\n"
			 "log_level = info\n"
			 "\n[workers]\n"
			 "threads = 1\n"
			 "poll_ms = 20\n"
			 "\n%s\n",
			 h->listen, h->db, h->opts.ini ? h->opts.ini : "");
}

static char *nginx_config(const struct harness *h)
{
	char *snippet = harness_srcdir_path(SNIPPET);
	char *upstream = h->opts.tcp ? xasprintf("127.0.0.1:%d", h->fcgi_port)
				     : xasprintf("unix:%s", h->sock);
	const char *d = h->dir;
	char *conf = xasprintf(
		"# generated by the integration harness\n"
		"daemon off;\n"
		"master_process off;\n"
		"worker_processes 1;\n"
		"pid %s/nginx.pid;\n"
		"error_log %s/nginx-error.log info;\n"
		"events { worker_connections 512; }\n"
		"http {\n"
		"    access_log %s/nginx-access.log;\n"
		"    client_body_temp_path %s/nginx-tmp/body;\n"
		"    fastcgi_temp_path %s/nginx-tmp/fastcgi;\n"
		"    proxy_temp_path %s/nginx-tmp/proxy;\n"
		"    uwsgi_temp_path %s/nginx-tmp/uwsgi;\n"
		"    scgi_temp_path %s/nginx-tmp/scgi;\n"
		"    upstream deskpilot {\n"
		"        server %s;\n"
		"%s"
		"    }\n"
		"    server {\n"
		"        listen 127.0.0.1:%d;\n"
		"%s"
		"        include %s;\n"
		"    }\n"
		"    server {\n"
		"        listen 127.0.0.1:%d;\n"
		"        fastcgi_request_buffering off;\n"
		"%s"
		"        include %s;\n"
		"    }\n"
		"}\n",
		d, d, d, d, d, d, d, d, upstream,
		h->opts.keep_conn ? "        keepalive 16;\n" : "", h->port,
		h->opts.keep_conn ? "        fastcgi_keep_conn on;\n" : "", snippet,
		h->port_unbuffered,
		h->opts.keep_conn ? "        fastcgi_keep_conn on;\n" : "", snippet);

	free(upstream);
	free(snippet);
	return conf;
}

static int write_nginx_files(struct harness *h)
{
	char *conf, *path, *params, *tmp;
	int rc;

	params = harness_slurp(FASTCGI_PARAMS, NULL);
	if (!params) {
		set_error("cannot read %s: install nginx (apt-get install nginx-light)",
			  FASTCGI_PARAMS);
		return -1;
	}
	path = harness_path(h, "fastcgi_params");
	rc = write_file(path, params);
	free(path);
	free(params);
	tmp = harness_path(h, "nginx-tmp");
	mkdir(tmp, 0700);
	free(tmp);
	conf = nginx_config(h);
	path = harness_path(h, "nginx.conf");
	if (rc == 0)
		rc = write_file(path, conf);
	free(path);
	free(conf);
	return rc;
}

struct harness *harness_new(const struct harness_opts *opts)
{
	struct harness *h = xcalloc(1, sizeof(*h));
	char tmpl[PATH_MAX];
	char *conf;
	const char *tmpdir = test_tmp_root();

	harness_init();
	if (opts)
		h->opts = *opts;
	h->opts.ini = xstrdup(h->opts.ini);
	h->listen_fd = -1;
	/* A unix socket path must fit in 108 bytes: keep the dir short. */
	if (strlen(tmpdir) > 40)
		tmpdir = "/tmp";
	snprintf(tmpl, sizeof(tmpl), "%s/dp-it-XXXXXX", tmpdir);
	if (!mkdtemp(tmpl)) {
		set_error("mkdtemp %s: %s", tmpl, strerror(errno));
		free((char *)h->opts.ini);
		free(h);
		return NULL;
	}
	h->dir = xstrdup(tmpl);
	reg_add_dir(h->dir);
	h->conf = harness_path(h, "deskpilot.conf");
	h->db = harness_path(h, "deskpilot.db");
	h->sock = harness_path(h, "deskpilot.sock");
	h->log = harness_path(h, "deskpilot.log");
	h->nginx_log = harness_path(h, "nginx-error.log");
	h->port = harness_free_port();
	h->port_unbuffered = harness_free_port();
	if (h->opts.tcp) {
		h->fcgi_port = harness_free_port();
		h->listen = xasprintf("127.0.0.1:%d", h->fcgi_port);
	} else if (h->opts.inherit_fd0) {
		h->listen = xstrdup("fd:0");
	} else {
		h->listen = xasprintf("unix:%s", h->sock);
	}
	conf = deskpilot_config(h);
	if (h->port <= 0 || h->port_unbuffered <= 0 ||
	    write_file(h->conf, conf) < 0 ||
	    (!h->opts.no_nginx && write_nginx_files(h) < 0)) {
		if (h->port <= 0)
			set_error("no free port on 127.0.0.1");
		free(conf);
		harness_free(h);
		return NULL;
	}
	free(conf);
	return h;
}

struct harness *harness_up(const struct harness_opts *opts)
{
	struct harness *h = harness_new(opts);

	if (!h)
		return NULL;
	if (harness_start_deskpilot(h) < 0 ||
	    (!h->opts.no_nginx && harness_start_nginx(h) < 0)) {
		harness_free(h);
		return NULL;
	}
	return h;
}

void harness_free(struct harness *h)
{
	if (!h)
		return;
	/* Front ends first, so nothing new reaches deskpilot while it drains. */
	if (h->nginx)
		harness_stop_pid(h, h->nginx, SIGTERM);
	while (h->n_procs > 0)
		harness_stop_pid(h, h->procs[h->n_procs - 1].pid, SIGTERM);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	rm_tree(h->dir);
	reg_del_dir(h->dir);
	free(h->dir);
	free(h->conf);
	free(h->db);
	free(h->sock);
	free(h->listen);
	free(h->log);
	free(h->nginx_log);
	free((char *)h->opts.ini);
	free(h);
}

/* Whether the log has grown a line containing needle since offset. */
static bool log_has_since(const char *path, size_t offset, const char *needle)
{
	size_t len;
	char *text = harness_slurp(path, &len);
	bool found = text && len > offset && strstr(text + offset, needle);

	free(text);
	return found;
}

static size_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

int harness_start_deskpilot(struct harness *h)
{
	char *bin = xasprintf("%s/src/deskpilot", env_or("DP_BUILDDIR", "."));
	const char *argv[] = {bin, "serve", "-c", h->conf, NULL};
	size_t log_start = file_size(h->log);
	int64_t deadline;
	pid_t pid;
	bool ready = false;

	if (h->deskpilot) {
		set_error("deskpilot is already running (pid %d)", (int)h->deskpilot);
		free(bin);
		return -1;
	}
	if (h->opts.inherit_fd0 && h->listen_fd < 0) {
		h->listen_fd = open_unix_listener(h->sock);
		if (h->listen_fd < 0) {
			set_error("cannot listen on '%s': %s", h->sock, strerror(errno));
			free(bin);
			return -1;
		}
	}
	pid = spawn(argv, h->listen_fd, NULL, h->log);
	free(bin);
	if (pid < 0)
		return -1;
	track(h, pid, "deskpilot");
	h->deskpilot = pid;
	deadline = now_ms() + HARNESS_START_TIMEOUT_MS;
	while (!ready && now_ms() < deadline) {
		if (!still_running(h, pid))
			break;
		if (h->opts.inherit_fd0) /* the socket accepts before it serves */
			ready = log_has_since(h->log, log_start, "deskpilot serving");
		else if (h->opts.tcp)
			ready = connects_tcp(h->fcgi_port);
		else
			ready = connects_unix(h->sock);
		if (!ready)
			sleep_ms(POLL_MS);
	}
	if (!ready) {
		set_error("deskpilot did not start listening on %s", h->listen);
		harness_dump_logs(h);
		if (h->deskpilot)
			harness_stop_pid(h, h->deskpilot, SIGKILL);
		return -1;
	}
	return 0;
}

int harness_stop_deskpilot(struct harness *h, int sig)
{
	if (!h->deskpilot) {
		set_error("deskpilot is not running");
		return -1;
	}
	return harness_stop_pid(h, h->deskpilot, sig);
}

int harness_restart_deskpilot(struct harness *h, int sig)
{
	if (h->deskpilot)
		harness_stop_deskpilot(h, sig);
	return harness_start_deskpilot(h);
}

int harness_start_nginx(struct harness *h)
{
	const char *nginx = env_or("DP_NGINX", "/usr/sbin/nginx");
	char *prefix = xasprintf("%s/", h->dir);
	char *conf = harness_path(h, "nginx.conf");
	const char *argv[] = {nginx, "-p", prefix, "-c", conf, "-e", h->nginx_log, NULL};
	int rc = -1;

	if (access(nginx, X_OK) != 0) {
		set_error("nginx not found at '%s': install it (apt-get install nginx-light)",
			  nginx);
		goto out;
	}
	for (int attempt = 0; attempt < NGINX_ATTEMPTS && rc < 0; attempt++) {
		int64_t deadline = now_ms() + HARNESS_START_TIMEOUT_MS;
		pid_t pid;

		if (attempt > 0) { /* a port was taken between pick and bind */
			h->port = harness_free_port();
			h->port_unbuffered = harness_free_port();
			if (write_nginx_files(h) < 0)
				goto out;
		}
		pid = spawn(argv, -1, NULL, h->nginx_log);
		if (pid < 0)
			goto out;
		track(h, pid, "nginx");
		h->nginx = pid;
		while (now_ms() < deadline && still_running(h, pid)) {
			if (connects_tcp(h->port) && connects_tcp(h->port_unbuffered)) {
				rc = 0;
				break;
			}
			sleep_ms(POLL_MS);
		}
		if (rc < 0 && h->nginx)
			harness_stop_pid(h, h->nginx, SIGKILL);
	}
	if (rc < 0) {
		set_error("nginx did not start on 127.0.0.1:%d", h->port);
		harness_dump_logs(h);
	}
out:
	free(prefix);
	free(conf);
	return rc;
}

/* The first line of a helper's stdout, as a port. */
static int read_port_line(const char *path)
{
	size_t len;
	char *text = harness_slurp(path, &len);
	long long port = -1;
	char *nl;

	if (text && (nl = strchr(text, '\n'))) {
		*nl = '\0';
		if (dp_parse_ll(text, 1, 65535, &port) < 0)
			port = 0; /* a line, but not a port */
	}
	free(text);
	return (int)port;
}

pid_t harness_start_helper(struct harness *h, const char *name,
			   const char *const argv[], int *port)
{
	char *out = xasprintf("%s/%s.out", h->dir, name);
	char *log = xasprintf("%s/%s.log", h->dir, name);
	int64_t deadline = now_ms() + HARNESS_START_TIMEOUT_MS;
	pid_t pid = spawn(argv, -1, out, log);
	int p = -1;

	if (pid < 0)
		goto out;
	track(h, pid, name);
	if (!port)
		goto out;
	while (now_ms() < deadline && still_running(h, pid)) {
		p = read_port_line(out);
		if (p >= 0)
			break;
		sleep_ms(POLL_MS);
	}
	if (p <= 0) {
		set_error("helper %s did not print its port on its first stdout line", name);
		tail_file(out, 500);
		tail_file(log, 2000);
		if (find_proc(h, pid))
			harness_stop_pid(h, pid, SIGKILL);
		pid = -1;
		goto out;
	}
	*port = p;
out:
	free(out);
	free(log);
	return pid;
}

pid_t harness_start_python(struct harness *h, const char *script,
			   const char *const args[], int *port)
{
	const char *argv[32];
	char *path = harness_srcdir_path(script);
	const char *base = strrchr(script, '/');
	char name[32];
	size_t n = 0;
	pid_t pid;

	argv[n++] = env_or("DP_PYTHON3", "/usr/bin/python3");
	argv[n++] = path;
	for (size_t i = 0; args && args[i] && n < DP_ARRAY_LEN(argv) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	snprintf(name, sizeof(name), "%s", base ? base + 1 : script);
	name[strcspn(name, ".")] = '\0';
	pid = harness_start_helper(h, name, argv, port);
	free(path);
	return pid;
}

/* ---- HTTP ------------------------------------------------------------ */

struct upload {
	const char *p;
	size_t left;
};

static size_t on_read(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	/* Small pieces, so a chunked upload really is several chunks. */
	size_t n = size * nmemb < 1024 ? size * nmemb : 1024;

	if (n > u->left)
		n = u->left;
	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *arg)
{
	return buf_append(arg, data, size * nmemb) == 0 ? size * nmemb : 0;
}

int harness_request(struct harness *h, const struct harness_request *rq,
		    struct harness_response *resp)
{
	const char *method = rq->method ? rq->method : "GET";
	char *url = xasprintf("http://127.0.0.1:%d%s", rq->port ? rq->port : h->port,
			      rq->path);
	struct curl_slist *hdrs = curl_slist_append(NULL, "Expect:");
	struct upload up = {rq->body, rq->body_len};
	struct buf body, head;
	CURL *c = curl_easy_init();
	CURLcode rc;

	memset(resp, 0, sizeof(*resp));
	buf_init(&body, RESPONSE_MAX);
	buf_init(&head, 64 * 1024);
	for (size_t i = 0; rq->headers && rq->headers[i]; i++)
		hdrs = curl_slist_append(hdrs, rq->headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, rq->timeout_ms ? rq->timeout_ms : 10000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_write);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &head);
	if (rq->body && rq->chunked) {
		hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, &up);
	} else if (rq->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	}
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0 || rq->body)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	else
		set_error("%s %s: %s", method, url, curl_easy_strerror(rc));
	resp->body_len = body.len;
	resp->body = buf_detach(&body);
	resp->headers = buf_detach(&head);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	free(url);
	return rc == CURLE_OK ? 0 : -1;
}

int harness_get(struct harness *h, const char *path,
		struct harness_response *resp)
{
	return harness_request(h, &(struct harness_request){.path = path}, resp);
}

int harness_post(struct harness *h, const char *path,
		 const char *const *headers, const char *body, size_t len,
		 struct harness_response *resp)
{
	return harness_request(h,
			       &(struct harness_request){
				       .method = "POST",
				       .path = path,
				       .headers = headers,
				       .body = body,
				       .body_len = len,
			       },
			       resp);
}

void harness_response_release(struct harness_response *resp)
{
	free(resp->headers);
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

char *harness_response_header(const struct harness_response *resp,
			      const char *name)
{
	size_t n = strlen(name);
	const char *line = resp->headers;

	while (line && *line) {
		const char *end = strstr(line, "\r\n");
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > n && line[n] == ':' && strncasecmp(line, name, n) == 0) {
			const char *v = line + n + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			return xstrndup(v, len - (size_t)(v - line));
		}
		line = end ? end + 2 : NULL;
	}
	return NULL;
}

/* ---- raw FastCGI ---------------------------------------------------- */

enum {
	FCGI_BEGIN_REQUEST = 1,
	FCGI_END_REQUEST = 3,
	FCGI_PARAMS = 4,
	FCGI_STDIN = 5,
	FCGI_STDOUT = 6,
	FCGI_STDERR = 7,
	FCGI_RESPONDER = 1,
	FCGI_REQUEST_ID = 1,
	FCGI_MAX_CONTENT = 65535,
};

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			set_error("fastcgi write: %s", strerror(errno));
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One record per call; content longer than a record is split. */
static int fcgi_record(int fd, int type, const char *content, size_t len)
{
	do {
		size_t n = len > FCGI_MAX_CONTENT ? FCGI_MAX_CONTENT : len;
		unsigned char head[8] = {1, (unsigned char)type, 0, FCGI_REQUEST_ID,
					 (unsigned char)(n >> 8), (unsigned char)n, 0, 0};

		if (write_all(fd, head, sizeof(head)) < 0 ||
		    (n && write_all(fd, content, n) < 0))
			return -1;
		content += n;
		len -= n;
	} while (len > 0);
	return 0;
}

int harness_fcgi_connect(struct harness *h)
{
	struct sockaddr_un sa;
	int fd;

	if (unix_addr(h->sock, &sa) < 0) {
		set_error("socket path '%s' is too long", h->sock);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		set_error("cannot connect to '%s': %s", h->sock, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void put_len(struct buf *b, size_t n)
{
	if (n < 128) {
		buf_putc(b, (char)n);
	} else {
		buf_putc(b, (char)(0x80 | (n >> 24)));
		buf_putc(b, (char)(n >> 16));
		buf_putc(b, (char)(n >> 8));
		buf_putc(b, (char)n);
	}
}

int harness_fcgi_send_params(int fd, const char *const params[], bool end_params)
{
	static const char begin[8] = {0, FCGI_RESPONDER, 0, 0, 0, 0, 0, 0};
	struct buf b;
	int rc;

	buf_init(&b, 16 * 1024 * 1024);
	for (size_t i = 0; params && params[i]; i++) {
		const char *eq = strchr(params[i], '=');
		size_t nl = eq ? (size_t)(eq - params[i]) : strlen(params[i]);
		const char *v = eq ? eq + 1 : "";

		put_len(&b, nl);
		put_len(&b, strlen(v));
		buf_append(&b, params[i], nl);
		buf_puts(&b, v);
	}
	rc = fcgi_record(fd, FCGI_BEGIN_REQUEST, begin, sizeof(begin));
	if (rc == 0 && b.len)
		rc = fcgi_record(fd, FCGI_PARAMS, b.data, b.len);
	if (rc == 0 && end_params)
		rc = harness_fcgi_end_params(fd);
	buf_release(&b);
	return rc;
}

int harness_fcgi_end_params(int fd)
{
	return fcgi_record(fd, FCGI_PARAMS, NULL, 0);
}

int harness_fcgi_send_stdin(int fd, const char *data, size_t len)
{
	return fcgi_record(fd, FCGI_STDIN, data, len);
}

static int read_full(int fd, void *p, size_t n, int64_t deadline)
{
	char *c = p;

	while (n > 0) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int64_t left = deadline - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		r = read(fd, c, n);
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Split a CGI response (headers, blank line, body) into resp. */
static void parse_cgi(struct buf *out, struct harness_response *resp)
{
	char *text = buf_detach(out);
	char *sep = strstr(text, "\r\n\r\n");
	size_t hl = sep ? (size_t)(sep - text) + 2 : strlen(text);
	char *status;
	long long code;

	resp->headers = xstrndup(text, hl);
	resp->body = xstrdup(sep ? sep + 4 : "");
	resp->body_len = strlen(resp->body);
	resp->status = 200;
	status = harness_response_header(resp, "Status");
	if (status) {
		status[strcspn(status, " ")] = '\0';
		if (dp_parse_ll(status, 100, 999, &code) == 0)
			resp->status = (long)code;
		free(status);
	}
	free(text);
}

int harness_fcgi_read_response(int fd, struct harness_response *resp,
			       int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	struct buf out;
	char *content = xmalloc(FCGI_MAX_CONTENT + 256);
	int rc = -1;

	memset(resp, 0, sizeof(*resp));
	buf_init(&out, RESPONSE_MAX);
	for (;;) {
		unsigned char head[8];
		size_t n, pad;

		if (read_full(fd, head, sizeof(head), deadline) < 0) {
			set_error("fastcgi: no complete response within %d ms", timeout_ms);
			break;
		}
		n = (size_t)head[4] << 8 | head[5];
		pad = head[6];
		if (read_full(fd, content, n + pad, deadline) < 0) {
			set_error("fastcgi: truncated record");
			break;
		}
		if (head[1] == FCGI_STDOUT)
			buf_append(&out, content, n);
		else if (head[1] == FCGI_STDERR)
			fprintf(stderr, "harness: deskpilot stderr: %.*s\n", (int)n, content);
		else if (head[1] == FCGI_END_REQUEST) {
			rc = 0;
			break;
		}
	}
	if (rc == 0)
		parse_cgi(&out, resp);
	buf_release(&out);
	free(content);
	return rc;
}

int harness_fcgi_request(struct harness *h, const char *const params[],
			 const char *body, size_t len,
			 struct harness_response *resp)
{
	int fd = harness_fcgi_connect(h);
	int rc = -1;

	memset(resp, 0, sizeof(*resp));
	if (fd < 0)
		return -1;
	if (harness_fcgi_send_params(fd, params, true) == 0 &&
	    (len == 0 || harness_fcgi_send_stdin(fd, body, len) == 0) &&
	    harness_fcgi_send_stdin(fd, NULL, 0) == 0)
		rc = harness_fcgi_read_response(fd, resp, 10000);
	close(fd);
	return rc;
}

int harness_count_sockets(pid_t pid)
{
	char dir[64], link[PATH_MAX], target[128];
	int n = 0;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		ssize_t len;

		snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len > 0 && strncmp(target, "socket:", 7) == 0)
			n++;
	}
	closedir(d);
	return n;
}

int harness_wait_exit(struct harness *h, pid_t pid, int timeout_ms)
{
	struct harness_proc *p = find_proc(h, pid);
	int status;

	if (!p) {
		set_error("pid %d is not one of this harness's processes", (int)pid);
		return -1;
	}
	status = wait_end(pid, p->starter, timeout_ms);
	if (status != -2) {
		reg_del_pid(pid);
		untrack(h, pid);
	}
	return status;
}

/* ---- waiting and the database --------------------------------------- */

bool harness_wait_until(bool (*cond)(void *arg), void *arg, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		if (cond(arg))
			return true;
		if (now_ms() >= deadline)
			return false;
		sleep_ms(POLL_MS);
	}
}

/* deskpilot's database, opened for one call with flags, waiting up to 5 s
 * while the service holds its lock; NULL (harness_error() set) when it
 * does not open. */
static sqlite3 *open_db(struct harness *h, int flags)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(h->db, &db, flags, NULL) != SQLITE_OK) {
		set_error("cannot open '%s': %s", h->db, db ? sqlite3_errmsg(db) : "no memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	return db;
}

/* Step sql on a read-only connection; calls take(stmt, out) on the first
 * row. 0 or -1. */
static int sql_first_row(struct harness *h, const char *sql,
			 void (*take)(sqlite3_stmt *st, void *out), void *out)
{
	sqlite3 *db = open_db(h, SQLITE_OPEN_READONLY);
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (!db)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		set_error("%s: %s", sql, sqlite3_errmsg(db));
		goto out;
	}
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		take(st, out);
		rc = 0;
		break;
	case SQLITE_DONE:
		set_error("%s: no row", sql);
		break;
	default:
		set_error("%s: %s", sql, sqlite3_errmsg(db));
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

static void take_int(sqlite3_stmt *st, void *out)
{
	*(int64_t *)out = sqlite3_column_int64(st, 0);
}

static void take_text(sqlite3_stmt *st, void *out)
{
	const unsigned char *t = sqlite3_column_text(st, 0);

	*(char **)out = t ? xstrdup((const char *)t) : NULL;
}

int harness_sql_int(struct harness *h, const char *sql, int64_t *out)
{
	return sql_first_row(h, sql, take_int, out);
}

char *harness_sql_text(struct harness *h, const char *sql)
{
	char *text = NULL;

	sql_first_row(h, sql, take_text, &text);
	return text;
}

bool harness_sql_text_is(struct harness *h, const char *sql, const char *want)
{
	char *got = harness_sql_text(h, sql);
	bool same = got && strcmp(got, want) == 0;

	if (!same)
		fprintf(stderr, "harness: %s: got '%s', want '%s'\n", sql,
			got ? got : "(null)", want);
	free(got);
	return same;
}

int harness_sql_exec(struct harness *h, const char *sql)
{
	sqlite3 *db = open_db(h, SQLITE_OPEN_READWRITE);
	int rc = -1;

	if (!db)
		return -1;
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		rc = 0;
	else
		set_error("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc;
}

struct settle {
	struct harness *h;
	const char *sql;
};

static bool settled(void *arg)
{
	struct settle *st = arg;
	int64_t pending = -1, n = 0;

	/* The count first: a decision's actions are committed with it, so
	 * pending actions read afterwards include them. */
	if (harness_sql_int(st->h, st->sql, &n) < 0 || n <= 0)
		return false;
	return harness_sql_int(st->h, "SELECT count(*) FROM outbox WHERE state = 'pending'",
			       &pending) == 0 &&
	       pending == 0;
}

bool harness_wait_settled(struct harness *h, const char *sql, int timeout_ms)
{
	struct settle st = {h, sql};

	if (harness_wait_until(settled, &st, timeout_ms))
		return true;
	fprintf(stderr, "harness: the pipeline did not settle: %s\n", sql);
	harness_dump_logs(h);
	return false;
}

/* ---- running a command ---------------------------------------------- */

int harness_run(const char *const argv[], char **output, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	struct buf out;
	int pipefd[2], status = -1;
	pid_t pid;

	if (output)
		*output = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		set_error("pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		set_error("fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		int null_fd = open("/dev/null", O_RDONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_DFL);
		if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(pipefd[1], 1) < 0 ||
		    dup2(pipefd[1], 2) < 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	buf_init(&out, RESPONSE_MAX);
	for (;;) {
		struct pollfd pfd = {pipefd[0], POLLIN, 0};
		int64_t left = deadline - now_ms();
		char chunk[4096];
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			set_error("%s did not finish within %d ms", argv[0], timeout_ms);
			kill(pid, SIGKILL);
			break;
		}
		n = read(pipefd[0], chunk, sizeof(chunk));
		if (n <= 0)
			break;
		buf_append(&out, chunk, (size_t)n);
	}
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid || now_ms() > deadline)
		status = -1;
	if (output)
		*output = buf_detach(&out);
	buf_release(&out);
	return status;
}

int harness_cli(struct harness *h, const char *const args[], char **output)
{
	char *bin = xasprintf("%s/src/deskpilot", getenv("DP_BUILDDIR"));
	const char *argv[16] = {bin};
	int n = 1, st;

	for (int i = 0; args[i] && n < 13; i++)
		argv[n++] = args[i];
	argv[n++] = "-c";
	argv[n++] = h->conf;
	argv[n] = NULL;
	st = harness_run(argv, output, 120000);
	free(bin);
	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int harness_import_kb(struct harness *h)
{
	char *kb = harness_srcdir_path("examples/kb");
	char *out = NULL;
	int rc = harness_cli(h, (const char *const[]){"kb", "import", kb, NULL}, &out);

	if (rc != 0)
		set_error("deskpilot kb import failed: %s", out ? out : "");
	free(out);
	free(kb);
	return rc == 0 ? 0 : -1;
}

/* ---- the fakes' routes ------------------------------------------------ */

json_t *harness_fake_state(struct harness *h, int port)
{
	struct harness_response r;
	struct harness_request rq = {.path = "/__state", .port = port};
	json_error_t jerr;
	json_t *j = NULL;

	if (harness_request(h, &rq, &r) < 0)
		return NULL;
	if (r.status != 200)
		set_error("GET /__state on port %d answered %ld", port, r.status);
	else if (!(j = json_loads(r.body, 0, &jerr)))
		set_error("the state of the fake on port %d is not JSON: %s", port,
			  jerr.text);
	harness_response_release(&r);
	return j;
}

int harness_fake_control(struct harness *h, int port, const char *json)
{
	struct harness_response r;
	const char *headers[] = {"Content-Type: application/json", NULL};
	struct harness_request rq = {
		.method = "POST",
		.path = "/__control",
		.headers = headers,
		.body = json,
		.body_len = strlen(json),
		.port = port,
	};
	int rc = 0;

	if (harness_request(h, &rq, &r) < 0)
		return -1;
	if (r.status != 200) {
		set_error("POST /__control on port %d answered %ld", port, r.status);
		rc = -1;
	}
	harness_response_release(&r);
	return rc;
}

/* ---- shorthands for Check tests --------------------------------------- */

void harness_assert_started(struct harness *h)
{
	ck_assert_msg(harness_import_kb(h) == 0, "%s", harness_error());
	ck_assert_msg(harness_start_deskpilot(h) == 0, "%s", harness_error());
	ck_assert_msg(harness_start_nginx(h) == 0, "%s", harness_error());
}

int64_t harness_assert_sql_int(struct harness *h, const char *sql)
{
	int64_t v = -1;

	ck_assert_msg(harness_sql_int(h, sql, &v) == 0, "query failed: %s", sql);
	return v;
}

void harness_assert_settled(struct harness *h, const char *sql, int timeout_ms)
{
	ck_assert_msg(harness_wait_settled(h, sql, timeout_ms),
		      "pipeline did not settle: %s", sql);
}

json_t *harness_assert_fake_state(struct harness *h, int port)
{
	json_t *j = harness_fake_state(h, port);

	ck_assert_msg(j != NULL, "%s", harness_error());
	return j;
}

void harness_assert_fake_control(struct harness *h, int port, const char *json)
{
	ck_assert_msg(harness_fake_control(h, port, json) == 0, "%s",
		      harness_error());
}

char *harness_assert_fixture(const char *dir, const char *name, size_t *len)
{
	char *rel = xasprintf("tests/data/%s/%s", dir, name);
	char *path = harness_srcdir_path(rel);
	char *body = harness_slurp(path, len);

	ck_assert_msg(body != NULL, "cannot read fixture '%s'", path);
	free(path);
	free(rel);
	return body;
}

pid_t harness_assert_fake(struct harness *h, const char *script, int port,
			  const char *const args[])
{
	const char *argv[16];
	char *path = xasprintf("tests/fakes/%s", script);
	char p[16];
	int got = 0, n = 0;
	pid_t pid;

	snprintf(p, sizeof(p), "%d", port);
	argv[n++] = p;
	for (size_t i = 0; args && args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = harness_start_python(h, path, argv, &got);
	ck_assert_msg(pid > 0, "%s", harness_error());
	ck_assert_int_eq(got, port);
	free(path);
	return pid;
}
