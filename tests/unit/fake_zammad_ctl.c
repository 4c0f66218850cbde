/*
 * fake_zammad_ctl.c - the fake Zammad as a child process (see
 * fake_zammad_ctl.h). The child prints its port on its first stdout line;
 * the parent reads it through a pipe with a deadline, so a fake that fails
 * to start ends the test program instead of hanging it.
 */
#include "fake_zammad_ctl.h"

#include "common/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define START_DEADLINE_MS 10000

static void die(const char *what)
{
	fprintf(stderr, "fake zammad: %s\n", what);
	exit(1);
}

void fake_zammad_start(struct fake_zammad *f)
{
	const char *py = getenv("DP_PYTHON3");
	const char *src = getenv("DP_SRCDIR");
	char script[4096], line[32] = "";
	size_t got = 0;
	int fds[2];

	if (!py || !*py)
		py = "python3";
	snprintf(script, sizeof(script), "%s/tests/fakes/fake_zammad.py",
		 src && *src ? src : ".");
	if (pipe(fds) < 0)
		die("pipe failed");
	f->pid = fork();
	if (f->pid < 0)
		die("fork failed");
	if (f->pid == 0) {
		/* Gone with the test program, however that ends. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp(py, py, script, "0", "--token", FAKE_TOKEN, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (got < sizeof(line) - 1 && !strchr(line, '\n')) {
		struct pollfd p = {fds[0], POLLIN, 0};
		ssize_t n;

		if (poll(&p, 1, START_DEADLINE_MS) <= 0)
			break;
		n = read(fds[0], line + got, sizeof(line) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		line[got] = '\0';
	}
	close(fds[0]);
	f->port = (int)strtol(line, NULL, 10);
	if (f->port <= 0) {
		fake_zammad_stop(f);
		die("did not start (is python3 installed?)");
	}
	snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%d", f->port);
}

void fake_zammad_stop(struct fake_zammad *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
	}
	f->pid = 0;
}

static int fake_call(const struct fake_zammad *f, const char *method,
		     const char *path, const char *body, struct http_response *r)
{
	struct http_client *c = http_client_new();
	char url[128];
	const char *headers[] = {"Content-Type: application/json", NULL};
	struct http_call call = {method, url, headers, body, body ? strlen(body) : 0,
				 2000, 10000, true};
	int rc;

	snprintf(url, sizeof(url), "%s%s", f->url, path);
	rc = http_client_do(c, &call, r, NULL);
	http_client_free(c);
	return rc == 0 && r->status == 200 ? 0 : -1;
}

json_t *fake_zammad_state(const struct fake_zammad *f)
{
	struct http_response r;
	json_t *j = NULL;

	http_response_init(&r);
	if (fake_call(f, "GET", "/__state", NULL, &r) == 0)
		j = json_loadb(r.body.data, r.body.len, 0, NULL);
	http_response_release(&r);
	return j;
}

int fake_zammad_control(const struct fake_zammad *f, const char *json)
{
	struct http_response r;
	int rc;

	http_response_init(&r);
	rc = fake_call(f, "POST", "/__control", json, &r);
	http_response_release(&r);
	return rc;
}

int fake_zammad_dead_port(void)
{
	struct sockaddr_in a = {0};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int port = 0;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}
