<?php
/*
 * class.payload.php - the event the plugin sends for one thread entry.
 *
 * fields() reads a thread entry and its ticket through osTicket's getters
 * into a flat array of named values; encode() writes that array as JSON
 * or as XML shaped like osTicket's own ticket API (<ticket> root, one
 * child element per field, <message type="text/plain|text/html">). Both
 * forms carry the same values, so deskpilot reads the same event from
 * either. Field names and meanings: README "osTicket", and
 * src/connectors/osticket.h on the service side.
 *
 * XML is written by hand (no php-xml needed): every value is escaped and
 * stripped of characters XML 1.0 cannot carry.
 */
class DeskpilotPayload {
    /* Longest message text sent; deskpilot refuses more than 512 KiB. */
    const MAX_MESSAGE = 262144;

    /* The event for $entry (a ThreadEntry of type M or R) on $ticket. */
    static function fields($entry, $ticket, array $settings, $deliveryId,
            $now, $own = false) {
        // The User model itself: getOwner() wraps it in a TicketOwner whose
        // getVar() does not reach the user's form answers.
        $user = $ticket->getOwnerId() ? User::lookup($ticket->getOwnerId())
            : null;
        $org = $user ? $user->getOrganization() : null;
        $body = $entry->getBody();
        $html = $body && strtolower((string) $body->getType()) === 'html';
        $f = array(
            'event' => 'threadentry.created',
            'delivery_id' => $deliveryId,
            'timestamp' => (int) $now,
            'entry_type' => $entry->getType(),
            'entry_id' => (int) $entry->getId(),
            'ticket_id' => (int) $ticket->getId(),
            'number' => (string) $ticket->getNumber(),
            'subject' => (string) $ticket->getSubject(),
            'dept' => self::name($ticket->getDept()),
            'topic' => self::name($ticket->getTopic()),
            'priority' => self::name($ticket->getPriority()),
            'status' => self::name($ticket->getStatus()),
            'source' => (string) $ticket->getSource(),
            'user_id' => $user ? (int) $user->getId() : 0,
            'name' => (string) $ticket->getName(),
            'email' => (string) $ticket->getEmail(),
            'user_vip' => self::vip($user, $settings['vip_field']),
            'org' => $org ? (string) $org->getName() : '',
            'org_vip' => self::vip($org, $settings['vip_field']),
            'poster' => (string) $entry->getPoster(),
            'own' => (bool) $own,
            'created' => self::isoDate($entry->getCreateDate()),
            'message' => array(
                'type' => $html ? 'text/html' : 'text/plain',
                'body' => self::cut($body ? (string) $body->getClean() : '',
                    self::MAX_MESSAGE),
            ),
        );
        return $f;
    }

    /* A department, topic, priority or status object (or string) as text. */
    static function name($o) {
        if ($o === null || $o === false)
            return '';
        if (is_object($o)) {
            foreach (array('getFullName', 'getName', 'getDesc') as $m)
                if (method_exists($o, $m))
                    return (string) $o->$m();
        }
        return (string) $o;
    }

    /* Whether the user's or organization's field $field marks a premium
     * customer: a checked box, or a value other than empty/0/no/false. */
    static function vip($who, $field) {
        if (!$who || $field === '' || !method_exists($who, 'getVar'))
            return false;
        $v = $who->getVar($field);
        if (is_object($v) && method_exists($v, 'getValue'))
            $v = $v->getValue();
        if (is_array($v))
            $v = $v ? reset($v) : '';
        if (is_bool($v))
            return $v;
        $v = strtolower(trim((string) $v));
        return !in_array($v, array('', '0', 'no', 'false', 'off', 'none'),
            true);
    }

    static function isoDate($date) {
        $t = $date ? strtotime((string) $date) : false;
        return $t === false ? '' : gmdate('Y-m-d\TH:i:s\Z', $t);
    }

    /* At most $max bytes, cut on a UTF-8 character boundary. */
    static function cut($s, $max) {
        if (strlen($s) <= $max)
            return $s;
        $s = substr($s, 0, $max);
        // Drop a last character whose bytes were cut short.
        for ($i = 1; $i <= 4 && $i <= strlen($s); $i++) {
            $c = ord($s[strlen($s) - $i]);
            if (($c & 0xC0) === 0x80)
                continue;                   // continuation byte
            $need = $c >= 0xF0 ? 4 : ($c >= 0xE0 ? 3 : ($c >= 0xC0 ? 2 : 1));
            return $need > $i ? substr($s, 0, -$i) : $s;
        }
        return $s;
    }

    /* Returns array(body, content type). */
    static function encode(array $f, $format) {
        if ($format === 'xml')
            return array(self::toXml($f), 'application/xml; charset=utf-8');
        return array(json_encode($f, JSON_UNESCAPED_SLASHES
                | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE),
            'application/json');
    }

    /* Valid UTF-8 (bad bytes become U+FFFD) without the control
     * characters XML 1.0 forbids, escaped for text and attributes. */
    static function xmlText($s) {
        $s = htmlspecialchars((string) $s,
            ENT_QUOTES | ENT_XML1 | ENT_SUBSTITUTE, 'UTF-8');
        return preg_replace('/[\x00-\x08\x0B\x0C\x0E-\x1F]/', '', $s);
    }

    static function toXml(array $f) {
        $x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ticket>\n";
        foreach ($f as $k => $v) {
            if ($k === 'message') {
                $x .= sprintf("  <message type=\"%s\">%s</message>\n",
                    self::xmlText($v['type']), self::xmlText($v['body']));
                continue;
            }
            if (is_bool($v))
                $v = $v ? 'true' : 'false';
            $x .= sprintf("  <%s>%s</%s>\n", $k, self::xmlText($v), $k);
        }
        return $x . "</ticket>\n";
    }
}
