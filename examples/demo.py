#!/usr/bin/env python3
"""Send deskpilot a handful of demo customer messages, the way Zammad does.

Usage: demo.py BASE_URL SECRET

Each message is the example Zammad webhook (payloads/zammad-customer-email.json)
with another ticket, customer and text, signed with HMAC-SHA1 like Zammad
signs it, and posted to BASE_URL/hooks/zammad. Prints one line per message
with deskpilot's answer. Standard library only.
"""
import hashlib
import hmac
import json
import os
import sys
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))

# (ticket id, customer e-mail, VIP, text)
MESSAGES = [
    (9001, "ana@shop-customer.example", False,
     "Hi, where is my order? I ordered last week and the tracking page shows nothing."),
    (9002, "board@bigcorp.example", True,
     "Please send me a copy of last month's invoice."),
    (9003, "lee@shop-customer.example", False,
     "I have tried three times now. I want to speak to a real person, not a bot."),
    (9004, "max@shop-customer.example", False,
     "This is the worst service ever, you are useless and I am furious."),
    (9005, "kim@shop-customer.example", False,
     "My lawyer will contact you about the damaged goods if this is not fixed."),
    (9006, "sam@shop-customer.example", False,
     "How do I reset my password? The reset link has expired."),
    (9007, "jo@shop-customer.example", False,
     "Can you recommend a good recipe for a chocolate cake?"),
    (9008, "pat@shop-customer.example", False,
     "Someone hacked my account and placed orders with my card."),
    (9009, "noor@shop-customer.example", False,
     "Hello,\n\nhow long does delivery to Ireland usually take? I'd like to "
     "order a few birthday presents.\n\nThanks in advance,\nNoor Haddad\n"
     "Sent from my iPhone"),
    (9010, "ari@shop-customer.example", False,
     "I lost my wallet on the train yesterday and my card was in it. It is saved "
     "in my account with you."),
]


def event(template, ticket, email, vip, text):
    t = json.loads(json.dumps(template))
    name = email.split("@")[0].title()
    t["ticket"].update(id=ticket, number=str(20000 + ticket), title=text[:40])
    t["ticket"]["customer"].update(email=email, login=email, firstname=name,
                                   lastname="Demo", vip=vip)
    t["ticket"]["organization"]["vip"] = vip
    t["article"].update(id=ticket * 10, ticket_id=ticket, body=text,
                        content_type="text/plain", subject=text[:40],
                        **{"from": "%s Demo <%s>" % (name, email)})
    return json.dumps(t, separators=(",", ":")).encode()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: demo.py BASE_URL SECRET")
    base, secret = sys.argv[1].rstrip("/"), sys.argv[2].encode()
    with open(os.path.join(HERE, "payloads", "zammad-customer-email.json")) as f:
        template = json.load(f)
    for ticket, email, vip, text in MESSAGES:
        body = event(template, ticket, email, vip, text)
        sig = hmac.new(secret, body, hashlib.sha1).hexdigest()
        req = urllib.request.Request(base + "/hooks/zammad", data=body, headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Hub-Signature": "sha1=" + sig,
            "X-Zammad-Delivery": str(uuid.uuid4())})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, answer = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, answer = e.code, e.read().decode()
        print("%d %s%s: %s" % (status, email, " (VIP)" if vip else "",
                                text[:60]))
        if status >= 300:
            print("   " + answer.strip())


if __name__ == "__main__":
    main()
