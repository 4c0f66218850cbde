<?php
/*
 * class.outbound.php - deliver events to deskpilot, and keep the ones that
 * could not be delivered for the next cron run.
 *
 * Design: the event is sent inside the request that created the thread
 * entry (a customer's web request, an API call, the mail fetch), so the
 * call is bounded by short connect/total timeouts and never throws. A
 * failed event is stored as its fields, not its bytes: a resend gets a
 * fresh timestamp and signature (deskpilot refuses stale ones) but keeps
 * its delivery id, so deskpilot stores it once however often it arrives.
 */
class DeskpilotOutbound {
    /* Resends per event before it is dropped (about a day and a half of
     * backoff: 1, 2, 4 ... 32 minutes, then hourly). */
    const MAX_ATTEMPTS = 40;
    /* Events resent per cron run. */
    const BATCH = 25;
    /* Seconds before the first resend of a failed event. */
    const FIRST_RETRY = 60;

    private $settings;
    private $transport;
    private $store;
    private $status;

    function __construct(array $settings, $transport, $store) {
        $this->settings = $settings;
        $this->transport = $transport;
        $this->store = $store;
        $this->status = new DeskpilotStatus($store);
    }

    /* One attempt; returns null when deskpilot took it, else
     * array(kind of failure, reason). */
    function attempt(array $fields, $now) {
        $fields['timestamp'] = (int) $now;
        list($body, $type) = DeskpilotPayload::encode($fields,
            $this->settings['format']);
        $headers = array(
            'Content-Type: ' . $type,
            DeskpilotSignature::SIG_HEADER . ': '
                . DeskpilotSignature::sign($body, $this->settings['secret']),
            DeskpilotSignature::TS_HEADER . ': ' . (int) $now,
        );
        $r = $this->transport->post($this->settings['url'], $headers, $body,
            $this->settings['connect_timeout'], $this->settings['timeout']);
        if ($r['status'] >= 200 && $r['status'] < 300)
            return null;
        if ($r['status'] == 0)
            return array('unreachable', 'deskpilot unreachable: ' . $r['error']);
        return array('answered ' . (int) $r['status'], sprintf(
            'deskpilot answered %d: %s', $r['status'],
            substr(trim($r['body']), 0, 200)));
    }

    /* Send now; on failure queue for cron. Returns true when delivered. */
    function send(array $fields, $now) {
        $failed = $this->attempt($fields, $now);
        $this->report($fields, $failed, 'waits for a resend by cron (not'
            . ' before ' . self::FIRST_RETRY . ' s)', $now);
        if ($failed === null)
            return true;
        $this->store->queue($fields['delivery_id'], json_encode($fields,
            JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE),
            $failed[1], $now + self::FIRST_RETRY, $now);
        return false;
    }

    /* Resend what is due; returns array(sent, failed, dropped). */
    function drain($now) {
        $sent = $failed = $dropped = 0;
        foreach ($this->store->due($now, self::BATCH) as $row) {
            $fields = json_decode($row['payload'], true);
            $why = is_array($fields) ? $this->attempt($fields, $now)
                : array('unreadable', 'stored event is unreadable');
            if ($why === null) {
                $this->store->sent($row['id']);
                $this->report($fields, null, '', $now);
                $sent++;
            } elseif ($row['attempts'] + 1 >= self::MAX_ATTEMPTS
                    || !is_array($fields)) {
                $this->store->sent($row['id']);
                $this->status->problem('delivery', 'error', 'dropped',
                    sprintf('An event for ticket %s was dropped after %d'
                        . ' attempts: %s', self::ticket($fields),
                        $row['attempts'] + 1, $why[1]), $now);
                $dropped++;
            } else {
                $delay = min(3600, 60 << min(6, (int) $row['attempts'] + 1));
                $this->store->failed($row['id'], $why[1], $now + $delay);
                $this->report($fields, $why, sprintf('will be resent in %d'
                    . ' minutes', $delay / 60), $now);
                $failed++;
            }
        }
        return array($sent, $failed, $dropped);
    }

    /* Record a delivery for the config page; a failure also goes to the
     * system log: an error when deskpilot refused the event (4xx: the
     * secret, the URL), a warning when it could not be reached. Never
     * throws: delivery runs inside other people's requests. */
    private function report($fields, $failed, $next, $now) {
        try {
            if ($failed === null) {
                $this->status->ok('delivery', sprintf('last event delivered:'
                    . ' ticket %s', self::ticket($fields)), $now);
                return;
            }
            $refused = strncmp($failed[0], 'answered 4', 10) === 0;
            $this->status->problem('delivery', $refused ? 'error' : 'warning',
                $failed[0], sprintf('An event for ticket %s was not delivered'
                    . ' and %s: %s', self::ticket($fields), $next,
                    $failed[1]), $now);
        } catch (Throwable $e) {
            error_log('deskpilot: status not recorded: ' . $e->getMessage());
        }
    }

    private static function ticket($fields) {
        return is_array($fields) && isset($fields['number'])
            ? '#' . $fields['number'] : '(unknown)';
    }

    /* A random delivery id (UUID v4 text). */
    static function newDeliveryId() {
        $b = random_bytes(16);
        $b[6] = chr((ord($b[6]) & 0x0f) | 0x40);
        $b[8] = chr((ord($b[8]) & 0x3f) | 0x80);
        return vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($b), 4));
    }
}

/* HTTP POST with libcurl: no redirects, http/https only, hard timeouts. */
class DeskpilotCurlTransport {
    function post($url, array $headers, $body, $connectTimeout, $timeout) {
        if (!function_exists('curl_init'))
            return array('status' => 0, 'body' => '',
                'error' => 'php-curl is not installed');
        $c = curl_init($url);
        curl_setopt_array($c, array(
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_CONNECTTIMEOUT_MS => (int) ($connectTimeout * 1000),
            CURLOPT_TIMEOUT_MS => (int) ($timeout * 1000),
            CURLOPT_NOSIGNAL => true,
        ));
        $out = curl_exec($c);
        $r = array(
            'status' => $out === false ? 0
                : (int) curl_getinfo($c, CURLINFO_RESPONSE_CODE),
            'body' => $out === false ? '' : (string) $out,
            'error' => curl_error($c),
        );
        curl_close($c);
        return $r;
    }
}
