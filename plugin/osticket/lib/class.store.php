<?php
/*
 * class.store.php - the plugin's two tables in osTicket's database
 * (install.sql): the outbox of undelivered events and the applied
 * decisions. Uses osTicket's db_* functions; every value goes through
 * db_input. Tests use an in-memory twin with the same methods.
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
}
