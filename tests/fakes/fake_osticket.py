#!/usr/bin/env python3
"""A fake of the deskpilot osTicket plugin's decision route, in memory.

Usage: fake_osticket.py PORT [--api-key KEY] [--secret SECRET] [--window S]
       fake_osticket.py --check tests/data/osticket/decision_route.json

Binds 127.0.0.1:PORT (0 picks a free port); the first line on stdout is the
port actually bound. It answers the way plugin/osticket does inside a real
osTicket (lib/class.decision.php), in the same order:

  POST /api/deskpilot/decision.json
    X-API-Key wrong or missing   -> 401 text/html, osTicket's own wording
    signature / timestamp wrong  -> 401 {"error"}
    body not a JSON object       -> 400 {"error"}
    invalid fields (an installation id is required) -> 422 {"error"}
    decision (or its escalation) of this installation applied before:
      to the same ticket         -> 200 {"status":"duplicate",...}
      to another ticket          -> 422 {"status":"conflict","error",...}
    unknown ticket / number      -> 404 / 422 {"error"}
    otherwise                    -> 201 {"status":"applied","changed",...}
  Decisions are keyed by (installation, decision_id, decision|escalation).
  any other /api path            -> 400 "URL not supported" (osTicket's
                                    dispatcher), other methods likewise
--check runs the route's shared protocol steps against this fake (the
plugin's own tests run the same file against the plugin) and exits 1 on
any difference.

Test hooks (no auth):
  GET  /__state    tickets (notes, replies, priority, team, dept, vip),
                   decisions, requests = [[method, path, status], ...]
  POST /__control  {"fail_next": N, "status": 500, "reset": true,
                   "ticket": {"id": .., "number": ..}}: the next N route
                   requests fail with status; add a ticket
"""
import argparse
import hashlib
import hmac
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROUTE = "/api/deskpilot/decision.json"
OUTCOMES = ("human_vip", "human", "ai_draft", "ai_reply")
PRIORITIES = ("low", "normal", "high", "emergency")
TEAMS = ("VIP", "Level 2")
DEPTS = ("Support", "Billing", "Priority Desk")


def ticket(tid, number):
    return {"id": tid, "number": number, "priority": "Normal", "team": None,
            "agent": None, "dept": "Support", "vip": False, "notes": [],
            "replies": []}


def initial_state():
    return {"tickets": {"342": ticket(342, "604127"),
                        "343": ticket(343, "604128"),
                        "344": ticket(344, "604129")},
            "decisions": {}, "requests": [], "next_entry": 500}


class Fake:
    def __init__(self, api_key, secret, window):
        self.api_key = api_key
        self.secret = secret.encode()
        self.window = window
        self.lock = threading.Lock()
        self.state = initial_state()
        self.fail_next = 0
        self.fail_status = 500

    def check_signature(self, body, sig, ts, body_ts):
        want = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        if not sig or not sig.startswith("sha256="):
            return "missing or malformed X-Deskpilot-Signature"
        if not hmac.compare_digest(want, sig.lower()):
            return "signature does not match the body"
        if not ts or not ts.isdigit():
            return "missing or malformed X-Deskpilot-Timestamp"
        if abs(time.time() - int(ts)) > self.window:
            return "stale or replayed request"
        if body_ts is not None and str(body_ts) != ts:
            return "X-Deskpilot-Timestamp does not match the body"
        return None

    @staticmethod
    def invalid(d):
        for k in ("decision_id", "ticket_id"):
            v = d.get(k)
            if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                return "'%s' must be a positive integer" % k
        inst = d.get("installation")
        if not isinstance(inst, str) or not re.fullmatch(r"[A-Za-z0-9_-]{8,64}", inst):
            return ("'installation' must be deskpilot's installation id"
                    " (8 to 64 letters, digits, - or _)")
        if d.get("action") != "decision":
            return "'action' must be \"decision\""
        if d.get("outcome") not in OUTCOMES:
            return "'outcome' must be one of " + ", ".join(OUTCOMES)
        for k in ("note", "draft", "reply", "priority", "team", "agent",
                  "dept", "ticket_number"):
            if k in d and not isinstance(d[k], str):
                return "'%s' must be a string" % k
        for k in ("vip", "escalation"):
            if k in d and not isinstance(d[k], bool):
                return "'%s' must be a boolean" % k
        return None

    def apply(self, d, t):
        vip = d.get("vip", False) or d["outcome"] == "human_vip"
        changed, warnings = {}, []
        text = d.get("note", "").strip()
        if d.get("draft"):
            text += ("\n\n" if text else "") + \
                "Suggested reply (not sent to the customer):\n\n" + d["draft"]
        title = ("deskpilot: VIP reply overdue (decision %d)" if d.get("escalation")
                 else "deskpilot: " + d["outcome"] + " (decision %d)") % d["decision_id"]
        entry = self.state["next_entry"]
        self.state["next_entry"] += 1
        t["notes"].append({"id": entry, "title": title, "body": text,
                           "poster": "deskpilot"})
        changed["note"] = entry
        if vip:
            t["vip"] = True
            changed["vip"] = True
        if d.get("priority"):
            if d["priority"].lower() in PRIORITIES:
                t["priority"] = d["priority"].capitalize()
                changed["priority"] = d["priority"]
            else:
                warnings.append("priority '%s' not set" % d["priority"])
        if d.get("team"):
            if d["team"] in TEAMS:
                t["team"] = d["team"]
                changed["team"] = d["team"]
            else:
                warnings.append("team '%s' not assigned" % d["team"])
        if d.get("dept"):
            if d["dept"] in DEPTS:
                t["dept"] = d["dept"]
                changed["dept"] = d["dept"]
            else:
                warnings.append("department '%s' not set" % d["dept"])
        if d["outcome"] == "ai_reply" and not vip and d.get("reply"):
            entry = self.state["next_entry"]
            self.state["next_entry"] += 1
            t["replies"].append({"id": entry, "body": d["reply"]})
            changed["reply"] = entry
        return {"status": "applied", "installation": d["installation"],
                "decision_id": d["decision_id"],
                "ticket_id": d["ticket_id"], "changed": changed,
                "warnings": warnings}

    def decide(self, headers, body):
        """Returns (status, content type, body bytes)."""
        if headers.get("X-API-Key") != self.api_key:
            return (401, "text/html",
                    b"API key not found/active or source IP not authorized")
        if self.fail_next > 0:
            self.fail_next -= 1
            return (self.fail_status, "application/json",
                    b'{"error":"injected failure"}')
        sig = headers.get("X-Deskpilot-Signature")
        ts = headers.get("X-Deskpilot-Timestamp")
        why = self.check_signature(body, sig, ts, None)
        if why:
            return self.json(401, {"error": why})
        try:
            d = json.loads(body)
        except ValueError:
            d = None
        if not isinstance(d, dict):
            return self.json(400, {"error": "body is not a JSON object"})
        why = self.check_signature(body, sig, ts, d.get("timestamp", ""))
        if why:
            return self.json(401, {"error": why})
        why = self.invalid(d)
        if why:
            return self.json(422, {"error": why})
        kind = "escalation" if d.get("escalation") else "decision"
        key = "%s/%d/%s" % (d["installation"], d["decision_id"], kind)
        first = self.state["decisions"].get(key)
        if first is not None:
            if first["ticket_id"] != d["ticket_id"]:
                return self.json(422, {
                    "status": "conflict",
                    "error": "%s %d of deskpilot installation %s was applied to"
                             " ticket %d before, not to ticket %d; nothing was"
                             " changed (was deskpilot's database copied or"
                             " restored from a backup?)" % (
                                 kind, d["decision_id"], d["installation"],
                                 first["ticket_id"], d["ticket_id"]),
                    "installation": d["installation"],
                    "decision_id": d["decision_id"],
                    "ticket_id": first["ticket_id"]})
            return self.json(200, {"status": "duplicate",
                                   "installation": d["installation"],
                                   "decision_id": d["decision_id"],
                                   "ticket_id": d["ticket_id"],
                                   "changed": {}, "first": first})
        t = self.state["tickets"].get(str(d["ticket_id"]))
        if t is None:
            return self.json(404, {"error": "no ticket %d" % d["ticket_id"]})
        if "ticket_number" in d and d["ticket_number"] != t["number"]:
            return self.json(422, {"error": "ticket %d has number %s, not %s" % (
                d["ticket_id"], t["number"], d["ticket_number"])})
        result = self.apply(d, t)
        self.state["decisions"][key] = result
        return self.json(201, result)

    @staticmethod
    def json(status, obj):
        return (status, "application/json",
                json.dumps(obj, ensure_ascii=False).encode())


def make_handler(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            sys.stderr.write("fake_osticket: " + (fmt % args) + "\n")

        def send(self, status, ctype, body):
            self.send_response(status)
            self.send_header("Content-Type", ctype + "; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n > 0 else b""

        def do_GET(self):
            if self.path == "/__state":
                with fake.lock:
                    out = json.dumps(fake.state, ensure_ascii=False).encode()
                return self.send(200, "application/json", out)
            self.body()
            self.send(400, "text/html", b"URL not supported")

        def do_POST(self):
            body = self.body()
            if self.path == "/__control":
                c = json.loads(body or b"{}")
                with fake.lock:
                    if c.get("reset"):
                        fake.state = initial_state()
                        fake.fail_next = 0
                    if "fail_next" in c:
                        fake.fail_next = int(c["fail_next"])
                        fake.fail_status = int(c.get("status", 500))
                    if "ticket" in c:
                        t = c["ticket"]
                        fake.state["tickets"][str(t["id"])] = ticket(
                            int(t["id"]), str(t["number"]))
                return self.send(200, "application/json", b"{}")
            with fake.lock:
                if self.path == ROUTE:
                    status, ctype, out = fake.decide(self.headers, body)
                else:
                    status, ctype, out = 400, "text/html", b"URL not supported"
                fake.state["requests"].append(["POST", self.path, status])
            self.send(status, ctype, out)

    return Handler


def check(path, api_key, secret):
    """Run the shared protocol steps; print TAP, return the exit status."""
    with open(path, encoding="utf-8") as f:
        steps = json.load(f)["steps"]
    fake = Fake(api_key, secret, 300)
    failed = 0
    for n, step in enumerate(steps, 1):
        now = int(time.time())
        if "raw" in step:
            body = step["raw"].encode()
        else:
            body = json.dumps(dict(step["request"], timestamp=now)).encode()
        sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {"X-API-Key": api_key, "X-Deskpilot-Timestamp": str(now),
                   "X-Deskpilot-Signature": sig if step.get("sign", True) else "sha256=00"}
        status, _, out = fake.decide(headers, body)
        answer = json.loads(out)
        got = (status, {k: answer.get(k) for k in step["answer"]})
        want = (step["status"], step["answer"])
        if got != want:
            failed += 1
            print("not ok %d - %s\n# got:  %r\n# want: %r" % (n, step["what"], got, want))
        else:
            print("ok %d - %s" % (n, step["what"]))
    print("1..%d" % len(steps))
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int, nargs="?", default=0)
    ap.add_argument("--api-key", default="0123456789ABCDEF0123456789ABCDEF")
    ap.add_argument("--secret", default="s3cret-shared-with-the-plugin")
    ap.add_argument("--window", type=int, default=300)
    ap.add_argument("--check", metavar="FILE")
    a = ap.parse_args()
    if a.check:
        sys.exit(check(a.check, a.api_key, a.secret))
    fake = Fake(a.api_key, a.secret, a.window)
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), make_handler(fake))
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
