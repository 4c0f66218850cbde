#!/usr/bin/env python3
"""A fake Zammad for tests: the REST routes deskpilot uses, in memory.

Usage: fake_zammad.py PORT [--token TOKEN] [--state-file FILE]

Binds 127.0.0.1:PORT (0 picks a free port). The first line on stdout is the
port actually bound. Every /api/v1 route requires
"Authorization: Token token=TOKEN" (default "test-token") and answers 401
{"error": ...} otherwise, like Zammad. Refusals are {"error", "error_human"}.

Routes (as Zammad has them):
  GET  /api/v1/users/me
  GET  /api/v1/tickets/ID            PUT /api/v1/tickets/ID (group, priority,
                                     state by name; unknown name -> 422)
  GET  /api/v1/tickets/ID?all=true   {"ticket_id", "ticket_article_ids",
                                     "assets": {"Ticket", "Group"}, "tags", ...}
  POST /api/v1/tags/add              -> 201 true     GET /api/v1/tags?object=Ticket&o_id=ID
  DELETE /api/v1/tags/remove         -> 200 true
  GET  /api/v1/ticket_articles/by_ticket/ID          POST /api/v1/ticket_articles -> 201
  GET  /api/v1/organizations/ID
  GET|POST /api/v1/webhooks          PUT /api/v1/webhooks/ID
  GET|POST /api/v1/triggers          PUT /api/v1/triggers/ID
An e-mail article by an agent on a ticket whose group has no e-mail address
fails the way Zammad fails it (app/models/ticket/article/adds_metadata_email.rb
raises, application_controller/handles_errors.rb answers): 500
{"error": "No email address found for group 'NAME' (ID)"} when the token's
user is an admin, else 500 {"error": "Error ID XXXXXXXX: Please contact your
administrator."}. Group 4 ("Phone Desk") has no address; the others do.
Webhooks keep the attributes a PUT does not name, and a webhook saved with
customized_payload false loses its custom_payload (Webhook#reset_custom_payload).
Test hooks (no auth):
  GET  /__state    everything, as JSON (tickets, tags, articles, webhooks,
                   triggers, organizations, requests = [[method, path,
                   status], ...], bodies = [[method, path, body], ...] of
                   the writes, timeline = [[start_ms, end_ms, method,
                   path, ticket, start_epoch_ms], ...] of every API
                   request (monotonic ms, then the wall clock's; ticket 0
                   when it names none), max_in_flight = the most API
                   requests ever served at once)
  POST /__control  {"fail_next": N, "status": 500, "retry_after": "1",
                   "fail_match": "POST /api/v1/ticket_articles",
                   "delay_ms": MS, "reset": true, "create_tickets": [IDS],
                   "ticket_group": {"ID": GROUP_ID}, "admin": BOOL,
                   "organizations": {"ID": {...}}}:
                   the next N API requests (only those matching
                   fail_match, when given) fail with status; every API
                   request waits delay_ms; tickets IDS come into being;
                   tickets move to groups; the token's user is an admin or
                   not (default not); organizations are added or replaced
                   (GET answers exactly the stored object: leave out "vip"
                   to play a Zammad before 6.1)
  GET  /__blob?size=N   N bytes of "x"      GET /__redirect  302 to /__state
With --state-file, the state is written there (atomically) after every
change, and read back at start when the file exists, so a restarted fake
keeps its tickets, tags and articles.
"""
import argparse
import base64
import copy
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

NOW = "2026-03-02T10:00:00.000Z"
GROUPS = {1: "Users", 2: "VIP", 3: "VIP Desk", 4: "Phone Desk"}
GROUP_EMAIL = {1: 1, 2: 1, 3: 1, 4: None}  # group id -> email_address_id
PRIORITIES = {1: "1 low", 2: "2 normal", 3: "3 high"}
STATES = {1: "new", 2: "open", 4: "closed"}


def new_ticket(tid, number, title, customer_id):
    return {"id": tid, "number": number, "title": title, "group_id": 1,
            "group": "Users", "priority_id": 2, "priority": "2 normal",
            "state_id": 1, "state": "new", "customer_id": customer_id}


def initial_state():
    return {
        "tickets": {"81": new_ticket(81, "26081", "Password reset link expired", 8),
                    "82": new_ticket(82, "26082", "Invoice 4711 charged twice", 9)},
        "tags": {},
        "articles": [],
        "webhooks": [],
        "triggers": [],
        "organizations": {},
        "requests": [],
        "bodies": [],
        "next_id": 1000,
    }


def group_record(gid):
    return {"id": gid, "name": GROUPS[gid], "email_address_id": GROUP_EMAIL[gid],
            "active": True, "follow_up_possible": "yes", "follow_up_assignment": True,
            "signature_id": 1, "note": None}


class Fake:
    def __init__(self, token, state_file):
        self.token = token
        self.state_file = state_file
        self.lock = threading.Lock()
        self.state = initial_state()
        if state_file and os.path.exists(state_file):
            with open(state_file) as f:
                self.state = json.load(f)
        self.fail_next = 0
        self.fail_status = 500
        self.retry_after = None
        self.delay_ms = 0
        self.in_flight = 0
        self.admin = False
        self.fail_match = None

    def save(self):
        if not self.state_file:
            return
        tmp = self.state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.state, f, indent=1, sort_keys=True)
        os.replace(tmp, self.state_file)

    def new_id(self):
        self.state["next_id"] += 1
        return self.state["next_id"]


def ticket_of(url, body):
    """The ticket an API request is about, 0 for none."""
    parts = url.path.strip("/").split("/")
    for i, p in enumerate(parts[:-1]):
        if p in ("tickets", "by_ticket") and parts[i + 1].isdigit():
            return int(parts[i + 1])
    q = parse_qs(url.query)
    for v in (body.get("o_id") if isinstance(body, dict) else None,
              body.get("ticket_id") if isinstance(body, dict) else None,
              q.get("o_id", [None])[0]):
        if v is not None and str(v).isdigit():
            return int(v)
    return 0


def error(status, text):
    return status, {"error": text, "error_human": text}


def lookup(table, value, what):
    """Zammad resolves association names to ids; unknown -> 422."""
    for key, name in table.items():
        if value == name or value == key:
            return key, name
    raise LookupError("No lookup value found for '%s': %s" % (what, json.dumps(value)))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The headers and the body go out in two writes: with Nagle's algorithm
    # the second waits for the client's delayed ACK, 40 ms a call that no
    # real Zammad (Puma behind nginx) adds.
    disable_nagle_algorithm = True
    fake = None  # set in main

    def log_message(self, fmt, *args):  # keep test output clean
        pass

    def reply(self, status, obj=None, raw=None, headers=()):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def read_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n) if n else b""
        return json.loads(data) if data else {}

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def handle_any(self, method):
        url = urlsplit(self.path)
        f = self.fake
        try:
            body = self.read_json() if method != "GET" else {}
        except ValueError:
            return self.reply(*error(400, "body is not JSON"))
        if url.path.startswith("/__"):
            return self.test_hook(method, url, body)
        with f.lock:
            f.in_flight += 1
            f.state["max_in_flight"] = max(f.state.get("max_in_flight", 0),
                                           f.in_flight)
        start, start_wall = time.monotonic(), time.time()
        try:
            answer = self.api(method, url, body)
        finally:
            # Recorded before the answer leaves: the next call it lets
            # through cannot seem to start earlier.
            with f.lock:
                f.in_flight -= 1
                f.state.setdefault("timeline", []).append(
                    [round(start * 1000, 3), round(time.monotonic() * 1000, 3),
                     method, url.path, ticket_of(url, body),
                     round(start_wall * 1000, 3)])
        status, obj, headers = answer
        self.reply(status, obj, headers=headers)

    def api(self, method, url, body):
        """Serve one API request: (status, object, headers) to answer."""
        f = self.fake
        with f.lock:
            delay = f.delay_ms
            failing = f.fail_next > 0 and (
                not f.fail_match or f.fail_match == "%s %s" % (method, url.path))
            if failing:
                f.fail_next -= 1
        if delay:
            time.sleep(delay / 1000.0)
        if failing:
            status, obj = error(f.fail_status, "simulated outage")
            headers = [("Retry-After", f.retry_after)] if f.retry_after else []
            self.record(method, url.path, status)
            return status, obj, headers
        if self.headers.get("Authorization") != "Token token=" + f.token:
            self.record(method, url.path, 401)
            return 401, {"error": "Authentication required"}, [("X-Failure", "auth")]
        with f.lock:
            try:
                status, obj = self.route(method, url, body)
            except LookupError as e:
                status, obj = error(422, str(e))
            f.state["requests"].append([method, url.path, status])
            if method != "GET":
                f.state["bodies"].append([method, url.path, body])
            f.save()
        return status, obj, ()

    def record(self, method, path, status):
        with self.fake.lock:
            self.fake.state["requests"].append([method, path, status])
            self.fake.save()

    def test_hook(self, method, url, body):
        f = self.fake
        if url.path == "/__state" and method == "GET":
            with f.lock:
                return self.reply(200, copy.deepcopy(f.state))
        if url.path == "/__control" and method == "POST":
            with f.lock:
                if body.get("reset"):
                    f.state = initial_state()
                    f.fail_next, f.delay_ms, f.retry_after = 0, 0, None
                    f.admin, f.fail_match = False, None
                for tid in body.get("create_tickets", []):
                    f.state["tickets"].setdefault(str(tid), new_ticket(
                        int(tid), str(26000 + int(tid)), "Ticket %s" % tid, 8))
                for tid, gid in body.get("ticket_group", {}).items():
                    t = f.state["tickets"][str(tid)]
                    t["group_id"], t["group"] = int(gid), GROUPS[int(gid)]
                for oid, org in body.get("organizations", {}).items():
                    f.state["organizations"][str(oid)] = org
                f.admin = bool(body.get("admin", f.admin))
                f.fail_next = int(body.get("fail_next", f.fail_next))
                f.fail_match = body.get("fail_match", f.fail_match)
                f.fail_status = int(body.get("status", f.fail_status))
                f.retry_after = body.get("retry_after", f.retry_after)
                f.delay_ms = int(body.get("delay_ms", f.delay_ms))
                f.save()
            return self.reply(200, {"ok": True})
        if url.path == "/__blob":
            size = int(parse_qs(url.query).get("size", ["0"])[0])
            return self.reply(200, raw=b"x" * size)
        if url.path == "/__redirect":
            return self.reply(302, {}, headers=[("Location", "/__state")])
        return self.reply(*error(404, "no such test hook"))

    # ---- the Zammad API -------------------------------------------------

    def route(self, method, url, body):
        parts = url.path.strip("/").split("/")
        if parts[:2] != ["api", "v1"] or len(parts) < 3:
            return error(404, "No route matches [%s] %s" % (method, url.path))
        res, rest = parts[2], parts[3:]
        if res == "users" and rest == ["me"] and method == "GET":
            return 200, {"id": 3, "login": "deskpilot-api", "firstname": "deskpilot",
                         "lastname": "", "active": True}
        if res == "tickets" and len(rest) == 1:
            if method == "GET" and parse_qs(url.query).get("all") == ["true"]:
                return self.ticket_all(rest[0])
            return self.ticket(method, rest[0], body)
        if res == "tags" and rest == ["add"] and method == "POST":
            return self.tag_add(body)
        if res == "tags" and rest == ["remove"] and method == "DELETE":
            return self.tag_remove(body)
        if res == "organizations" and len(rest) == 1 and method == "GET":
            org = self.fake.state["organizations"].get(rest[0])
            if org is None:
                return error(404, "Couldn't find Organization with 'id'=%s" % rest[0])
            return 200, org
        if res == "tags" and not rest and method == "GET":
            q = parse_qs(url.query)
            tid = q.get("o_id", [""])[0]
            return 200, {"tags": self.fake.state["tags"].get(tid, [])}
        if res == "ticket_articles":
            if len(rest) == 2 and rest[0] == "by_ticket" and method == "GET":
                return self.articles_of(rest[1])
            if not rest and method == "POST":
                return self.article_create(body)
        if res in ("webhooks", "triggers"):
            return self.collection(res, method, rest, body)
        return error(404, "No route matches [%s] %s" % (method, url.path))

    def find_ticket(self, tid):
        return self.fake.state["tickets"].get(str(tid))

    def ticket(self, method, tid, body):
        t = self.find_ticket(tid)
        if t is None:
            return error(404, "Couldn't find Ticket with 'id'=%s" % tid)
        if method == "GET":
            return 200, t
        if method != "PUT":
            return error(404, "No route matches [%s]" % method)
        if "group" in body:
            t["group_id"], t["group"] = lookup(GROUPS, body["group"], "group")
        if "priority" in body:
            t["priority_id"], t["priority"] = lookup(PRIORITIES, body["priority"], "priority")
        if "state" in body:
            t["state_id"], t["state"] = lookup(STATES, body["state"], "state")
        t["updated_at"] = NOW
        return 200, t

    def ticket_all(self, tid):
        """The ticket with its assets, as the agent UI loads it."""
        t = self.find_ticket(tid)
        if t is None:
            return error(404, "Couldn't find Ticket with 'id'=%s" % tid)
        arts = [a["id"] for a in self.fake.state["articles"]
                if str(a["ticket_id"]) == str(tid)]
        return 200, {
            "ticket_id": t["id"], "ticket_article_ids": arts,
            "assets": {"Ticket": {str(t["id"]): t},
                       "Group": {str(t["group_id"]): group_record(t["group_id"])}},
            "links": [], "tags": self.fake.state["tags"].get(str(tid), []),
            "mentions": [], "time_accountings": [],
        }

    def tag_remove(self, body):
        if body.get("object") != "Ticket" or not body.get("item"):
            return error(422, "Need 'object', 'o_id' and 'item'")
        tags = self.fake.state["tags"].get(str(body.get("o_id")), [])
        if body["item"] in tags:
            tags.remove(body["item"])
        return 200, True

    def tag_add(self, body):
        if body.get("object") != "Ticket" or not body.get("item"):
            return error(422, "Need 'object', 'o_id' and 'item'")
        if self.find_ticket(body.get("o_id")) is None:
            return error(404, "Couldn't find Ticket with 'id'=%s" % body.get("o_id"))
        tags = self.fake.state["tags"].setdefault(str(body["o_id"]), [])
        if body["item"] not in tags:
            tags.append(body["item"])
        return 201, True

    def articles_of(self, tid):
        if self.find_ticket(tid) is None:
            return error(404, "Couldn't find Ticket with 'id'=%s" % tid)
        return 200, [a for a in self.fake.state["articles"] if str(a["ticket_id"]) == str(tid)]

    def article_create(self, body):
        if self.find_ticket(body.get("ticket_id")) is None:
            return error(422, "Couldn't find Ticket with 'id'=%s" % body.get("ticket_id"))
        if not body.get("body"):
            return error(422, "Need at least an 'article body' field.")
        t = self.find_ticket(body["ticket_id"])
        if (body.get("type") == "email" and body.get("sender", "Agent") != "Customer"
                and GROUP_EMAIL[t["group_id"]] is None):
            if self.fake.admin:
                return 500, {"error": "No email address found for group '%s' (%d)"
                             % (GROUPS[t["group_id"]], t["group_id"])}
            code = base64.urlsafe_b64encode(os.urandom(6)).decode()
            return 500, {"error": "Error ID %s: Please contact your administrator." % code}
        article = {
            "id": self.fake.new_id(), "ticket_id": body["ticket_id"],
            "subject": body.get("subject"), "body": body["body"],
            "content_type": body.get("content_type", "text/plain"),
            "type": body.get("type", "note"), "internal": bool(body.get("internal", False)),
            "sender": body.get("sender", "Agent"), "to": body.get("to"),
            "created_by": "deskpilot-api", "created_at": NOW,
        }
        self.fake.state["articles"].append(article)
        return 201, article

    def collection(self, res, method, rest, body):
        items = self.fake.state[res]
        if not rest and method == "GET":
            return 200, [self.masked(res, i) for i in items]
        if not body.get("name"):
            return error(422, "Name can't be blank")
        if not rest and method == "POST":
            item = dict(body, id=self.fake.new_id(), created_at=NOW)
            self.before_save(res, item)
            items.append(item)
            return 201, self.masked(res, item)
        if len(rest) == 1 and method == "PUT":
            for item in items:
                if str(item["id"]) == rest[0]:
                    item.update(body)
                    self.before_save(res, item)
                    return 200, self.masked(res, item)
            return error(404, "Couldn't find %s with 'id'=%s" % (res[:-1].title(), rest[0]))
        return error(404, "No route matches [%s]" % method)

    @staticmethod
    def before_save(res, item):
        """Webhook#reset_custom_payload: no custom payload unless enabled."""
        if res == "webhooks" and not item.get("customized_payload"):
            item["custom_payload"] = None

    @staticmethod
    def masked(res, item):
        """Zammad never shows a webhook's signature token again."""
        if res == "webhooks" and item.get("signature_token"):
            return dict(item, signature_token="**********")
        return item


def main():
    ap = argparse.ArgumentParser(description="fake Zammad for tests")
    ap.add_argument("port", type=int)
    ap.add_argument("--token", default="test-token")
    ap.add_argument("--state-file")
    args = ap.parse_args()
    Handler.fake = Fake(args.token, args.state_file)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    Handler.fake.save()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
