#!/usr/bin/env python3
"""fake_llm.py - an OpenAI-compatible chat completions server for tests.

POST /v1/chat/completions answers like OpenAI, Ollama or vLLM do: a
chat.completion object whose message content is the JSON the drafter asks
for, with a "usage" block (tokens estimated as words and punctuation).
By default the reply quotes the first knowledge-base passage in the prompt
("[kb:ID] title" lines) and cites its id, which is a valid answer. A
second-opinion request (its system prompt asks "which one of these
intents", listed as "- name" lines) is answered with the first intent
listed and needs_person false.

Behaviour is switchable by flags at start and at run time through
POST /__control with a JSON object of the same names:
  mode        ok | 429 | 500 | hang | malformed | not_json | no_cite |
              invent_id | promise | link | leak (drafts);
              disagree | wants_person | bad_verdict (second opinions:
              "none", needs_person true, a verdict without needs_person;
              drafts are answered as in ok)
  latency     seconds to wait before every answer (float)
  fail_times  how many requests get the failure of mode 429/500 before
              answers turn ok (-1: always)
  retry_after value of the Retry-After header with 429 ("" for none)
  reset       true: zero the counters of /__stats
GET /__stats returns {"requests", "completions", "checks",
"max_in_flight", "last_auth", "last_request", "last_check"}.

Binds 127.0.0.1 only. With --port 0 the chosen port is printed as the
first line on stdout. Requires "Authorization: Bearer KEY" when --key is
given (401 otherwise).
"""
import argparse
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.mode = args.mode
        self.latency = args.latency
        self.fail_times = args.fail_times
        self.retry_after = args.retry_after
        self.key = args.key
        self.requests = 0
        self.completions = 0
        self.checks = 0
        self.last_check = None
        self.in_flight = 0
        self.max_in_flight = 0
        self.failed = 0
        self.last_auth = ""
        self.last_request = None
        self.stop = threading.Event()

    def control(self, obj):
        with self.lock:
            for name in ("mode", "latency", "fail_times", "retry_after"):
                if name in obj:
                    setattr(self, name, obj[name])
            self.failed = 0
            if obj.get("reset"):
                self.requests = self.completions = self.max_in_flight = 0
                self.checks = 0


def tokens(text):
    return len(re.findall(r"\w+|[^\w\s]", text))


def is_check(system):
    return "which one of these intents" in system


def verdict_for(mode, system):
    names = re.findall(r"^- (.+)$", system, re.M)
    if mode == "disagree":
        return {"intent": "none", "needs_person": True,
                "why": "not one of these intents"}
    if mode == "wants_person":
        return {"intent": names[0] if names else "none", "needs_person": True,
                "why": "the customer sounds upset"}
    if mode == "bad_verdict":
        return {"intent": names[0] if names else "none"}
    return {"intent": names[0] if names else "none", "needs_person": False,
            "why": "a routine question"}


def reply_for(mode, system, user):
    m = re.search(r"\[kb:(\d+)\] ([^\n]*)\n(.*?)(?=\n\[kb:|\Z)", system, re.S)
    if not m:
        return {"reply": "", "kb_ids": []}
    kb_id, body = int(m.group(1)), m.group(3).strip()
    reply = "Thank you for getting in touch. " + body
    ids = [kb_id]
    if mode == "no_cite":
        ids = []
    elif mode == "invent_id":
        ids = [999999]
    elif mode == "promise":
        reply += " We will refund you in full and add a 20% discount."
    elif mode == "link":
        reply += " Please log in at https://login.evil.example/reset to continue."
    elif mode == "leak":
        reply = "My instructions are: " + system
    return {"reply": reply, "kb_ids": ids}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-llm/1"

    def log_message(self, fmt, *args):  # quiet: tests read stdout
        pass

    counted = False  # this request is in the in-flight count

    def uncount(self):
        # Leave the in-flight count before the answer is on the wire: the
        # client may start its next call as soon as it has read it.
        if self.counted:
            st = self.server.state
            with st.lock:
                st.in_flight -= 1
            self.counted = False

    def send(self, status, body, headers=()):
        self.uncount()
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > MAX_BODY:
            return None
        return self.rfile.read(n)

    def do_GET(self):
        st = self.server.state
        if self.path == "/__stats":
            with st.lock:
                self.send(200, {"requests": st.requests,
                                "completions": st.completions,
                                "checks": st.checks,
                                "last_check": st.last_check,
                                "max_in_flight": st.max_in_flight,
                                "last_auth": st.last_auth,
                                "last_request": st.last_request})
        else:
            self.send(404, {"error": "not found"})

    def do_POST(self):
        st = self.server.state
        raw = self.read_body()
        if raw is None:
            self.send(413, {"error": "too big"})
            return
        if self.path == "/__control":
            st.control(json.loads(raw or b"{}"))
            self.send(200, {"ok": True})
            return
        if self.path != "/v1/chat/completions":
            self.send(404, {"error": "not found"})
            return
        with st.lock:
            st.requests += 1
            st.in_flight += 1
            self.counted = True
            st.max_in_flight = max(st.max_in_flight, st.in_flight)
            st.last_auth = self.headers.get("Authorization", "")
            mode, latency = st.mode, st.latency
            failing = mode in ("429", "500") and (
                st.fail_times < 0 or st.failed < st.fail_times)
            if failing:
                st.failed += 1
            retry_after = st.retry_after
        try:
            self.answer(st, raw, mode, latency, failing, retry_after)
        finally:
            self.uncount()

    def answer(self, st, raw, mode, latency, failing, retry_after):
        if latency:
            st.stop.wait(latency)
        if st.key and self.headers.get("Authorization") != "Bearer " + st.key:
            self.send(401, {"error": {"message": "invalid api key"}})
            return
        try:
            req = json.loads(raw)
            msgs = req["messages"]
            system = next(m["content"] for m in msgs if m["role"] == "system")
            user = next(m["content"] for m in msgs if m["role"] == "user")
        except (ValueError, KeyError, StopIteration, TypeError):
            self.send(400, {"error": {"message": "bad request"}})
            return
        check = is_check(system)
        with st.lock:
            if check:
                st.last_check = req
            else:
                st.last_request = req
        if failing and mode == "429":
            headers = [("Retry-After", str(retry_after))] if retry_after != "" else []
            self.send(429, {"error": {"message": "rate limited"}}, headers)
            return
        if failing and mode == "500":
            self.send(500, {"error": {"message": "model crashed"}})
            return
        if mode == "hang":
            # The client gives up long before this ends; a request it has
            # abandoned no longer counts as in flight.
            self.uncount()
            st.stop.wait(60)
            return
        if mode == "malformed":
            self.send(200, b'{"id": "x", "choices": [{"message": ')
            return
        if check:
            answer = verdict_for(mode, system)
        else:
            answer = reply_for(mode, system, user)
        content = "this is not json" if mode == "not_json" else json.dumps(answer)
        with st.lock:
            st.completions += 1
            st.checks += check
        self.send(200, {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": req.get("model", "fake"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": tokens(system) + tokens(user),
                      "completion_tokens": tokens(content),
                      "total_tokens": tokens(system) + tokens(user) + tokens(content)},
        })


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--key", default="")
    ap.add_argument("--mode", default="ok")
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--fail-times", type=int, default=-1)
    ap.add_argument("--retry-after", default="1")
    args = ap.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    server.state = State(args)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.state.stop.set()
        server.server_close()


if __name__ == "__main__":
    main()
