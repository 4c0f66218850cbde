/*
 * listen.c - unix, TCP and inherited listening sockets (see listen.h).
 */
#include "front/listen.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define BACKLOG 1024

static int listen_unix(const char *path, mode_t mode, struct dp_error *err)
{
	struct sockaddr_un sa;
	int fd = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return dp_fail(err, DP_EINVAL, "socket path '%s' is too long", path);
	memcpy(sa.sun_path, path, strlen(path));

	/* Someone answering on it means another instance is running. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto sys;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		return dp_fail(err, DP_EBUSY,
			       "socket '%s' is in use by another process", path);
	}
	if (errno == ECONNREFUSED)
		unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, mode) < 0 || listen(fd, BACKLOG) < 0)
		goto sys;
	return fd;
sys:
	dp_fail(err, DP_EIO, "cannot listen on '%s': %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return DP_EIO;
}

static int listen_tcp(const char *spec, struct dp_error *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	const char *colon = strrchr(spec, ':');
	char host[256];
	size_t hl;
	int fd = -1, one = 1, rc, saved = 0;

	hl = (size_t)(colon - spec);
	if (spec[0] == '[' && hl >= 2 && spec[hl - 1] == ']') { /* [::1]:9000 */
		spec++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return dp_fail(err, DP_EINVAL, "host in '%s' is too long", spec);
	memcpy(host, spec, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, colon + 1, &hints, &res);
	if (rc != 0)
		return dp_fail(err, DP_EINVAL, "cannot resolve '%s': %s", host,
			       gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, BACKLOG) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return dp_fail(err, DP_EIO, "cannot listen on '%s:%s': %s", host,
			       colon + 1, strerror(saved ? saved : errno));
	return fd;
}

static int listen_inherited(struct dp_error *err)
{
	int type = 0;
	socklen_t len = sizeof(type);

	if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_STREAM)
		return dp_fail(err, DP_EINVAL,
			       "listen = fd:0, but fd 0 is not a stream socket");
	return 0;
}

int listen_open(const char *spec, mode_t mode, struct dp_error *err)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return listen_unix(spec + 5, mode, err);
	if (strcmp(spec, "fd:0") == 0)
		return listen_inherited(err);
	return listen_tcp(spec, err);
}

void listen_wake(int fd, const char *spec, int n)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);

	if (strcmp(spec, "fd:0") != 0) {
		shutdown(fd, SHUT_RDWR);
		return;
	}
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return;
	for (int i = 0; i < n; i++) {
		int c = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (c < 0)
			return;
		connect(c, (struct sockaddr *)&sa, len);
		close(c);
	}
}

void listen_close(int fd, const char *spec)
{
	if (fd > 0)
		close(fd);
	if (strncmp(spec, "unix:", 5) == 0)
		unlink(spec + 5);
}
