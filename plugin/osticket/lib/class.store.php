<?php
/*
 * class.store.php - the plugin's tables in osTicket's database
 * (install.sql): the outbox of undelivered events, the applied decisions
 * and the status shown to admins, plus two read-only looks at osTicket's
 * own tables (form fields, teams) for the config page. Uses osTicket's
 * db_* functions; every value goes through db_input. Tests use an
 * in-memory twin with the same methods.
 */
class DeskpilotDbStore {
    private static $installed = false;

    /* Create the tables if they are missing (install, and once per request
     * before first use, so an upgrade needs no separate step). */
    static function install() {
        if (self::$installed)
            return true;
        $sql = file_get_contents(dirname(__DIR__) . '/install.sql');
        $sql = preg_replace('/^--.*$/m', '', $sql);
        $sql = str_replace('%TABLE_PREFIX%', TABLE_PREFIX, $sql);
        foreach (array_filter(array_map('trim', explode(';', $sql))) as $q)
            if (!db_query($q))
                return false;
        return self::$installed = true;
    }

    private static function outbox() {
        self::install();
        return TABLE_PREFIX . 'deskpilot_outbox';
    }

    private static function applied_table() {
        self::install();
        return TABLE_PREFIX . 'deskpilot_applied';
    }

    private static function status_table() {
        self::install();
        return TABLE_PREFIX . 'deskpilot_status';
    }

    function queue($deliveryId, $payload, $error, $nextAt, $now) {
        return db_query(sprintf('INSERT IGNORE INTO `%s` (delivery_id, payload,'
            . ' attempts, next_at, last_error, created) VALUES (%s, %s, 0, %d,'
            . ' %s, %d)', self::outbox(), db_input($deliveryId),
            db_input($payload), $nextAt, db_input(substr($error, 0, 255)),
            $now));
    }

    function due($now, $limit) {
        $rows = array();
        $res = db_query(sprintf('SELECT id, payload, attempts FROM `%s`'
            . ' WHERE next_at <= %d ORDER BY id LIMIT %d', self::outbox(),
            $now, $limit));
        while ($res && ($row = db_fetch_array($res)))
            $rows[] = $row;
        return $rows;
    }

    function sent($id) {
        return db_query(sprintf('DELETE FROM `%s` WHERE id = %d',
            self::outbox(), $id));
    }

    function failed($id, $error, $nextAt) {
        return db_query(sprintf('UPDATE `%s` SET attempts = attempts + 1,'
            . ' next_at = %d, last_error = %s WHERE id = %d', self::outbox(),
            $nextAt, db_input(substr($error, 0, 255)), $id));
    }

    /* What the config page shows about the queue: array(count, oldest
     * created, last error of the oldest). */
    function outboxSummary() {
        $res = db_query(sprintf('SELECT COUNT(*) AS n, MIN(created) AS oldest'
            . ' FROM `%s`', self::outbox()));
        $row = $res ? db_fetch_array($res) : null;
        $n = $row ? (int) $row['n'] : 0;
        $error = '';
        if ($n) {
            $res = db_query(sprintf('SELECT last_error FROM `%s` ORDER BY id'
                . ' LIMIT 1', self::outbox()));
            $first = $res ? db_fetch_array($res) : null;
            $error = $first ? (string) $first['last_error'] : '';
        }
        return array($n, $n ? (int) $row['oldest'] : 0, $error);
    }

    /* A decision applied before: array('ticket_id' => .., 'result' =>
     * array), or null. $kind: 'decision' or 'escalation'. */
    function applied($installation, $decisionId, $kind) {
        $res = db_query(sprintf('SELECT ticket_id, result FROM `%s` WHERE'
            . ' installation = %s AND decision_id = %s AND kind = %s',
            self::applied_table(), db_input($installation),
            db_input((string) $decisionId), db_input($kind)));
        $row = $res ? db_fetch_array($res) : null;
        if (!$row)
            return null;
        return array('ticket_id' => (int) $row['ticket_id'],
            'result' => json_decode($row['result'], true));
    }

    function recordApplied($installation, $decisionId, $kind, $ticketId,
            array $result, $now) {
        return db_query(sprintf('INSERT IGNORE INTO `%s` (installation,'
            . ' decision_id, kind, ticket_id, result, applied) VALUES (%s, %s,'
            . ' %s, %d, %s, %d)', self::applied_table(),
            db_input($installation), db_input((string) $decisionId),
            db_input($kind), $ticketId,
            db_input(json_encode($result, JSON_UNESCAPED_UNICODE)), $now));
    }

    /* One status row (topic, level, kind, message, since, at, count) or
     * null; statuses(): all of them by topic. */
    function status($topic) {
        $res = db_query(sprintf('SELECT * FROM `%s` WHERE topic = %s',
            self::status_table(), db_input($topic)));
        $row = $res ? db_fetch_array($res) : null;
        return $row ?: null;
    }

    function statuses() {
        $rows = array();
        $res = db_query(sprintf('SELECT * FROM `%s` ORDER BY topic',
            self::status_table()));
        while ($res && ($row = db_fetch_array($res)))
            $rows[$row['topic']] = $row;
        return $rows;
    }

    function putStatus(array $r) {
        return db_query(sprintf('REPLACE INTO `%s` (topic, level, kind,'
            . ' message, since, at, count) VALUES (%s, %s, %s, %s, %d, %d, %d)',
            self::status_table(), db_input($r['topic']), db_input($r['level']),
            db_input($r['kind']), db_input($r['message']), $r['since'],
            $r['at'], $r['count']));
    }

    /* Form types ('T' ticket, 'U' user, 'O' organization, ...) that have
     * an enabled field whose variable name is $name, on a form not
     * deleted. */
    function formTypesWithField($name) {
        $types = array();
        $res = db_query(sprintf('SELECT DISTINCT f.type FROM `%sform_field`'
            . ' ff JOIN `%sform` f ON f.id = ff.form_id WHERE ff.name = %s'
            . ' AND ff.flags & 1 AND NOT f.flags & 2', TABLE_PREFIX,
            TABLE_PREFIX, db_input($name)));
        while ($res && ($row = db_fetch_array($res)))
            $types[] = $row['type'];
        return $types;
    }

    /* How many teams are enabled. */
    function enabledTeams() {
        $res = db_query(sprintf('SELECT COUNT(*) AS n FROM `%steam` WHERE'
            . ' flags & 1', TABLE_PREFIX));
        $row = $res ? db_fetch_array($res) : null;
        return $row ? (int) $row['n'] : 0;
    }
}
