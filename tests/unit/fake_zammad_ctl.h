/*
 * fake_zammad_ctl.h - start, drive and stop tests/fakes/fake_zammad.py from
 * a Check test (unchecked fixtures: started once in the parent, stopped by
 * pid in the teardown, which also runs when a test fails).
 */
#ifndef DP_FAKE_ZAMMAD_CTL_H
#define DP_FAKE_ZAMMAD_CTL_H

#include <jansson.h>
#include <sys/types.h>

#define FAKE_TOKEN "test-token"

struct fake_zammad {
	pid_t pid;
	int port;
	char url[64]; /* "http://127.0.0.1:PORT" */
};

/* Start the fake on a free loopback port; exits the test program when it
 * cannot (there is nothing to test without it). */
void fake_zammad_start(struct fake_zammad *f);
/* SIGTERM the fake by pid and reap it; does nothing when not started. */
void fake_zammad_stop(struct fake_zammad *f);

/* GET /__state: a new reference, or NULL. */
json_t *fake_zammad_state(const struct fake_zammad *f);
/* POST /__control with a JSON text such as "{\"reset\":true}"; 0 or -1. */
int fake_zammad_control(const struct fake_zammad *f, const char *json);

/* A loopback port nothing listens on (bound then closed). */
int fake_zammad_dead_port(void);

#endif
