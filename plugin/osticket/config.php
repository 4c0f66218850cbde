<?php
/*
 * config.php - the settings form of a deskpilot plugin instance
 * (Admin Panel -> Manage -> Plugins -> deskpilot -> Instances).
 *
 * Every field has a fixed id. osTicket numbers fields without one from a
 * counter that runs afresh in every request, and a checkbox posts its
 * field's id as its value: the page that shows "Add New Instance" and the
 * request that saves it build the form after different numbers of other
 * fields, so without fixed ids the first save stores every checkbox
 * unchecked, and the plugin sends nothing.
 *
 * A configuration that cannot work is refused while the form is
 * validated, which in osTicket comes before an instance is created: the
 * reason shows under the field and nothing is stored. The top of the form
 * shows the plugin's status: what went wrong lately and what is missing
 * in osTicket (lib/class.status.php).
 */
require_once INCLUDE_DIR . 'class.plugin.php';
require_once __DIR__ . '/lib/class.settings.php';
require_once __DIR__ . '/lib/class.status.php';

class DeskpilotConfig extends PluginConfig {
    function getOptions() {
        $config = $this;
        return array(
            'sec_out' => new SectionBreakField(array(
                'id' => 1,
                'label' => 'Events sent to deskpilot',
            )),
            'url' => new TextboxField(array(
                'id' => 2,
                'label' => 'deskpilot hook URL',
                'hint' => 'e.g. https://deskpilot.example.com/hooks/osticket',
                'required' => true,
                'configuration' => array('size' => 60, 'length' => 255),
                'validators' => function ($field, $value) {
                    if ($value && !preg_match('#^https?://#i', (string) $value))
                        $field->addError('The deskpilot hook URL must start'
                            . ' with http:// or https://');
                },
            )),
            // Required, but osTicket never shows a stored secret: left
            // empty, it keeps the stored one, so changing another setting
            // does not mean typing the secret again.
            'secret' => new PasswordField(array(
                'id' => 3,
                'label' => 'Shared secret',
                'hint' => 'Same value as webhook_secret in deskpilot.conf [osticket]. Signs events both ways. Leave empty to keep the one saved.',
                'configuration' => array('size' => 60, 'length' => 255,
                    'key' => 'deskpilot'),
                'validators' => function ($field, $value) use ($config) {
                    if (!$value && (string) $config->get('secret') === '')
                        $field->addError('Shared secret is a required field');
                },
            )),
            'format' => new ChoiceField(array(
                'id' => 4,
                'label' => 'Payload format',
                'default' => 'json',
                'choices' => array('json' => 'JSON', 'xml' => 'XML'),
            )),
            'connect_timeout' => new TextboxField(array(
                'id' => 5,
                'label' => 'Connect timeout (seconds)',
                'default' => '2',
                'validator' => 'number',
                'configuration' => array('size' => 4, 'length' => 3),
            )),
            'timeout' => new TextboxField(array(
                'id' => 6,
                'label' => 'Total timeout (seconds)',
                'hint' => 'Events that fail are resent by osTicket\'s cron, not before 60 seconds.',
                'default' => '3',
                'validator' => 'number',
                'configuration' => array('size' => 4, 'length' => 3),
            )),
            'send_messages' => new BooleanField(array(
                'id' => 7,
                'label' => 'Customer messages',
                'default' => true,
                'configuration' => array('desc' => 'Send new tickets and customer follow-ups'),
                'validators' => function ($field, $value) {
                    $form = $field->getForm();
                    $other = $form ? $form->getField('send_responses') : null;
                    if (!$value && $other && !$other->getClean())
                        $field->addError('Customer messages and Agent'
                            . ' responses are both off: deskpilot would be'
                            . ' sent nothing. Tick at least Customer'
                            . ' messages.');
                },
            )),
            'send_responses' => new BooleanField(array(
                'id' => 8,
                'label' => 'Agent responses',
                'default' => true,
                'configuration' => array('desc' => 'Send agents\' public replies'),
            )),
            'vip_field' => new TextboxField(array(
                'id' => 9,
                'label' => 'VIP field (user or organization)',
                'hint' => 'Variable name of a User or Organization form field marking premium customers, e.g. vip. Empty: deskpilot\'s own rules only.',
                'configuration' => array('size' => 30, 'length' => 64),
            )),
            'sec_in' => new SectionBreakField(array(
                'id' => 10,
                'label' => 'Decisions written back by deskpilot',
                'hint' => 'deskpilot calls POST /api/deskpilot/decision.json with an osTicket API key (Admin Panel -> Manage -> API Keys) bound to the IP address deskpilot connects from; put that key in deskpilot.conf as [osticket] api_key.',
            )),
            'poster' => new TextboxField(array(
                'id' => 11,
                'label' => 'Post notes as',
                'default' => 'deskpilot',
                'configuration' => array('size' => 30, 'length' => 64),
            )),
            'reply_agent' => new TextboxField(array(
                'id' => 12,
                'label' => 'Reply agent (username)',
                'hint' => 'Agent that public AI replies are posted as (policy mode auto only). Empty: the name above.',
                'configuration' => array('size' => 30, 'length' => 64),
            )),
            'vip_marker' => new TextboxField(array(
                'id' => 13,
                'label' => 'VIP marker field',
                'default' => 'deskpilot_vip',
                'hint' => 'Variable name of a Checkbox field on the Ticket Details form, set on VIP tickets.',
                'configuration' => array('size' => 30, 'length' => 64),
            )),
            'window' => new TextboxField(array(
                'id' => 14,
                'label' => 'Signature time window (seconds)',
                'default' => '300',
                'validator' => 'number',
                'configuration' => array('size' => 6, 'length' => 5),
            )),
        );
    }

    /* The status block at the top of the form: problems as osTicket's
     * warning notice, the rest as the form's instructions. osTicket builds
     * the form of a save before it stores the values, so the page that
     * follows a save leaves out what the settings imply. */
    function getFormOptions() {
        try {
            $store = DeskpilotPlugin::$store ?: new DeskpilotDbStore();
            list($problems, $facts) = DeskpilotStatus::report(
                $this->settings(), $store, time(),
                ($_SERVER['REQUEST_METHOD'] ?? 'GET') !== 'POST');
        } catch (Throwable $e) {
            list($problems, $facts) = array(array(), array(
                'Status unavailable: ' . $e->getMessage()));
        }
        return array(
            'title' => 'deskpilot status',
            'instructions' => implode(' ', $facts),
            'notice' => implode(' | ', $problems),
        );
    }

    /* This form's values as the plugin reads them. */
    function settings() {
        $config = $this;
        return DeskpilotSettings::from(function ($key) use ($config) {
            return $config->get($key);
        });
    }

    /* osTicket's last check before storing (the update path; the fields'
     * validators have run by then). */
    function pre_save(&$config, &$errors) {
        if (!preg_match('#^https?://#i', $config['url'] ?? ''))
            $errors['err'] = 'The deskpilot hook URL must start with http:// or https://';
        elseif (empty($config['send_messages']) && empty($config['send_responses']))
            $errors['err'] = 'Customer messages and Agent responses are both'
                . ' off: deskpilot would be sent nothing.';
        if (!$errors) {
            try {
                $store = DeskpilotPlugin::$store ?: new DeskpilotDbStore();
                (new DeskpilotStatus($store))->ok('config', 'saved', time());
            } catch (Throwable $e) {
                // The status line is a convenience; saving goes on.
            }
        }
        return !$errors;
    }
}
