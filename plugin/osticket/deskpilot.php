<?php
/*
 * deskpilot.php - the deskpilot plugin for osTicket 1.17 and 1.18.
 *
 * Out: every customer message (type M, including a new ticket's first
 * message) and agent response (type R) becomes one signed event POSTed to
 * deskpilot; undelivered events wait in a table and are resent on cron.
 * In: deskpilot's decisions arrive at /api/deskpilot/decision.json
 * (api.deskpilot.php) and are applied by lib/class.decision.php.
 *
 * Bootstrap runs once per enabled instance on every request; the first
 * enabled instance's settings are used and the signals are connected once
 * (a static flag), so two instances never send an event twice. The
 * instance config is only readable during bootstrap, so it is copied then.
 *
 * What keeps it from working is said on the instance's config page and in
 * osTicket's system log (lib/class.status.php): undelivered or refused
 * events, refused decisions, both event switches off.
 *
 * Loop guard: nothing the plugin writes itself (notes, replies; all under
 * DeskpilotGuard) is sent, nor notes, nor entries posted under the
 * configured poster name, nor bounces and auto-replies.
 */
require_once INCLUDE_DIR . 'class.plugin.php';
require_once INCLUDE_DIR . 'class.signal.php';
require_once __DIR__ . '/config.php';
require_once __DIR__ . '/lib/class.settings.php';
require_once __DIR__ . '/lib/class.signature.php';
require_once __DIR__ . '/lib/class.payload.php';
require_once __DIR__ . '/lib/class.outbound.php';
require_once __DIR__ . '/lib/class.store.php';
require_once __DIR__ . '/lib/class.status.php';
require_once __DIR__ . '/lib/class.decision.php';

class DeskpilotPlugin extends Plugin {
    var $config_class = 'DeskpilotConfig';

    /* Settings of the instance that bootstrapped first; null before. */
    static $settings = null;
    /* Replaced in tests. */
    static $transport = null;
    static $store = null;

    function bootstrap() {
        if (self::$settings !== null)
            return;
        $config = $this->getConfig();
        self::$settings = DeskpilotSettings::from(function ($key) use ($config) {
            return $config->get($key);
        });
        Signal::connect('threadentry.created', array('DeskpilotPlugin', 'onThreadEntry'));
        Signal::connect('cron', array('DeskpilotPlugin', 'onCron'));
        Signal::connect('api', array('DeskpilotPlugin', 'onApi'));
        if (!self::$settings['send_messages'] && !self::$settings['send_responses'])
            self::nag('config', 'warning', 'switches off', 'The deskpilot'
                . ' instance has "Customer messages" and "Agent responses"'
                . ' both off: deskpilot is sent nothing. Open the instance,'
                . ' tick them and save.');
    }

    /* A standing problem, logged once an hour at most. */
    private static function nag($topic, $level, $kind, $message) {
        try {
            (new DeskpilotStatus(self::$store ?: new DeskpilotDbStore()))
                ->nag($topic, $level, $kind, $message, time());
        } catch (Throwable $e) {
            error_log('deskpilot: ' . $message);
        }
    }

    function enable() {
        DeskpilotDbStore::install();
        return parent::enable();
    }

    private static function outbound() {
        return new DeskpilotOutbound(self::$settings,
            self::$transport ?: new DeskpilotCurlTransport(),
            self::$store ?: new DeskpilotDbStore());
    }

    /* Whether $entry is something deskpilot should hear about. */
    static function wanted($entry, array $s) {
        if (DeskpilotGuard::active())
            return false;
        $type = $entry->getType();
        if (!(($type === 'M' && $s['send_messages'])
                || ($type === 'R' && $s['send_responses'])))
            return false;
        if ($type === 'R' && (string) $entry->getPoster() === $s['poster'])
            return false;
        if (method_exists($entry, 'isBounceOrAutoReply')
                && $entry->isBounceOrAutoReply())
            return false;
        $thread = $entry->getThread();
        return $thread && $thread->getObjectType() === 'T'
            && $thread->getObject();
    }

    static function onThreadEntry($entry, &$data = null) {
        $s = self::$settings;
        if ($s === null || $s['url'] === '' || !self::wanted($entry, $s))
            return;
        try {
            $ticket = $entry->getThread()->getObject();
            $now = time();
            $fields = DeskpilotPayload::fields($entry, $ticket, $s,
                DeskpilotOutbound::newDeliveryId(), $now);
            self::outbound()->send($fields, $now);
        } catch (Throwable $e) {
            // Never break the request that created the entry.
            error_log('deskpilot: event not sent: ' . $e->getMessage());
        }
    }

    static function onCron($object, &$data = null) {
        if (self::$settings === null || self::$settings['url'] === '')
            return;
        try {
            self::outbound()->drain(time());
        } catch (Throwable $e) {
            error_log('deskpilot: resend failed: ' . $e->getMessage());
        }
    }

    static function onApi($dispatcher, &$data = null) {
        require_once __DIR__ . '/api.deskpilot.php';
        DeskpilotApiController::$settings = self::$settings;
        $dispatcher->append(url_post('^/deskpilot/decision\.(?P<format>json)$',
            array('DeskpilotApiController', 'decision')));
    }
}
