#!/usr/bin/env python3
"""pipeline.py - the benchmark's pipeline figures (`make bench`, run.sh).

  pipeline.py latency   URL BODY SECRET DB FAKE_PORT N GAP_MS
  pipeline.py writeback URL BODY SECRET DB FAKE_PORT N

Both send N signed Zammad webhooks to URL (nginx in front of deskpilot),
each a customer message on a ticket of its own (tickets 500001...), whose
decisions deskpilot writes back to the fake Zammad on FAKE_PORT; then they
wait until every action is applied and read deskpilot's database DB and
the fake's state.

latency: one webhook every GAP_MS, so the service is idle when each
arrives. Prints received -> decided (events.received_at to
decisions.decided_at) and decided -> the first helpdesk call of its ticket
(the fake's wall clock at the call's start), p50 and p99 in ms.

writeback: the N webhooks at once, against a fake that answers in whatever
delay_ms it was given. Prints the actions applied a second, from the first
action queued to the last one done, with the calls a second and the most
calls the fake saw at once.

The last line is "RESULT key=value ...".
"""
import hashlib
import hmac
import json
import sqlite3
import sys
import threading
import time
import urllib.request

TICKET0 = 500000


def payload(template, ticket, article):
    body = template.replace(b'"id":104,"in_reply_to"',
                            b'"id":%d,"in_reply_to"' % article)
    body = body.replace(b'"id":81,"last_contact_agent_at"',
                        b'"id":%d,"last_contact_agent_at"' % ticket)
    return body.replace(b'"ticket_id":81', b'"ticket_id":%d' % ticket)


def send(url, template, secret, i):
    ticket = TICKET0 + 1 + i
    body = payload(template, ticket, ticket * 10)
    sig = hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    req = urllib.request.Request(url + "/hooks/zammad", data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "X-Hub-Signature": "sha1=" + sig,
        "X-Zammad-Delivery": "pipeline-%d-%d" % (time.time(), i),
    })
    with urllib.request.urlopen(req, timeout=10) as r:
        if r.status != 202:
            sys.exit("pipeline.py: webhook %d answered %d" % (i, r.status))


def control(port, obj):
    req = urllib.request.Request("http://127.0.0.1:%d/__control" % port,
                                 data=json.dumps(obj).encode(), method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def fake_state(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/__state" % port, timeout=30) as r:
        return json.load(r)


def query(db, sql):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def wait_applied(db, n, timeout=120):
    """Until n decisions are made and no action of those tickets is open."""
    end = time.time() + timeout
    while time.time() < end:
        (decided, open_actions), = query(db, (
            "SELECT (SELECT count(*) FROM decisions WHERE ticket_id > %d),"
            " (SELECT count(*) FROM outbox WHERE ticket_id > %d AND state = 'pending')"
        ) % (TICKET0, TICKET0))
        if decided >= n and open_actions == 0:
            return
        time.sleep(0.05)
    sys.exit("pipeline.py: the pipeline did not settle in %d s" % timeout)


def pct(values, p):
    v = sorted(values)
    if not v:
        return float("nan")
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def latency(url, template, secret, db, port, n, gap_ms):
    control(port, {"create_tickets": [TICKET0 + 1 + i for i in range(n)]})
    for i in range(n):
        send(url, template, secret, i)
        time.sleep(gap_ms / 1000.0)
    wait_applied(db, n)
    rows = query(db, (
        "SELECT d.ticket_id, e.received_at, d.decided_at, d.outcome"
        " FROM decisions d JOIN events e ON e.id = d.event_id"
        " WHERE d.ticket_id > %d") % TICKET0)
    first_call = {}
    for ev in fake_state(port).get("timeline", []):
        t, wall = ev[4], ev[5]
        if t > TICKET0 and (t not in first_call or wall < first_call[t]):
            first_call[t] = wall
    decided = [r[2] - r[1] for r in rows]
    to_call = [first_call[r[0]] - r[2] for r in rows if r[0] in first_call]
    outcomes = {}
    for r in rows:
        outcomes[r[3]] = outcomes.get(r[3], 0) + 1
    print("outcomes: %s; %d of %d decisions wrote back"
          % (", ".join("%s %d" % kv for kv in sorted(outcomes.items())), len(to_call), len(rows)))
    print("RESULT n=%d decide_p50_ms=%.1f decide_p99_ms=%.1f call_p50_ms=%.1f call_p99_ms=%.1f"
          % (len(rows), pct(decided, 50), pct(decided, 99), pct(to_call, 50), pct(to_call, 99)))


def writeback(url, template, secret, db, port, n):
    control(port, {"create_tickets": [TICKET0 + 1 + i for i in range(n)]})
    threads = [threading.Thread(target=send, args=(url, template, secret, i)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wait_applied(db, n)
    (actions, first, last), = query(db, (
        "SELECT count(*), min(created_at), max(done_at) FROM outbox"
        " WHERE ticket_id > %d AND state = 'done'") % TICKET0)
    st = fake_state(port)
    calls = [ev for ev in st.get("timeline", []) if ev[4] > TICKET0]
    seconds = max((last - first) / 1000.0, 0.001)
    print("RESULT actions=%d calls=%d seconds=%.2f actions_per_s=%.1f calls_per_s=%.1f max_in_flight=%d"
          % (actions, len(calls), seconds, actions / seconds, len(calls) / seconds,
             st.get("max_in_flight", 0)))


def main():
    if len(sys.argv) < 8:
        sys.exit(__doc__)
    mode, url, body_file, secret, db, port, n = sys.argv[1:8]
    with open(body_file, "rb") as f:
        template = f.read()
    if mode == "latency":
        latency(url, template, secret, db, int(port), int(n), float(sys.argv[8]))
    elif mode == "writeback":
        writeback(url, template, secret, db, int(port), int(n))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
