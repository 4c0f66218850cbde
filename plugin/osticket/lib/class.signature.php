<?php
/*
 * class.signature.php - HMAC-SHA256 over exact bodies, both directions.
 *
 * Events the plugin sends and decisions it receives carry
 * "X-Deskpilot-Signature: sha256=<hex>" over the exact body and
 * "X-Deskpilot-Timestamp: <unix seconds>", which must equal the body's own
 * "timestamp" and lie within the window: a captured request cannot be
 * replayed later, and a replay inside the window is caught by the ids
 * (delivery id on deskpilot's side, decision id here).
 */
class DeskpilotSignature {
    const SIG_HEADER = 'X-Deskpilot-Signature';
    const TS_HEADER = 'X-Deskpilot-Timestamp';

    static function sign($body, $secret) {
        return 'sha256=' . hash_hmac('sha256', $body, $secret);
    }

    /* Returns null when the request is authentic and fresh, else the
     * reason. $bodyTs is the body's "timestamp" (checked after parsing;
     * pass null to check only the signature and the header). */
    static function check($body, $sigHeader, $tsHeader, $bodyTs, $secret,
            $now, $window) {
        if ($secret === '')
            return 'no shared secret is configured';
        if (!is_string($sigHeader) || strncmp($sigHeader, 'sha256=', 7) !== 0)
            return 'missing or malformed ' . self::SIG_HEADER;
        if (!hash_equals(self::sign($body, $secret), strtolower($sigHeader)))
            return 'signature does not match the body';
        if (!is_string($tsHeader) || !ctype_digit($tsHeader))
            return 'missing or malformed ' . self::TS_HEADER;
        $ts = (int) $tsHeader;
        if (abs($now - $ts) > $window)
            return 'stale or replayed request';
        if ($bodyTs !== null && (string) $bodyTs !== $tsHeader)
            return self::TS_HEADER . ' does not match the body';
        return null;
    }
}
