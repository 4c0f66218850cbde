<?php
/*
 * api.deskpilot.php - POST /api/deskpilot/decision.json, where deskpilot
 * writes its decisions back.
 *
 * osTicket's API key (X-API-Key, bound to the caller's IP) is checked
 * first by requireApiKey(), which answers 401 itself; then
 * DeskpilotDecision::handle checks deskpilot's signature and applies.
 */
require_once INCLUDE_DIR . 'class.api.php';

class DeskpilotApiController extends ApiController {
    /* The instance settings, set when the plugin bootstraps. */
    static $settings = null;

    function decision($format) {
        $this->requireApiKey();
        if (self::$settings === null)
            return self::answer(400, array('error' => 'no enabled deskpilot plugin instance'));
        $body = (string) file_get_contents('php://input', false, null, 0,
            DeskpilotDecision::MAX_BODY + 1);
        list($code, $answer) = DeskpilotDecision::handle(self::$settings,
            new DeskpilotDbStore(), $body,
            $_SERVER['HTTP_X_DESKPILOT_SIGNATURE'] ?? null,
            $_SERVER['HTTP_X_DESKPILOT_TIMESTAMP'] ?? null, time());
        self::answer($code, $answer);
    }

    private static function answer($code, array $answer) {
        Http::response($code, json_encode($answer, JSON_UNESCAPED_SLASHES
            | JSON_UNESCAPED_UNICODE), 'application/json');
    }
}
