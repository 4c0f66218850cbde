/*
 * trivial_fcgi.c - the benchmark's baseline: a libfcgi responder that does
 * what deskpilot's front does around the work (N accept threads without a
 * mutex, the body read to EOF, a small JSON answer) and nothing else.
 *
 *   trivial_fcgi SOCKET_PATH [THREADS]
 *
 * The ratio of deskpilot's ingest rate to this one's is the cost of
 * verifying, parsing and committing an event.
 */
#include <fcgiapp.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_THREADS 64

static int listen_fd = -1;

static void *serve(void *arg)
{
	static const char reply[] = "{\"status\":\"accepted\"}\n";
	FCGX_Request req;
	char chunk[8192];

	(void)arg;
	FCGX_InitRequest(&req, listen_fd, 0);
	while (FCGX_Accept_r(&req) >= 0) {
		while (FCGX_GetStr(chunk, sizeof(chunk), req.in) > 0)
			;
		FCGX_FPrintF(req.out,
			     "Status: 202 Accepted\r\nContent-Type: application/json\r\n"
			     "Content-Length: %d\r\n\r\n",
			     (int)sizeof(reply) - 1);
		FCGX_PutStr(reply, (int)sizeof(reply) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	return NULL;
}

static int open_socket(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 1024) < 0)
		return -1;
	return fd;
}

int main(int argc, char **argv)
{
	pthread_t tids[MAX_THREADS];
	int n = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 4;
	sigset_t set;
	int sig;

	if (argc < 2 || n < 1 || n > MAX_THREADS) {
		fprintf(stderr, "usage: trivial_fcgi SOCKET_PATH [THREADS 1-%d]\n", MAX_THREADS);
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0 || (listen_fd = open_socket(argv[1])) < 0) {
		perror("trivial_fcgi");
		return 1;
	}
	for (int i = 0; i < n; i++)
		if (pthread_create(&tids[i], NULL, serve, NULL) != 0)
			return 1;
	sigwait(&set, &sig);
	unlink(argv[1]);
	return 0; /* threads blocked in accept end with the process */
}
