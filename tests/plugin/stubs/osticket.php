<?php
/*
 * osticket.php - small stand-ins for the osTicket 1.18 classes the plugin
 * touches, with the same method names and argument order, recording what
 * the plugin did so tests can assert on it. Nothing here is osTicket
 * code; only the surface the plugin uses is imitated. The settings form's
 * path through osTicket is in forms.php.
 */
define('TABLE_PREFIX', 'ost_');

/* Everything the stand-ins were asked to do, in order. */
class Rec {
    static $calls = array();
    static function add($what) { self::$calls[] = $what; }
    static function reset() { self::$calls = array(); }
    static function has($prefix) {
        foreach (self::$calls as $c)
            if (strncmp($c, $prefix, strlen($prefix)) === 0)
                return true;
        return false;
    }
}

class Signal {
    static $handlers = array();
    static function connect($signal, $callable) {
        self::$handlers[$signal][] = $callable;
    }
    static function send($signal, $object, &$data = null) {
        foreach (self::$handlers[$signal] ?? array() as $h)
            call_user_func_array($h, array($object, &$data));
    }
}

require_once __DIR__ . '/forms.php';

/* osTicket's $ost: the system log (Admin Panel -> Dashboard -> System
 * Logs), recorded. */
class OsticketLog {
    var $lines = array();
    function logWarning($title, $message, $alert = true) {
        $this->lines[] = array('Warning', $title, $message, $alert);
    }
    function logError($title, $message, $alert = true) {
        $this->lines[] = array('Error', $title, $message, $alert);
    }
}
$GLOBALS['ost'] = new OsticketLog();

class ApiController {
    function requireApiKey() { return true; }
}

class Dispatcher {
    var $urls = array();
    function append($url) { $this->urls[] = $url; }
}
function url_post($regex, $func) {
    return array('POST', $regex, $func);
}

class TextThreadEntryBody {
    var $text;
    function __construct($text) { $this->text = $text; }
    function getType() { return 'text'; }
    function getClean() { return $this->text; }
}
class HtmlThreadEntryBody extends TextThreadEntryBody {
    function getType() { return 'html'; }
}

class Named {
    var $id, $name;
    function __construct($id, $name) { $this->id = $id; $this->name = $name; }
    function getId() { return $this->id; }
    function getName() { return $this->name; }
}

class Priority {
    static function getPriorities() {
        return array(1 => 'Low', 2 => 'Normal', 3 => 'High', 4 => 'Emergency');
    }
}
class Team {
    static function getIdByName($name) { return $name === 'VIP' ? 7 : 0; }
}
class Dept {
    static function getIdByName($name) {
        return array('Support' => 1, 'Priority Desk' => 5)[$name] ?? 0;
    }
}
class Staff {
    static function getIdByUsername($u) { return $u === 'ai.bot' ? 12 : 0; }
}

/* An answer on a form entry: a field name, a value and a value id. */
class Answer {
    var $value, $id;
    function __construct($value, $id = null) {
        $this->value = $value;
        $this->id = $id;
    }
    function getValue() { return $this->value; }
}

class DynamicFormEntry {
    /* ticket id => list of entries */
    static $byTicket = array();
    var $answers;
    var $missing; /* fields addMissingFields() creates */
    function __construct(array $answers, array $missing = array()) {
        $this->answers = $answers;
        $this->missing = $missing;
    }
    static function forTicket($id) { return self::$byTicket[$id] ?? array(); }
    function getAnswer($name) { return $this->answers[$name] ?? null; }
    function addMissingFields() {
        foreach ($this->missing as $name)
            $this->answers[$name] = new Answer(null);
        $this->missing = array();
    }
    function setAnswer($name, $value, $id = false) {
        $this->answers[$name] = new Answer($value, $id === false ? null : $id);
        Rec::add("setAnswer:$name=" . var_export($value, true)
            . ($id === false ? '' : "#$id"));
    }
    function save() { Rec::add('form.save'); return true; }
}

/* A user or organization with custom field answers (getVar). */
class Person extends Named {
    var $vars, $org;
    function __construct($id, $name, array $vars = array(), $org = null) {
        parent::__construct($id, $name);
        $this->vars = $vars;
        $this->org = $org;
    }
    function getVar($tag) {
        return isset($this->vars[$tag]) ? new Answer($this->vars[$tag]) : null;
    }
    function getOrganization() { return $this->org; }
}

class User extends Person {
    static $all = array();
    function __construct($id, $name, array $vars = array(), $org = null) {
        parent::__construct($id, $name, $vars, $org);
        self::$all[$id] = $this;
    }
    static function lookup($id) { return self::$all[$id] ?? null; }
}

class Ticket {
    static $all = array();
    var $id, $number, $deptId = 1, $owner, $nextEntry = 500;
    var $guarded = array(); /* DeskpilotGuard::active() at each write */
    function __construct($id, $number, $owner = null) {
        $this->id = $id;
        $this->number = $number;
        $this->owner = $owner;
        self::$all[$id] = $this;
    }
    static function lookup($id) { return self::$all[$id] ?? null; }
    function getId() { return $this->id; }
    function getNumber() { return $this->number; }
    function getSubject() { return 'Lieferung nicht angekommen – Bestellung #88412'; }
    function getDept() { return new Named(1, 'Support'); }
    function getDeptId() { return $this->deptId; }
    function getTopic() { return new Named(3, 'Orders / Shipping'); }
    function getPriority() { return new Named(2, 'Normal'); }
    function getStatus() { return new Named(1, 'Open'); }
    function getSource() { return 'Email'; }
    function getOwnerId() { return $this->owner ? $this->owner->getId() : 0; }
    function getName() { return $this->owner ? $this->owner->getName() : ''; }
    function getEmail() { return 'juergen.weiss@example.de'; }
    private function entry($type) {
        $this->guarded[] = DeskpilotGuard::active();
        return new ThreadEntry($this->nextEntry++, $type, 'x', null, $this);
    }
    function postNote($vars, &$errors, $poster = false, $alert = true) {
        Rec::add(sprintf('postNote:%s|%s|%s|alert=%d', $vars['title'],
            $vars['note']->getClean(), $poster, $alert));
        return $this->entry('N');
    }
    function postReply($vars, &$errors, $alert = true, $claim = true) {
        Rec::add(sprintf('postReply:%s|%s|%s|staff=%s',
            $vars['response']->getClean(), $vars['poster'],
            $vars['reply-to'], $vars['staffId'] ?? '-'));
        return $this->entry('R');
    }
    function assignToTeam($team, $note, $alert = true) {
        Rec::add("assignToTeam:$team");
        return true;
    }
    function assignToStaff($staff, $note, $alert = true) {
        Rec::add("assignToStaff:$staff");
        return true;
    }
    function setDeptId($id) {
        if ($id == $this->deptId)
            return false;
        $this->deptId = $id;
        Rec::add("setDeptId:$id");
        return true;
    }
    function logEvent($state, $data = null) {
        Rec::add("logEvent:$state");
    }
}

class Thread {
    var $object;
    function __construct($object) { $this->object = $object; }
    function getObjectType() { return 'T'; }
    function getObject() { return $this->object; }
}

class ThreadEntry {
    var $id, $type, $poster, $body, $ticket, $autoReply = false;
    function __construct($id, $type, $poster, $body, $ticket) {
        $this->id = $id;
        $this->type = $type;
        $this->poster = $poster;
        $this->body = $body;
        $this->ticket = $ticket;
    }
    function getId() { return $this->id; }
    function getType() { return $this->type; }
    function getPoster() { return $this->poster; }
    function getBody() { return $this->body; }
    function getCreateDate() { return '2024-11-25 16:00:00'; }
    function getThread() { return new Thread($this->ticket); }
    function isBounceOrAutoReply() { return $this->autoReply; }
}
