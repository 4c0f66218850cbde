<?php
/*
 * test_plugin.php - the osTicket plugin's own logic against the stand-ins
 * in stubs/: settings, signing, the event payload (byte for byte against
 * tests/data/osticket/plugin_event.{json,xml}, which the C connector's
 * tests parse), delivery with queueing and cron resend, what an admin is
 * told and where (system log, the instance's page), the loop guard, the
 * bootstrap, decision application keyed by installation and decision id,
 * the decision route's protocol steps shared with the fake
 * (tests/data/osticket/decision_route.json), and the instance form taken
 * through osTicket's own way of building, posting and storing it
 * (stubs/forms.php): one save of "Add New Instance" keeps what it shows.
 *
 * Prints TAP. Usage: php test_plugin.php SRCDIR
 * (DP_UPDATE_GOLDEN=1 rewrites the golden payload files.)
 */
error_reporting(E_ALL);
date_default_timezone_set('UTC');
$src = $argv[1] ?? dirname(__DIR__, 2);
define('INCLUDE_DIR', __DIR__ . '/stubs/');
require_once $src . '/plugin/osticket/deskpilot.php';
require_once $src . '/plugin/osticket/api.deskpilot.php';

$n = 0;
$failed = 0;
function ok($cond, $what) {
    global $n, $failed;
    $n++;
    if (!$cond)
        $failed++;
    echo ($cond ? 'ok' : 'not ok') . " $n - $what\n";
}
function is_same($got, $want, $what) {
    ok($got === $want, $what);
    if ($got !== $want)
        echo '# got:  ' . var_export($got, true) . "\n# want: "
            . var_export($want, true) . "\n";
}

const SECRET = 's3cret-shared-with-the-plugin';

function settings(array $over = array()) {
    $v = $over + array('url' => 'http://127.0.0.1:8080/hooks/osticket',
        'secret' => SECRET, 'vip_field' => 'vip');
    return DeskpilotSettings::from(function ($k) use ($v) {
        return $v[$k] ?? null;
    });
}

/* Fake transport: answers from a list, records requests. */
class FakeTransport {
    var $answers, $requests = array();
    function __construct(array $answers) { $this->answers = $answers; }
    function post($url, array $headers, $body, $ct, $t) {
        $this->requests[] = array('url' => $url, 'headers' => $headers,
            'body' => $body, 'timeouts' => array($ct, $t));
        return array_shift($this->answers)
            ?? array('status' => 0, 'body' => '', 'error' => 'no answer');
    }
}

/* In-memory twin of DeskpilotDbStore. */
class MemStore {
    var $outbox = array(), $decisions = array(), $nextId = 1;
    function queue($did, $payload, $error, $nextAt, $now) {
        foreach ($this->outbox as $r)
            if ($r['delivery_id'] === $did)
                return true;
        $this->outbox[$this->nextId] = array('id' => $this->nextId++,
            'delivery_id' => $did, 'payload' => $payload, 'attempts' => 0,
            'next_at' => $nextAt, 'last_error' => $error, 'created' => $now);
        return true;
    }
    function due($now, $limit) {
        return array_slice(array_values(array_filter($this->outbox,
            function ($r) use ($now) { return $r['next_at'] <= $now; })),
            0, $limit);
    }
    function sent($id) { unset($this->outbox[$id]); }
    function failed($id, $error, $nextAt) {
        $this->outbox[$id]['attempts']++;
        $this->outbox[$id]['next_at'] = $nextAt;
        $this->outbox[$id]['last_error'] = $error;
    }
    function outboxSummary() {
        if (!$this->outbox)
            return array(0, 0, '');
        $first = reset($this->outbox);
        return array(count($this->outbox), $first['created'] ?? 0,
            $first['last_error']);
    }
    function applied($inst, $id, $kind) {
        return $this->decisions["$inst/$id/$kind"] ?? null;
    }
    function recordApplied($inst, $id, $kind, $ticket, array $result, $now) {
        $this->decisions["$inst/$id/$kind"] = array('ticket_id' => $ticket,
            'result' => json_decode(json_encode($result), true));
    }
    var $status = array(), $fields = array('deskpilot_vip' => array('T'),
        'vip' => array('O')), $teams = 1;
    function status($topic) { return $this->status[$topic] ?? null; }
    function statuses() { ksort($this->status); return $this->status; }
    function putStatus(array $r) { $this->status[$r['topic']] = $r; }
    function formTypesWithField($name) { return $this->fields[$name] ?? array(); }
    function enabledTeams() { return $this->teams; }
}

/* The system log lines written since the last call. */
function log_lines() {
    global $ost;
    $l = $ost->lines;
    $ost->lines = array();
    return $l;
}

function header_of(array $headers, $name) {
    foreach ($headers as $h)
        if (stripos($h, "$name:") === 0)
            return trim(substr($h, strlen($name) + 1));
    return null;
}

/* ---- settings ----------------------------------------------------------- */
$s = DeskpilotSettings::from(function ($k) {
    return array('format' => array('xml' => 'XML'), 'timeout' => '7',
        'connect_timeout' => '0', 'send_responses' => 0, 'url' => ' http://x/ ')[$k] ?? null;
});
is_same($s['format'], 'xml', 'settings: a choice field gives its key');
is_same($s['timeout'], 7, 'settings: numbers become integers');
is_same($s['connect_timeout'], 1, 'settings: timeouts are at least 1 s');
is_same($s['send_responses'], false, 'settings: booleans');
is_same($s['send_messages'], true, 'settings: defaults fill the rest');
is_same($s['url'], 'http://x/', 'settings: text is trimmed');
is_same($s['poster'], 'deskpilot', 'settings: default poster');

/* ---- signing ------------------------------------------------------------ */
// The same vector the service computes (HMAC-SHA256, hex).
is_same(DeskpilotSignature::sign('{"a":1}', 'key'),
    'sha256=' . hash_hmac('sha256', '{"a":1}', 'key'), 'sign: sha256= and hex');
is_same(DeskpilotSignature::sign('hello', 'secret'),
    'sha256=88aab3ede8d3adf94d26ab90d3bafd4a2083070c3bcce9c014ee04a443847c0b',
    'sign: known HMAC-SHA256 vector');
$b = '{"timestamp":1000}';
$sig = DeskpilotSignature::sign($b, SECRET);
is_same(DeskpilotSignature::check($b, $sig, '1000', 1000, SECRET, 1100, 300),
    null, 'check: good signature inside the window');
is_same(DeskpilotSignature::check($b . ' ', $sig, '1000', 1000, SECRET, 1100, 300),
    'signature does not match the body', 'check: one byte more is refused');
is_same(DeskpilotSignature::check($b, $sig, '1000', 1000, SECRET, 1301, 300),
    'stale or replayed request', 'check: outside the window');
is_same(DeskpilotSignature::check($b, $sig, '1001', 1000, SECRET, 1000, 300),
    'X-Deskpilot-Timestamp does not match the body', 'check: header and body differ');
is_same(DeskpilotSignature::check($b, null, '1000', 1000, SECRET, 1000, 300),
    'missing or malformed X-Deskpilot-Signature', 'check: no signature');
is_same(DeskpilotSignature::check($b, $sig, '1000', 1000, '', 1000, 300),
    'no shared secret is configured', 'check: no secret, nothing passes');

/* ---- payload ------------------------------------------------------------ */
$org = new Person(9, 'Müller & Söhne GmbH', array('vip' => false));
$user = new User(57, 'Jürgen Weiß', array('vip' => ''), $org);
$ticket = new Ticket(342, '604127', $user);
$html = '<div dir="ltr"><p>Guten Tag,</p><p>meine Bestellung <b>#88412</b> ist '
    . 'immer noch nicht da &amp; bewegt sich nicht.</p><p>Können Sie nachsehen? 🙏</p></div>';
$entry = new ThreadEntry(1187, 'M', 'Jürgen Weiß', new HtmlThreadEntryBody($html), $ticket);
$f = DeskpilotPayload::fields($entry, $ticket, settings(),
    '0f8b6c0e-4b1d-4f7e-9d2a-6a41c2f0b8d1', 1732550400);
is_same($f['created'], '2024-11-25T16:00:00Z', 'payload: created in UTC ISO-8601');
is_same($f['message']['type'], 'text/html', 'payload: HTML body keeps its type');
is_same(array($f['user_vip'], $f['org_vip']), array(false, false), 'payload: no VIP');
foreach (array('json', 'xml') as $fmt) {
    list($body, $ct) = DeskpilotPayload::encode($f, $fmt);
    $golden = "$src/tests/data/osticket/plugin_event.$fmt";
    if (getenv('DP_UPDATE_GOLDEN'))
        file_put_contents($golden, $body);
    is_same($body, (string) @file_get_contents($golden),
        "payload: $fmt is byte for byte tests/data/osticket/plugin_event.$fmt");
}
is_same(DeskpilotPayload::encode($f, 'xml')[1], 'application/xml; charset=utf-8',
    'payload: XML content type');

$org->vars['vip'] = true;
$user->vars['vip'] = 'gold';
$f2 = DeskpilotPayload::fields($entry, $ticket, settings(), 'd', 1);
is_same(array($f2['user_vip'], $f2['org_vip']), array(true, true),
    'payload: VIP from a checked box and from a non-empty value');
$f3 = DeskpilotPayload::fields($entry, $ticket, settings(array('vip_field' => '')), 'd', 1);
is_same(array($f3['user_vip'], $f3['org_vip']), array(false, false),
    'payload: no VIP field configured, no VIP');
is_same(DeskpilotPayload::vip(new Person(1, 'x', array('vip' => 'No')), 'vip'), false,
    'payload: "No" is not VIP');

$evil = "a]]><script>alert(1)</script>\x01\x0b b \xff\xfe <x y='1'>";
$x = DeskpilotPayload::toXml(array('subject' => $evil,
    'message' => array('type' => 'text/plain', 'body' => $evil)));
ok(strpos($x, '<script>') === false && strpos($x, ']]>') === false,
    'payload: markup in values is escaped');
ok(!preg_match('/[\x00-\x08\x0B\x0C\x0E-\x1F]/', $x), 'payload: no control characters');
ok(preg_match('//u', $x) === 1, 'payload: XML is valid UTF-8 (bad bytes substituted)');
is_same(DeskpilotPayload::cut("ab\u{1F64F}", 4), 'ab', 'payload: cut on a character boundary');
is_same(DeskpilotPayload::cut("abé", 4), "abé", 'payload: a whole character at the cut stays');

/* ---- delivery ----------------------------------------------------------- */
$t = new FakeTransport(array(array('status' => 202, 'body' => '{}', 'error' => '')));
$store = new MemStore();
$out = new DeskpilotOutbound(settings(array('format' => 'xml')), $t, $store);
ok($out->send($f, 5000), 'send: accepted on 202');
$r = $t->requests[0];
is_same($r['url'], 'http://127.0.0.1:8080/hooks/osticket', 'send: to the hook URL');
is_same($r['timeouts'], array(2, 3), 'send: 2 s connect, 3 s total by default');
is_same(header_of($r['headers'], 'Content-Type'), 'application/xml; charset=utf-8', 'send: XML content type');
is_same(header_of($r['headers'], 'X-Deskpilot-Timestamp'), '5000', 'send: timestamp header');
is_same(DeskpilotSignature::check($r['body'], header_of($r['headers'], 'X-Deskpilot-Signature'),
    '5000', null, SECRET, 5000, 300), null, 'send: signature over the exact body');
ok(strpos($r['body'], '<timestamp>5000</timestamp>') !== false, 'send: body carries the same timestamp');
is_same(count($store->outbox), 0, 'send: nothing queued on success');

$t = new FakeTransport(array(
    array('status' => 0, 'body' => '', 'error' => 'Connection refused'),
    array('status' => 503, 'body' => '{"error":"unavailable"}', 'error' => ''),
    array('status' => 202, 'body' => '{}', 'error' => '')));
$out = new DeskpilotOutbound(settings(), $t, $store);
ok(!$out->send($f, 6000), 'send: failure reported');
$row = reset($store->outbox);
is_same($row['delivery_id'], '0f8b6c0e-4b1d-4f7e-9d2a-6a41c2f0b8d1', 'queue: keeps the delivery id');
is_same($row['last_error'], 'deskpilot unreachable: Connection refused', 'queue: records why');
is_same($out->drain(6030), array(0, 0, 0), 'cron: nothing due before next_at');
is_same($out->drain(6060), array(0, 1, 0), 'cron: a 503 stays queued');
$row = reset($store->outbox);
is_same(array($row['attempts'], $row['next_at']), array(1, 6060 + 120), 'cron: backoff doubles');
is_same($row['last_error'], 'deskpilot answered 503: {"error":"unavailable"}', 'cron: answer recorded');
is_same($out->drain(6180), array(1, 0, 0), 'cron: delivered on the next run');
is_same(count($store->outbox), 0, 'cron: delivered events leave the table');
$last = json_decode(end($t->requests)['body'], true);
is_same(array($last['timestamp'], $last['delivery_id']),
    array(6180, '0f8b6c0e-4b1d-4f7e-9d2a-6a41c2f0b8d1'),
    'cron: resend has a fresh timestamp and the same delivery id');
ok(preg_match('/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/',
    DeskpilotOutbound::newDeliveryId()) === 1, 'delivery ids are UUIDv4');

/* ---- delivery problems, where an admin reads them ----------------------- */
$store = new MemStore();
log_lines();
$t = new FakeTransport(array(
    array('status' => 0, 'body' => '', 'error' => 'Failed to connect to 127.0.0.1 port 8182 after 1 ms'),
    array('status' => 0, 'body' => '', 'error' => 'Failed to connect to 127.0.0.1 port 8182 after 3 ms'),
    array('status' => 401, 'body' => '{"error":"signature does not match the body"}', 'error' => ''),
    array('status' => 202, 'body' => '{}', 'error' => ''),
    array('status' => 0, 'body' => '', 'error' => 'Connection refused')));
$out = new DeskpilotOutbound(settings(), $t, $store);
$out->send(array('delivery_id' => 'd1') + $f, 8000);
is_same(log_lines(), array(array('Warning', 'deskpilot plugin', 'An event for ticket #604127'
    . ' was not delivered and waits for a resend by cron (not before 60 s): deskpilot'
    . ' unreachable: Failed to connect to 127.0.0.1 port 8182 after 1 ms', false)),
    'delivery: deskpilot unreachable is a warning in the system log');
is_same($store->outbox[1]['next_at'], 8060, 'delivery: the first resend is due 60 s later');
$out->send(array('delivery_id' => 'd2') + $f, 8010);
is_same(log_lines(), array(), 'delivery: still unreachable, not logged again within the hour');
is_same(array($store->status['delivery']['count'], $store->status['delivery']['since']),
    array(2, 8000), 'delivery: the status counts it, since the first failure');
$out->send(array('delivery_id' => 'd3') + $f, 8020);
is_same(array_map(function ($l) { return array($l[0], $l[2]); }, log_lines()), array(array('Error',
    'An event for ticket #604127 was not delivered and waits for a resend by cron (not before'
    . ' 60 s): deskpilot answered 401: {"error":"signature does not match the body"}')),
    'delivery: deskpilot refusing is an error in the system log, at once');
$out->send(array('delivery_id' => 'd4') + $f, 8030);
is_same(array($store->status['delivery']['level'], $store->status['delivery']['message']),
    array('ok', 'last event delivered: ticket #604127'), 'delivery: a success clears the status');
$out->send(array('delivery_id' => 'd5') + $f, 8000 + 3600);
is_same(count(log_lines()), 1, 'delivery: unreachable again an hour later is logged again');
foreach ($store->outbox as &$row) {
    $row['attempts'] = DeskpilotOutbound::MAX_ATTEMPTS - 1;
    $row['next_at'] = 0;
}
unset($row);
$t->answers = array_fill(0, 10, array('status' => 503, 'body' => 'busy', 'error' => ''));
is_same($out->drain(20000), array(0, 0, 4), 'cron: events past the last attempt are dropped');
$l = log_lines();
is_same(array(count($l), $l[0][0], $l[0][2]), array(1, 'Error', 'An event for ticket #604127'
    . ' was dropped after 40 attempts: deskpilot answered 503: busy'),
    'cron: a dropped event is an error in the system log');

/* ---- bootstrap, loop guard, events out ----------------------------------- */
/* An instance's config as osTicket reads it back from its stored rows. */
function stored_config($ns, array $rows) {
    Config::$table[$ns] = $rows;
    return new DeskpilotConfig($ns);
}
$p1 = new DeskpilotPlugin();
$p1->config = stored_config('plugin.1.instance.1', array(
    'url' => 'http://127.0.0.1:8080/hooks/osticket',
    'secret' => 'enc:' . SECRET, 'format' => '{"json":"JSON"}'));
$p2 = new DeskpilotPlugin();
$p2->config = stored_config('plugin.1.instance.2', array(
    'url' => 'http://other/', 'secret' => 'enc:x'));
$p1->bootstrap();
$p2->bootstrap();
is_same(count(Signal::$handlers['threadentry.created']), 1, 'bootstrap: signals connected once for two instances');
is_same(DeskpilotPlugin::$settings['url'], 'http://127.0.0.1:8080/hooks/osticket', 'bootstrap: first instance wins');
$d = new Dispatcher();
Signal::send('api', $d);
is_same($d->urls, array(array('POST', '^/deskpilot/decision\.(?P<format>json)$',
    array('DeskpilotApiController', 'decision'))), 'api: the decision route');

DeskpilotPlugin::$transport = $t = new FakeTransport(array_fill(0, 10,
    array('status' => 202, 'body' => '{}', 'error' => '')));
DeskpilotPlugin::$store = new MemStore();
Signal::send('threadentry.created', $entry);
is_same(count($t->requests), 1, 'event: a customer message is sent');
is_same(json_decode($t->requests[0]['body'], true)['entry_id'], 1187, 'event: for that entry');
Signal::send('threadentry.created', new ThreadEntry(2, 'N', 'Anna', new TextThreadEntryBody('x'), $ticket));
Signal::send('threadentry.created', new ThreadEntry(3, 'R', 'deskpilot', new TextThreadEntryBody('x'), $ticket));
$auto = new ThreadEntry(4, 'M', 'Mailer', new TextThreadEntryBody('Out of office'), $ticket);
$auto->autoReply = true;
Signal::send('threadentry.created', $auto);
DeskpilotGuard::run(function () use ($ticket) {
    Signal::send('threadentry.created', new ThreadEntry(5, 'R', 'Anna', new TextThreadEntryBody('x'), $ticket));
});
is_same(count($t->requests), 1, 'loop guard: notes, own replies, auto-replies and guarded entries are not sent');
Signal::send('threadentry.created', new ThreadEntry(6, 'R', 'Anna Schmidt', new TextThreadEntryBody('x'), $ticket));
is_same(count($t->requests), 2, 'event: an agent response is sent');
DeskpilotPlugin::$settings['send_responses'] = false;
Signal::send('threadentry.created', new ThreadEntry(7, 'R', 'Anna Schmidt', new TextThreadEntryBody('x'), $ticket));
is_same(count($t->requests), 2, 'event: agent responses can be switched off');
$t->answers = array(array('status' => 0, 'body' => '', 'error' => 'timeout'));
Signal::send('threadentry.created', $entry);
is_same(count(DeskpilotPlugin::$store->outbox), 1, 'event: undelivered event queued');
$t->answers = array(array('status' => 202, 'body' => '{}', 'error' => ''));
$data = array('autocron' => false);
foreach (DeskpilotPlugin::$store->outbox as &$row)
    $row['next_at'] = 0;
unset($row);
Signal::send('cron', null, $data);
is_same(count(DeskpilotPlugin::$store->outbox), 0, 'cron signal: queued event resent');

/* ---- decisions in ------------------------------------------------------- */
const INST = '5f0c9a7e2b4d4e61a3c8f1d27b90e6a4';   /* one deskpilot database */
const INST2 = '0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f6';  /* another one */
$vipTicket = new Ticket(343, '604128', $user);
DynamicFormEntry::$byTicket[343] = array(new DynamicFormEntry(
    array('subject' => new Answer('x'), 'priority' => new Answer('Normal', 2)),
    array('deskpilot_vip')));
$ds = settings(array('reply_agent' => 'ai.bot'));
$store = new MemStore();
function decide(array $ds, $store, array $d, $now = 7000, $sign = true) {
    $d += array('timestamp' => $now);
    $body = json_encode($d);
    return DeskpilotDecision::handle($ds, $store, $body,
        $sign ? DeskpilotSignature::sign($body, SECRET) : 'sha256=00',
        (string) $d['timestamp'], $now);
}
$vip = array('action' => 'decision', 'installation' => INST, 'decision_id' => 77,
    'ticket_id' => 343, 'ticket_number' => '604128', 'outcome' => 'human_vip',
    'vip' => true, 'note' => 'Premium customer (organization Globex): a human answers.',
    'priority' => 'high', 'team' => 'VIP', 'dept' => 'Priority Desk',
    'reply' => 'must never be sent');

Rec::reset();
log_lines();
is_same(decide($ds, $store, $vip, 7000, false)[0], 401, 'decision: bad signature is 401');
is_same(log_lines(), array(array('Warning', 'deskpilot plugin', 'A decision was refused:'
    . ' signature does not match the body. The shared secret must equal webhook_secret'
    . ' in deskpilot.conf, and both clocks must be right.', false)),
    'decision: a refusal is a warning in the system log, without an e-mail alert');
is_same(decide($ds, $store, $vip + array('timestamp' => 6000))[0], 401, 'decision: stale is 401');
is_same(log_lines(), array(), 'decision: the same kind of refusal is not logged again within the hour');
is_same(DeskpilotDecision::handle($ds, $store, 'nope', DeskpilotSignature::sign('nope', SECRET), '7000', 7000),
    array(400, array('error' => 'body is not a JSON object')), 'decision: not JSON is 400');
Rec::reset();
$store = new MemStore();
is_same(decide($ds, $store, array('decision_id' => '77') + $vip),
    array(422, array('error' => "'decision_id' must be a positive integer")), 'decision: bad field is 422');
$noInst = $vip;
unset($noInst['installation']);
is_same(decide($ds, $store, $noInst), array(422, array('error' =>
    "'installation' must be deskpilot's installation id (8 to 64 letters, digits, - or _)")),
    'decision: without an installation id is 422');
is_same(decide($ds, $store, array('installation' => 'a b') + $vip)[0], 422,
    'decision: a malformed installation id is 422');
is_same(decide($ds, $store, array('ticket_id' => 999) + $vip),
    array(404, array('error' => 'no ticket 999')), 'decision: unknown ticket is 404');
is_same(decide($ds, $store, array('ticket_number' => '1') + $vip)[0], 422, 'decision: wrong ticket number is 422');
is_same(Rec::$calls, array(), 'decision: refusals change nothing');

list($code, $res) = decide($ds, $store, $vip);
is_same($code, 201, 'VIP decision: 201');
$res = json_decode(json_encode($res), true);
is_same(array($res['status'], $res['installation'], $res['decision_id'], $res['ticket_id']),
    array('applied', INST, 77, 343), 'VIP decision: the answer names the decision');
is_same($res['changed'], array('note' => 500, 'vip' => true, 'priority' => 'high',
    'team' => 'VIP', 'dept' => 'Priority Desk'), 'VIP decision: answer says what changed');
is_same($res['warnings'], array(), 'VIP decision: no warnings');
is_same(Rec::$calls, array(
    'postNote:deskpilot: human_vip (decision 77)|Premium customer (organization Globex): a human answers.|deskpilot|alert=0',
    "setAnswer:deskpilot_vip='1'", 'form.save',
    'setAnswer:priority=NULL#3', 'form.save',
    'assignToTeam:7', 'setDeptId:5', 'logEvent:transferred'),
    'VIP decision: note as the poster, marker, priority High, team VIP, department; no reply');
is_same($vipTicket->guarded, array(true), 'VIP decision: written under the loop guard');

Rec::reset();
list($code, $res) = decide($ds, $store, $vip);
is_same($code, 200, 'repeat: 200');
is_same(array($res['status'], $res['installation'], $res['ticket_id']),
    array('duplicate', INST, 343), 'repeat: says duplicate, for this installation and ticket');
is_same($res['first']['changed']['note'], 500, 'repeat: returns the first answer');
is_same(Rec::$calls, array(), 'repeat: changes nothing');

/* Decision ids restart at 1 in every deskpilot database: the same id from
 * another database is another decision, and is applied. */
Rec::reset();
$other = new Ticket(346, '604131', $user);
DynamicFormEntry::$byTicket[346] = array(new DynamicFormEntry(
    array('priority' => new Answer('Normal', 2)), array('deskpilot_vip')));
list($code, $res) = decide($ds, $store, array('installation' => INST2, 'ticket_id' => 346,
    'ticket_number' => '604131') + $vip);
is_same(array($code, $res['ticket_id'] ?? null, Rec::has('postNote')), array(201, 346, true),
    'another database\'s decision 77, for another ticket: applied, with its note');

/* The same database's decision 77 for another ticket: its database was
 * copied or restored. Refused, nothing changed, an error in the log. */
Rec::reset();
log_lines();
list($code, $res) = decide($ds, $store, array('ticket_id' => 346, 'ticket_number' => '604131') + $vip);
is_same(array($code, $res), array(422, array('status' => 'conflict',
    'error' => 'decision 77 of deskpilot installation ' . INST . ' was applied to ticket 343'
        . ' before, not to ticket 346; nothing was changed (was deskpilot\'s database copied'
        . ' or restored from a backup?)',
    'installation' => INST, 'decision_id' => 77, 'ticket_id' => 343)),
    'same installation, same decision id, other ticket: 422 conflict naming both tickets');
is_same(Rec::$calls, array(), 'conflict: changes nothing');
is_same(array_map(function ($l) { return $l[0]; }, log_lines()), array('Error'),
    'conflict: an error in the system log');

Rec::reset();
list($code, $res) = decide($ds, $store, array('escalation' => true,
    'note' => 'No agent reply after 60 minutes.', 'priority' => 'Emergency')
    + array_diff_key($vip, array('team' => 1, 'dept' => 1)));
is_same($code, 201, 'escalation of the same decision id: applied, not a duplicate');
is_same(Rec::$calls, array(
    'postNote:deskpilot: VIP reply overdue (decision 77)|No agent reply after 60 minutes.|deskpilot|alert=0',
    "setAnswer:deskpilot_vip='1'", 'form.save', 'setAnswer:priority=NULL#4', 'form.save'),
    'escalation: its own note and the urgent priority');
Rec::reset();
is_same(decide($ds, $store, array('escalation' => true) + $vip)[0], 200, 'escalation: once only');

Rec::reset();
$draft = array('action' => 'decision', 'installation' => INST, 'decision_id' => 78,
    'ticket_id' => 342, 'outcome' => 'ai_draft', 'vip' => false,
    'note' => 'Routine: track_order (0.91).',
    'draft' => "Hallo Herr Weiß,\nIhr Paket kommt morgen.");
list($code, $res) = decide($ds, $store, $draft);
is_same(array($code, Rec::$calls), array(201, array(
    "postNote:deskpilot: ai_draft (decision 78)|Routine: track_order (0.91).\n\nSuggested reply (not sent to the customer):\n\nHallo Herr Weiß,\nIhr Paket kommt morgen.|deskpilot|alert=0")),
    'draft decision: one internal note holding the draft, nothing else');

Rec::reset();
$reply = array('decision_id' => 79, 'outcome' => 'ai_reply', 'draft' => null,
    'reply' => "Ihr Paket kommt morgen.\n\nEinen Menschen erreichen Sie, indem Sie antworten.") + $draft;
unset($reply['draft']);
list($code, $res) = decide($ds, $store, $reply);
is_same(array($code, Rec::$calls[1] ?? null), array(201,
    "postReply:Ihr Paket kommt morgen.\n\nEinen Menschen erreichen Sie, indem Sie antworten.|deskpilot|all|staff=12"),
    'reply decision: public reply to all, as the reply agent');

Rec::reset();
list($code, $res) = decide($ds, $store, array('decision_id' => 81, 'vip' => true) + $reply);
ok($code === 201 && !Rec::has('postReply'), 'reply decision marked VIP: no reply is posted');

Rec::reset();
log_lines();
DynamicFormEntry::$byTicket[344] = array(new DynamicFormEntry(array('priority' => new Answer('Normal', 2))));
new Ticket(344, '604129', $user);
list($code, $res) = decide($ds, $store, array('decision_id' => 80, 'ticket_id' => 344,
    'ticket_number' => '604129', 'priority' => 'Urgentissimo', 'team' => 'Nobody') + $vip);
is_same($code, 201, 'partial decision: still applied');
is_same(json_decode(json_encode($res), true)['warnings'], array(
    "VIP marker field 'deskpilot_vip' is not on the ticket's forms",
    "priority 'Urgentissimo' not set", "team 'Nobody' not assigned"),
    'partial decision: what could not be done is reported');
is_same(log_lines(), array(array('Warning', 'deskpilot plugin', 'decision 80 (ticket id 344)'
    . ' was applied, but: VIP marker field \'deskpilot_vip\' is not on the ticket\'s forms;'
    . ' priority \'Urgentissimo\' not set; team \'Nobody\' not assigned', false)),
    'partial decision: what could not be done is a warning in the system log');

/* ---- the route's protocol, shared with tests/fakes/fake_osticket.py ----- */
$route = json_decode((string) @file_get_contents("$src/tests/data/osticket/decision_route.json"), true);
ok(is_array($route) && count($route['steps']) > 10, 'route: the shared protocol steps are readable');
$store = new MemStore();
foreach ($route['steps'] ?? array() as $step) {
    $now = 7000;
    $body = isset($step['raw']) ? $step['raw']
        : json_encode($step['request'] + array('timestamp' => $now));
    list($code, $a) = DeskpilotDecision::handle($ds, $store, $body,
        ($step['sign'] ?? true) ? DeskpilotSignature::sign($body, SECRET) : 'sha256=00',
        (string) $now, $now);
    $a = json_decode(json_encode($a), true);
    $got = array();
    foreach ($step['answer'] as $k => $v)
        $got[$k] = $a[$k] ?? null;
    is_same(array($code, $got), array($step['status'], $step['answer']), 'route: ' . $step['what']);
}

/* ---- the instance form, built, shown, posted and stored as osTicket does -- */
/* A fresh osTicket with the plugin installed and no instance yet. */
$plugin = new DeskpilotPlugin();
DeskpilotPlugin::$store = $pstore = new MemStore();
$pstore->fields = array('deskpilot_vip' => array('T'), 'vip' => array('O'));
Config::$table = array();
log_lines();

/* What the admin types into "Add New Instance", and the instance tab. */
function instance_post(array $form, $do = 'add-instance', $xid = 0, $name = 'deskpilot') {
    return $form + array('do' => $do, 'a' => $do === 'add-instance' ? 'add-instance' : '',
        'id' => 1, 'xid' => $xid, 'name' => $name, 'isactive' => 1, 'notes' => '');
}
$typed = array('deskpilot hook URL' => 'http://127.0.0.1:8182/hooks/osticket',
    'Shared secret' => SECRET, 'VIP field (user or organization)' => 'vip');

OstAdmin::request($plugin, 'GET');
$html = OstAdmin::render(OstAdmin::instancePage($plugin));
is_same(preg_match_all('/type="checkbox" name="_field-checkboxes\[\]" checked="checked"/', $html),
    2, 'Add New Instance: both event switches are shown ticked');
list($inst, $errors, $page) = OstAdmin::addInstance($plugin,
    instance_post(OstAdmin::submit($html, $typed)));
is_same($errors, array(), 'Add New Instance, saved once: no error');
is_same(array($page->getNotice(), $page->getInstructions()), array('',
    'Settings are checked when this page is opened again. Nothing sent or received yet.'),
    'the page after the save warns of nothing it saw before the values were stored');
$rows = Config::$table[$inst ? $inst->getNamespace() : ''] ?? array();
is_same(array($rows['send_messages'] ?? null, $rows['send_responses'] ?? null), array('1', '1'),
    'Add New Instance, saved once: both event switches are stored on');
is_same(array($rows['url'], $rows['secret'], $rows['format'], $rows['vip_field']),
    array('http://127.0.0.1:8182/hooks/osticket', 'enc:' . SECRET, '{"json":"JSON"}', 'vip'),
    'Add New Instance, saved once: the typed values are stored');
ok($inst && $inst->isEnabled(), 'Add New Instance, saved once: the instance is enabled');
OstAdmin::request($plugin, 'GET');
$s = DeskpilotPlugin::$settings;
is_same(array($s['send_messages'], $s['send_responses'], $s['url'], $s['secret'], $s['format']),
    array(true, true, 'http://127.0.0.1:8182/hooks/osticket', SECRET, 'json'),
    'the next request bootstraps with what was saved');
is_same(count(Signal::$handlers['threadentry.created'] ?? array()), 1,
    'the next request sends events');
is_same(log_lines(), array(), 'a working instance logs nothing');

/* The update page keeps what it shows: untick one switch, save once. */
OstAdmin::request($plugin, 'GET');
$html = OstAdmin::render(OstAdmin::instancePage($plugin, $inst));
list($errors, $page) = OstAdmin::updateInstance($plugin, $inst, instance_post(
    OstAdmin::submit($html, array(), array('Agent responses')),
    'update-instance', $inst->getId()));
$rows = Config::$table[$inst->getNamespace()];
is_same(array($errors, $rows['send_messages'], $rows['send_responses'], $rows['secret']),
    array(array(), '1', '0', 'enc:' . SECRET),
    'update: one switch off is stored as shown; the secret left empty is kept');

/* Without a secret nothing can be signed: refused. */
OstAdmin::request($plugin, 'GET');
$html = OstAdmin::render(OstAdmin::instancePage($plugin));
list($none, $errors, $page) = OstAdmin::addInstance($plugin, instance_post(
    OstAdmin::submit($html, array('Shared secret' => '') + $typed), 'add-instance', 0, 'nosecret'));
ok(!$none && strpos(OstAdmin::render($page), '<div class="error">Shared secret is a required'
    . ' field</div>') !== false, 'a new instance without a secret is refused, and said so');

/* Both off cannot work: refused before an instance is created, and the
 * page that follows says why. */
$before = count($plugin->instances);
$tables = Config::$table;
OstAdmin::request($plugin, 'GET');
$html = OstAdmin::render(OstAdmin::instancePage($plugin));
list($none, $errors, $page) = OstAdmin::addInstance($plugin, instance_post(
    OstAdmin::submit($html, array('Shared secret' => SECRET) + $typed,
        array('Customer messages', 'Agent responses')), 'add-instance', 0, 'second'));
is_same(array($none, count($plugin->instances), Config::$table), array(null, $before, $tables),
    'both switches off: no instance and no setting stored');
is_same($errors, array('err' => 'Unable to add Plugin Instance.'), 'both switches off: osTicket says it was not added');
ok(strpos(OstAdmin::render($page), '<div class="error">Customer messages and Agent'
    . ' responses are both off: deskpilot would be sent nothing. Tick at least Customer'
    . ' messages.</div>') !== false, 'both switches off: the form that follows says why');
list($none, $errors, $page) = OstAdmin::addInstance($plugin, instance_post(
    OstAdmin::submit($html, array('deskpilot hook URL' => 'deskpilot.example.com') + $typed),
    'add-instance', 0, 'third'));
ok(!$none && strpos(OstAdmin::render($page), '<div class="error">The deskpilot hook URL must'
    . ' start with http:// or https://</div>') !== false,
    'a URL without http(s):// is refused, and said so');

/* An instance saved by plugin 1.0 through the defect: both switches off.
 * The plugin says so in the system log (once an hour) and on its page. */
Config::$table[$inst->getNamespace()]['send_messages'] = '0';
Config::$table[$inst->getNamespace()]['send_responses'] = '0';
$pstore->status = array();
/* Plugins bootstrap inside osTicket::start(), before $ost exists. */
$log = $GLOBALS['ost'];
$GLOBALS['ost'] = null;
OstAdmin::request($plugin, 'GET');
$GLOBALS['ost'] = $log;
is_same(log_lines(), array(), 'both switches stored off: nothing logged before $ost exists');
DeskpilotStatus::flush();                   /* the end of the request */
$l = log_lines();
is_same(array(count($l), $l[0][0] ?? null, $l[0][2] ?? null), array(1, 'Warning',
    'The deskpilot instance has "Customer messages" and "Agent responses" both off: deskpilot'
    . ' is sent nothing. Open the instance, tick them and save.'),
    'both switches stored off: a warning in the system log when the request ends');
OstAdmin::request($plugin, 'GET');
is_same(log_lines(), array(), 'both switches stored off: not logged again on every request');
$html = OstAdmin::render(OstAdmin::instancePage($plugin, $inst));
ok(strpos($html, 'Customer messages and Agent responses are both off: deskpilot is sent'
    . ' nothing. Tick both and save.') !== false, 'both switches stored off: said on the instance page');

/* What else keeps it from working, on the instance page. */
Config::$table[$inst->getNamespace()]['send_messages'] = '1';
$pstore->fields = array();
$pstore->teams = 0;
$pstore->queue('q1', '{}', 'deskpilot unreachable: Connection refused', 9060, 9000);
(new DeskpilotStatus($pstore))->problem('delivery', 'error', 'answered 401',
    'An event for ticket #604127 was not delivered: deskpilot answered 401', 9000);
OstAdmin::request($plugin, 'GET');
$html = OstAdmin::render(OstAdmin::instancePage($plugin, $inst));
preg_match('/<p id="msg_warning">(.*?)<\/p>/s', $html, $m);
$notice = html_entity_decode($m[1] ?? '');
foreach (array(
        'The VIP field "vip" is on neither the Contact Information (user) nor the Organization form',
        'The VIP marker field "deskpilot_vip" is not on the Ticket Details form',
        'osTicket has no enabled team: VIP tickets cannot be assigned to the VIP team',
        'Events to deskpilot: An event for ticket #604127 was not delivered: deskpilot answered 401 (1970-01-01 02:30:00 UTC)',
        '1 event(s) wait to be resent by cron; the oldest, from 1970-01-01 02:30:00 UTC, failed with: deskpilot unreachable: Connection refused',
    ) as $want)
    ok(strpos($notice, $want) !== false, "instance page says: $want");
$pstore->fields = array('deskpilot_vip' => array('T'), 'vip' => array('U'));
$pstore->teams = 2;
$pstore->outbox = array();
(new DeskpilotStatus($pstore))->ok('delivery', 'last event delivered: ticket #604127', 9100);
OstAdmin::request($plugin, 'GET');
$form = OstAdmin::instancePage($plugin, $inst);
is_same(array($form->getNotice(), $form->getInstructions()), array('',
    'Events to deskpilot: last event delivered: ticket #604127 (1970-01-01 02:31:40 UTC).'),
    'instance page of a working instance: no warning, the last delivery');

echo "1..$n\n";
exit($failed ? 1 : 0);
