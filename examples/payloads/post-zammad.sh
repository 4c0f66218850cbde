#!/bin/sh
# Post a Zammad-style webhook to deskpilot, signed like Zammad signs it
# (X-Hub-Signature: sha1=HMAC-SHA1 of the exact body with the webhook's
# secret), to try an install end to end:
#
#     SECRET=... ./post-zammad.sh zammad-customer-email.json http://127.0.0.1:8080
#
# Each run uses a new delivery id; the same payload twice is still
# recognised as a duplicate by its ticket and article ids.
set -eu
BODY=${1:?usage: post-zammad.sh FILE.json [BASE_URL]}
BASE=${2:-http://127.0.0.1:8080}
SECRET=${SECRET:?set SECRET to [zammad] webhook_secret}

sig=$(openssl dgst -sha1 -hmac "$SECRET" -r "$BODY" | cut -d' ' -f1)
curl -sS -i -X POST "$BASE/hooks/zammad" \
	-H 'Content-Type: application/json; charset=utf-8' \
	-H "X-Hub-Signature: sha1=$sig" \
	-H "X-Zammad-Delivery: $(cat /proc/sys/kernel/random/uuid)" \
	--data-binary "@$BODY"
echo
