<?php
/*
 * class.settings.php - the plugin instance's settings as plain values.
 *
 * osTicket's PluginConfig is readable only while the instance bootstraps;
 * this copies what the plugin needs into a plain array then, normalising
 * choice fields (stored as key => label) and numbers, so nothing later
 * depends on osTicket's config classes (and tests can build one directly).
 */
class DeskpilotSettings {
    const DEFAULTS = array(
        'url' => '',
        'secret' => '',
        'format' => 'json',
        'connect_timeout' => 2,
        'timeout' => 3,
        'poster' => 'deskpilot',
        'reply_agent' => '',
        'send_messages' => true,
        'send_responses' => true,
        'vip_field' => '',
        'vip_marker' => 'deskpilot_vip',
        'window' => 300,
    );

    /* $get: function($key) returning the stored value or null. */
    static function from(callable $get) {
        $s = array();
        foreach (self::DEFAULTS as $key => $default) {
            $v = $get($key);
            if (is_array($v))                 // ChoiceField: key => label
                $v = key($v);
            if ($v === null || $v === '')
                $v = $default;
            if (is_bool($default))
                $v = (bool) $v;
            elseif (is_int($default))
                $v = max(1, (int) $v);
            else
                $v = trim((string) $v);
            $s[$key] = $v;
        }
        if (!in_array($s['format'], array('json', 'xml'), true))
            $s['format'] = 'json';
        return $s;
    }
}
