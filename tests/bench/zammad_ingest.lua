-- zammad_ingest.lua - wrk script: POST /hooks/zammad with signed Zammad
-- webhooks, each a new article (new article id and delivery id, two per
-- ticket), so every request is verified, parsed and committed, never a
-- duplicate.
--
-- Environment: BENCH_BODY (the payload file), BENCH_SECRET (the HMAC-SHA1
-- key of [zammad] webhook_secret), BENCH_PACE_MS (when above 0, each
-- connection waits that long before its next request). The same script drives the trivial
-- responder, so the client does identical work in both runs.
local bit = require("bit")
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local lshift, rshift, rol, tobit = bit.lshift, bit.rshift, bit.rol, bit.tobit

local function be32(x)
   return string.char(band(rshift(x, 24), 255), band(rshift(x, 16), 255),
                      band(rshift(x, 8), 255), band(x, 255))
end

local function sha1(msg)
   local h0, h1, h2, h3, h4 =
      tobit(0x67452301), tobit(0xEFCDAB89), tobit(0x98BADCFE),
      tobit(0x10325476), tobit(0xC3D2E1F0)
   local ml = #msg
   msg = msg .. "\128" .. string.rep("\0", (55 - ml) % 64) ..
      "\0\0\0\0" .. be32(ml * 8)
   local w = {}
   for chunk = 1, #msg, 64 do
      for i = 0, 15 do
         local a, b, c, d = msg:byte(chunk + i * 4, chunk + i * 4 + 3)
         w[i] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
      end
      for i = 16, 79 do
         w[i] = rol(bxor(w[i - 3], w[i - 8], w[i - 14], w[i - 16]), 1)
      end
      local a, b, c, d, e = h0, h1, h2, h3, h4
      for i = 0, 79 do
         local f, k
         if i < 20 then
            f = bor(band(b, c), band(bnot(b), d)); k = 0x5A827999
         elseif i < 40 then
            f = bxor(b, c, d); k = 0x6ED9EBA1
         elseif i < 60 then
            f = bor(band(b, c), band(b, d), band(c, d)); k = 0x8F1BBCDC
         else
            f = bxor(b, c, d); k = 0xCA62C1D6
         end
         local t = tobit(rol(a, 5) + f + e + k + w[i])
         e, d, c, b, a = d, c, rol(b, 30), a, t
      end
      h0, h1, h2, h3, h4 = tobit(h0 + a), tobit(h1 + b), tobit(h2 + c),
         tobit(h3 + d), tobit(h4 + e)
   end
   return be32(h0) .. be32(h1) .. be32(h2) .. be32(h3) .. be32(h4)
end

local function hmac_sha1_hex(key, msg)
   key = key .. string.rep("\0", 64 - #key)
   local ipad, opad = {}, {}
   for i = 1, 64 do
      local k = key:byte(i)
      ipad[i] = string.char(bxor(k, 0x36))
      opad[i] = string.char(bxor(k, 0x5c))
   end
   local inner = sha1(table.concat(ipad) .. msg)
   local digest = sha1(table.concat(opad) .. inner)
   return (digest:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

local secret = os.getenv("BENCH_SECRET") or "bench-secret"
local template
do
   local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
   local body = f:read("*a")
   f:close()
   -- The article's own id is the one followed by "in_reply_to"; the
   -- ticket's the one followed by "last_contact_agent_at".
   local n1, n2, n3
   template, n1 = body:gsub('"id":104,"in_reply_to"', '"id":@ARTICLE@,"in_reply_to"')
   template, n2 = template:gsub('"id":81,"last_contact_agent_at"', '"id":@TICKET@,"last_contact_agent_at"')
   template, n3 = template:gsub('"ticket_id":81', '"ticket_id":@TICKET@')
   assert(n1 == 1 and n2 == 1 and n3 == 1, "payload does not have the expected ids")
end

local threads = {}
function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

local counter = 0
function request()
   counter = counter + 1
   -- Unique across threads and runs: thread id, then a per-thread count.
   local id = tid * 100000000 + counter
   -- Two customer messages per ticket, as in a helpdesk: a question and
   -- a follow-up (a ticket's messages are decided in order).
   local ticket = tid * 100000000 + math.floor((counter + 1) / 2)
   local body = template:gsub("@ARTICLE@", tostring(id)):gsub("@TICKET@", tostring(ticket))
   return wrk.format("POST", "/hooks/zammad", {
      ["Content-Type"] = "application/json; charset=utf-8",
      ["X-Hub-Signature"] = "sha1=" .. hmac_sha1_hex(secret, body),
      ["X-Zammad-Delivery"] = string.format("bench-%d-%d", os.time(), id),
   }, body)
end

local pace_ms = tonumber(os.getenv("BENCH_PACE_MS") or "0")
if pace_ms > 0 then
   function delay()
      return pace_ms
   end
end

function done(summary, latency, requests)
   io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f requests=%d non2xx=%d errors=%d\n",
      summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      latency:percentile(99.9) / 1000,
      summary.requests, summary.errors.status,
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
