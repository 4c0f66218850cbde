<?php
/*
 * class.decision.php - apply one deskpilot decision to an osTicket ticket.
 *
 * handle() is the whole route after osTicket's API key check: signature
 * over the exact body first (401), then JSON (400), the body's timestamp
 * (401), the fields (422), then whether it was applied before, the ticket
 * (404); then the changes in a fixed order: internal note, VIP marker,
 * priority, team or agent, department, and for ai_reply a public reply.
 * It answers what changed.
 *
 * A decision is named by deskpilot's installation id (one per deskpilot
 * database) and its decision id: decision ids restart at 1 in every
 * database, so the id alone would take a new database's decision for an
 * old one and drop it. Applied again for the same ticket, it answers 200
 * "duplicate" with the first answer and changes nothing; for another
 * ticket (a deskpilot database restored from a backup or copied) it is
 * refused with 422, and deskpilot dead-letters it. The VIP SLA escalation
 * of a decision ("escalation": true: a note and the urgent priority) is
 * keyed apart from the decision itself.
 *
 * What goes wrong (refusals, conflicts, warnings) is recorded for the
 * config page and osTicket's system log (class.status.php).
 *
 * Invariants: a human_vip decision, or any decision marked vip, never
 * posts a reply; everything the plugin posts runs under DeskpilotGuard, so
 * it never produces an event back to deskpilot.
 */
class DeskpilotGuard {
    /* > 0 while the plugin itself is writing to a ticket. */
    static $depth = 0;

    static function run(callable $f) {
        self::$depth++;
        try {
            return $f();
        } finally {
            self::$depth--;
        }
    }

    static function active() {
        return self::$depth > 0;
    }
}

class DeskpilotDecision {
    const MAX_BODY = 1048576;
    const OUTCOMES = array('human_vip', 'human', 'ai_draft', 'ai_reply');

    /* Returns array(HTTP status, answer array). Only statuses osTicket's
     * Http::response knows are used. */
    static function handle(array $settings, $store, $body, $sigHeader,
            $tsHeader, $now) {
        list($code, $answer) = self::decide($settings, $store, $body,
            $sigHeader, $tsHeader, $now);
        try {
            self::report(new DeskpilotStatus($store), $code, $answer, $now);
        } catch (Throwable $e) {
            error_log('deskpilot: status not recorded: ' . $e->getMessage());
        }
        return array($code, $answer);
    }

    private static function decide(array $settings, $store, $body,
            $sigHeader, $tsHeader, $now) {
        if (strlen($body) > self::MAX_BODY)
            return array(400, array('error' => 'body is too large'));
        $why = DeskpilotSignature::check($body, $sigHeader, $tsHeader, null,
            $settings['secret'], $now, $settings['window']);
        if ($why !== null)
            return array(401, array('error' => $why));
        $d = json_decode($body, true, 8);
        if (!is_array($d))
            return array(400, array('error' => 'body is not a JSON object'));
        $why = DeskpilotSignature::check($body, $sigHeader, $tsHeader,
            $d['timestamp'] ?? '', $settings['secret'], $now,
            $settings['window']);
        if ($why !== null)
            return array(401, array('error' => $why));
        if (($why = self::invalid($d)) !== null)
            return array(422, array('error' => $why));

        $inst = $d['installation'];
        $id = $d['decision_id'];
        $tid = $d['ticket_id'];
        $kind = !empty($d['escalation']) ? 'escalation' : 'decision';
        if (($first = $store->applied($inst, $id, $kind)) !== null) {
            if ($first['ticket_id'] !== $tid)
                return array(422, array('status' => 'conflict',
                    'error' => sprintf('%s %d of deskpilot installation %s'
                        . ' was applied to ticket %d before, not to ticket %d;'
                        . ' nothing was changed (was deskpilot\'s database'
                        . ' copied or restored from a backup?)',
                        $kind, $id, $inst, $first['ticket_id'], $tid),
                    'installation' => $inst, 'decision_id' => $id,
                    'ticket_id' => $first['ticket_id']));
            return array(200, array('status' => 'duplicate',
                'installation' => $inst, 'decision_id' => $id,
                'ticket_id' => $tid, 'changed' => (object) array(),
                'first' => $first['result']));
        }
        $ticket = Ticket::lookup($tid);
        if (!$ticket)
            return array(404, array('error' => sprintf('no ticket %d', $tid)));
        if (isset($d['ticket_number'])
                && (string) $ticket->getNumber() !== (string) $d['ticket_number'])
            return array(422, array('error' => sprintf(
                'ticket %d has number %s, not %s', $tid,
                $ticket->getNumber(), $d['ticket_number'])));

        $result = DeskpilotGuard::run(function () use ($settings, $d, $ticket) {
            return self::apply($settings, $d, $ticket);
        });
        $store->recordApplied($inst, $id, $kind, $tid, $result, $now);
        return array(201, $result);
    }

    /* Record the outcome for the config page; problems also go to the
     * system log. */
    private static function report($status, $code, array $a, $now) {
        $what = isset($a['decision_id']) ? sprintf('decision %d (ticket id %d)',
            $a['decision_id'], $a['ticket_id']) : '';
        if ($code === 201 && $a['warnings'])
            $status->problem('decisions', 'warning',
                'warnings: ' . implode('; ', $a['warnings']),
                sprintf('%s was applied, but: %s', $what,
                    implode('; ', $a['warnings'])), $now);
        elseif ($code === 201)
            $status->ok('decisions', 'last applied: ' . $what, $now);
        elseif ($code === 200)
            $status->ok('decisions', 'last repeated (already applied): '
                . $what, $now);
        elseif (($a['status'] ?? '') === 'conflict')
            $status->problem('decisions', 'error', 'conflict',
                'A decision was refused: ' . $a['error'], $now);
        elseif ($code === 401)
            $status->problem('decisions', 'warning', 'answered 401',
                'A decision was refused: ' . $a['error'] . '. The shared'
                . ' secret must equal webhook_secret in deskpilot.conf, and'
                . ' both clocks must be right.', $now);
        else
            $status->problem('decisions', 'warning', 'answered ' . $code,
                sprintf('A decision was refused (%d): %s', $code,
                    $a['error'] ?? ''), $now);
    }

    /* Why the decision is unusable, or null. */
    static function invalid(array $d) {
        foreach (array('decision_id', 'ticket_id') as $k)
            if (!isset($d[$k]) || !is_int($d[$k]) || $d[$k] <= 0)
                return "'$k' must be a positive integer";
        if (!is_string($d['installation'] ?? null)
                || !preg_match('/^[A-Za-z0-9_-]{8,64}$/', $d['installation']))
            return "'installation' must be deskpilot's installation id"
                . ' (8 to 64 letters, digits, - or _)';
        if (($d['action'] ?? '') !== 'decision')
            return "'action' must be \"decision\"";
        if (!in_array($d['outcome'] ?? '', self::OUTCOMES, true))
            return "'outcome' must be one of " . implode(', ', self::OUTCOMES);
        foreach (array('note', 'draft', 'reply', 'priority', 'team', 'agent',
                'dept', 'ticket_number') as $k)
            if (isset($d[$k]) && !is_string($d[$k]))
                return "'$k' must be a string";
        foreach (array('vip', 'escalation') as $k)
            if (isset($d[$k]) && !is_bool($d[$k]))
                return "'$k' must be a boolean";
        return null;
    }

    static function noteText(array $d) {
        $text = trim($d['note'] ?? '');
        if (($d['draft'] ?? '') !== '')
            $text .= ($text !== '' ? "\n\n" : '')
                . "Suggested reply (not sent to the customer):\n\n"
                . $d['draft'];
        if ($text === '')
            $text = 'deskpilot decided: ' . $d['outcome'];
        return $text;
    }

    static function apply(array $settings, array $d, $ticket) {
        $vip = ($d['vip'] ?? false) || $d['outcome'] === 'human_vip';
        $changed = array();
        $warnings = array();
        $errors = array();

        $title = sprintf(!empty($d['escalation'])
            ? 'deskpilot: VIP reply overdue (decision %2$d)'
            : 'deskpilot: %1$s (decision %2$d)', $d['outcome'],
            $d['decision_id']);
        $note = $ticket->postNote(array('title' => $title,
                'note' => new TextThreadEntryBody(self::noteText($d))),
            $errors, $settings['poster'], false);
        if ($note)
            $changed['note'] = (int) $note->getId();
        else
            $warnings[] = 'note not posted: ' . implode('; ', $errors);

        if ($vip) {
            if (self::setAnswer($ticket, $settings['vip_marker'], '1'))
                $changed['vip'] = true;
            else
                $warnings[] = sprintf("VIP marker field '%s' is not on the"
                    . " ticket's forms", $settings['vip_marker']);
        }
        if (($d['priority'] ?? '') !== '') {
            $pid = self::priorityId($d['priority']);
            if ($pid && self::setAnswer($ticket, 'priority', null, $pid))
                $changed['priority'] = $d['priority'];
            else
                $warnings[] = sprintf("priority '%s' not set", $d['priority']);
        }
        if (($d['team'] ?? '') !== '') {
            $tid = Team::getIdByName($d['team']);
            if ($tid && $ticket->assignToTeam($tid, '', false))
                $changed['team'] = $d['team'];
            else
                $warnings[] = sprintf("team '%s' not assigned", $d['team']);
        }
        if (($d['agent'] ?? '') !== '') {
            $sid = Staff::getIdByUsername($d['agent']);
            if ($sid && $ticket->assignToStaff($sid, '', false))
                $changed['agent'] = $d['agent'];
            else
                $warnings[] = sprintf("agent '%s' not assigned", $d['agent']);
        }
        if (($d['dept'] ?? '') !== '') {
            $did = Dept::getIdByName($d['dept']);
            if ($did && $ticket->setDeptId($did)) {
                $ticket->logEvent('transferred', array('dept' => $d['dept']));
                $changed['dept'] = $d['dept'];
            } elseif ($did && (int) $ticket->getDeptId() === (int) $did) {
                $changed['dept'] = $d['dept'];
            } else {
                $warnings[] = sprintf("department '%s' not set", $d['dept']);
            }
        }
        if ($d['outcome'] === 'ai_reply' && !$vip
                && ($d['reply'] ?? '') !== '') {
            $vars = array(
                'response' => new TextThreadEntryBody($d['reply']),
                'poster' => $settings['poster'],
                'reply-to' => 'all',
            );
            if ($settings['reply_agent'] !== ''
                    && ($sid = Staff::getIdByUsername($settings['reply_agent'])))
                $vars['staffId'] = $sid;
            $errors = array();
            $reply = $ticket->postReply($vars, $errors, true, false);
            if ($reply)
                $changed['reply'] = (int) $reply->getId();
            else
                $warnings[] = 'reply not posted: ' . implode('; ', $errors);
        }
        return array('status' => 'applied',
            'installation' => $d['installation'],
            'decision_id' => (int) $d['decision_id'],
            'ticket_id' => (int) $d['ticket_id'],
            'changed' => (object) $changed, 'warnings' => $warnings);
    }

    /* The id of the priority whose description or tag is $name. */
    static function priorityId($name) {
        foreach (Priority::getPriorities() as $id => $desc)
            if (strcasecmp(trim($desc), trim($name)) === 0)
                return (int) $id;
        return 0;
    }

    /* Set a ticket form answer by field name; creates the answer row when
     * the field was added to the form after the ticket was. */
    static function setAnswer($ticket, $field, $value, $id = false) {
        foreach (DynamicFormEntry::forTicket($ticket->getId()) as $entry) {
            if (!$entry->getAnswer($field))
                $entry->addMissingFields();
            if ($entry->getAnswer($field)) {
                $entry->setAnswer($field, $value, $id);
                $entry->save();
                return true;
            }
        }
        return false;
    }
}
