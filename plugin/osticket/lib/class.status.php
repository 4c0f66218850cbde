<?php
/*
 * class.status.php - say what keeps the plugin from working, where an
 * osTicket admin looks.
 *
 * Three topics keep their last state in the status table: "delivery"
 * (events to deskpilot), "decisions" (decisions coming back) and "config"
 * (the instance's settings). A problem is written to osTicket's system log
 * (Admin Panel -> Dashboard -> System Logs) as a warning or an error, and
 * all of it is shown at the top of the instance's config page together
 * with what report() finds by looking: both event switches off, a VIP
 * field or VIP marker field that no form has, no enabled team, events
 * waiting for a resend.
 *
 * The same kind of problem is logged again only after an hour (an outage
 * would otherwise write one line per ticket); a different kind is logged at
 * once. Kinds are short stable names ("unreachable", "answered 401",
 * "conflict"); messages carry the details.
 */
class DeskpilotStatus {
    const TITLE = 'deskpilot plugin';
    /* Seconds before the same kind of problem is logged again. */
    const RELOG = 3600;
    const TOPICS = array(
        'config' => 'Configuration',
        'delivery' => 'Events to deskpilot',
        'decisions' => 'Decisions from deskpilot',
    );

    /* Lines waiting for osTicket's $ost (see log()). */
    static $pending = array();

    private $store;

    function __construct($store) {
        $this->store = $store;
    }

    /* $topic works; $message says what happened last. */
    function ok($topic, $message, $now) {
        $this->store->putStatus(array('topic' => $topic, 'level' => 'ok',
            'kind' => '', 'message' => $message, 'since' => $now,
            'at' => $now, 'count' => 1));
    }

    /* A problem with $topic: $level 'warning' or 'error', $kind a short
     * stable name for its cause. Recorded for the config page, and logged
     * unless the same kind was logged within the last hour. */
    function problem($topic, $level, $kind, $message, $now) {
        $kind = self::kind($kind);
        $old = $this->store->status($topic);
        $same = $old && $old['level'] === $level && $old['kind'] === $kind;
        $this->store->putStatus(array('topic' => $topic, 'level' => $level,
            'kind' => $kind, 'message' => $message,
            'since' => $same ? (int) $old['since'] : $now, 'at' => $now,
            'count' => $same ? (int) $old['count'] + 1 : 1));
        $logTopic = self::logTopic($topic, $level, $kind);
        $logged = $this->store->status($logTopic);
        if ($logged && $now - (int) $logged['at'] < self::RELOG)
            return false;
        self::log($level, $message);
        $this->store->putStatus(array('topic' => $logTopic, 'level' => $level,
            'kind' => $kind, 'message' => '', 'since' => $now, 'at' => $now,
            'count' => 1));
        return true;
    }

    /* problem() for a state that holds on every request (a setting):
     * costs one read while it was logged within the hour. */
    function nag($topic, $level, $kind, $message, $now) {
        $logged = $this->store->status(self::logTopic($topic, $level,
            self::kind($kind)));
        if ($logged && $now - (int) $logged['at'] < self::RELOG)
            return false;
        return $this->problem($topic, $level, $kind, $message, $now);
    }

    /* A kind as stored: at most 64 bytes, still telling kinds apart. */
    private static function kind($kind) {
        return strlen($kind) > 64 ? substr($kind, 0, 31) . '~' . md5($kind)
            : $kind;
    }

    private static function logTopic($topic, $level, $kind) {
        return 'log:' . $topic . ':' . substr(md5($level . $kind), 0, 16);
    }

    /* To osTicket's system log, without an e-mail alert (the log is where
     * this is read). Plugins bootstrap inside osTicket::start(), before
     * $ost is set: what is logged then waits for the end of the request. */
    static function log($level, $message) {
        global $ost;
        if (!$ost) {
            if (!self::$pending)
                register_shutdown_function(array('DeskpilotStatus', 'flush'));
            self::$pending[] = array($level, $message);
            return;
        }
        if ($level === 'error')
            $ost->logError(self::TITLE, $message, false);
        else
            $ost->logWarning(self::TITLE, $message, false);
    }

    /* Write what waited for $ost (to PHP's error log if there is none). */
    static function flush() {
        global $ost;
        $lines = self::$pending;
        self::$pending = array();
        foreach ($lines as $l) {
            if ($ost)
                self::log($l[0], $l[1]);
            else
                error_log('deskpilot: ' . $l[1]);
        }
    }

    /* Why settings $s cannot work, looking at osTicket's forms and teams
     * through $store: a list of sentences. */
    static function configProblems(array $s, $store) {
        $p = array();
        if (!$s['send_messages'] && !$s['send_responses'])
            $p[] = 'Customer messages and Agent responses are both off:'
                . ' deskpilot is sent nothing. Tick both and save.';
        elseif (!$s['send_messages'])
            $p[] = 'Customer messages are off: deskpilot decides nothing.'
                . ' Tick "Customer messages" and save.';
        if ($s['url'] === '' || $s['secret'] === '')
            $p[] = 'The deskpilot hook URL or the shared secret is empty:'
                . ' nothing is sent.';
        if ($s['vip_field'] !== '' && !array_intersect(array('U', 'O'),
                $store->formTypesWithField($s['vip_field']))) {
            $p[] = sprintf('The VIP field "%s" is on neither the Contact'
                . ' Information (user) nor the Organization form: osTicket'
                . ' marks no customer as premium.', $s['vip_field']);
        }
        if (!in_array('T', $store->formTypesWithField($s['vip_marker']), true))
            $p[] = sprintf('The VIP marker field "%s" is not on the Ticket'
                . ' Details form: VIP tickets cannot be marked (Manage -> Forms'
                . ' -> Ticket Details, a Checkbox with that variable).',
                $s['vip_marker']);
        if ($store->enabledTeams() == 0)
            $p[] = 'osTicket has no enabled team: VIP tickets cannot be'
                . ' assigned to the VIP team (Agents -> Teams).';
        return $p;
    }

    /* Everything for the config page: array(problems, facts), lists of
     * sentences; what settings $s imply only when $settings. */
    static function report(array $s, $store, $now, $settings = true) {
        $problems = $settings ? self::configProblems($s, $store) : array();
        $facts = $settings ? array() : array('Settings are checked when this'
            . ' page is opened again.');
        if ($settings && $s['vip_field'] === '')
            $facts[] = 'No VIP field is set: premium customers are only those'
                . ' of deskpilot\'s own rules (deskpilot vip).';
        $rows = $store->statuses();
        foreach (self::TOPICS as $topic => $label) {
            $r = $rows[$topic] ?? null;
            if (!$r)
                continue;
            if ($r['level'] === 'ok') {
                $facts[] = sprintf('%s: %s (%s).', $label, $r['message'],
                    self::when($r['at']));
            } elseif ($topic !== 'config') {
                // Config problems are found afresh above.
                $problems[] = sprintf('%s: %s (%s%s).', $label, $r['message'],
                    $r['count'] > 1 ? sprintf('%d times since %s, last ',
                        $r['count'], self::when($r['since'])) : '',
                    self::when($r['at']));
            }
        }
        list($queued, $oldest, $error) = $store->outboxSummary();
        if ($queued)
            $problems[] = sprintf('%d event(s) wait to be resent by cron;'
                . ' the oldest, from %s, failed with: %s.', $queued,
                self::when($oldest), $error);
        if (!isset($rows['delivery']) && !isset($rows['decisions']))
            $facts[] = 'Nothing sent or received yet.';
        return array($problems, $facts);
    }

    static function when($t) {
        return gmdate('Y-m-d H:i:s', (int) $t) . ' UTC';
    }
}
