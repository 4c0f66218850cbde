<?php
/*
 * config.php - the settings form of a deskpilot plugin instance
 * (Admin Panel -> Manage -> Plugins -> deskpilot -> Instances).
 */
require_once INCLUDE_DIR . 'class.plugin.php';

class DeskpilotConfig extends PluginConfig {
    function getOptions() {
        return array(
            'sec_out' => new SectionBreakField(array(
                'label' => 'Events sent to deskpilot',
            )),
            'url' => new TextboxField(array(
                'label' => 'deskpilot hook URL',
                'hint' => 'e.g. https://deskpilot.example.com/hooks/osticket',
                'required' => true,
                'configuration' => array('size' => 60, 'length' => 255),
            )),
            'secret' => new PasswordField(array(
                'label' => 'Shared secret',
                'hint' => 'Same value as webhook_secret in deskpilot.conf [osticket]. Signs events both ways.',
                'required' => true,
                'configuration' => array('size' => 60, 'length' => 255,
                    'key' => 'deskpilot'),
            )),
            'format' => new ChoiceField(array(
                'label' => 'Payload format',
                'default' => 'json',
                'choices' => array('json' => 'JSON', 'xml' => 'XML'),
            )),
            'connect_timeout' => new TextboxField(array(
                'label' => 'Connect timeout (seconds)',
                'default' => '2',
                'validator' => 'number',
                'configuration' => array('size' => 4, 'length' => 3),
            )),
            'timeout' => new TextboxField(array(
                'label' => 'Total timeout (seconds)',
                'hint' => 'Events that fail are resent by osTicket\'s cron.',
                'default' => '3',
                'validator' => 'number',
                'configuration' => array('size' => 4, 'length' => 3),
            )),
            'send_messages' => new BooleanField(array(
                'label' => 'Customer messages',
                'default' => true,
                'configuration' => array('desc' => 'Send new tickets and customer follow-ups'),
            )),
            'send_responses' => new BooleanField(array(
                'label' => 'Agent responses',
                'default' => true,
                'configuration' => array('desc' => 'Send agents\' public replies'),
            )),
            'vip_field' => new TextboxField(array(
                'label' => 'VIP field (user or organization)',
                'hint' => 'Variable name of a User or Organization form field marking premium customers, e.g. vip. Empty: deskpilot\'s own rules only.',
                'configuration' => array('size' => 30, 'length' => 64),
            )),
            'sec_in' => new SectionBreakField(array(
                'label' => 'Decisions written back by deskpilot',
                'hint' => 'deskpilot calls POST /api/deskpilot/decision.json with an osTicket API key (Admin Panel -> Manage -> API Keys) bound to the IP address deskpilot connects from; put that key in deskpilot.conf as [osticket] api_key.',
            )),
            'poster' => new TextboxField(array(
                'label' => 'Post notes as',
                'default' => 'deskpilot',
                'configuration' => array('size' => 30, 'length' => 64),
            )),
            'reply_agent' => new TextboxField(array(
                'label' => 'Reply agent (username)',
                'hint' => 'Agent that public AI replies are posted as (policy mode auto only). Empty: the name above.',
                'configuration' => array('size' => 30, 'length' => 64),
            )),
            'vip_marker' => new TextboxField(array(
                'label' => 'VIP marker field',
                'default' => 'deskpilot_vip',
                'hint' => 'Variable name of a Checkbox field on the Ticket Details form, set on VIP tickets.',
                'configuration' => array('size' => 30, 'length' => 64),
            )),
            'window' => new TextboxField(array(
                'label' => 'Signature time window (seconds)',
                'default' => '300',
                'validator' => 'number',
                'configuration' => array('size' => 6, 'length' => 5),
            )),
        );
    }

    function pre_save(&$config, &$errors) {
        if (!preg_match('#^https?://#i', $config['url'] ?? ''))
            $errors['err'] = 'The deskpilot hook URL must start with http:// or https://';
        return !$errors;
    }
}
