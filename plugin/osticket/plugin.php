<?php
/*
 * plugin.php - what osTicket's plugin manager reads to list, install and
 * load the deskpilot plugin (Admin Panel -> Manage -> Plugins).
 */
return array(
    'id' => 'deskpilot:bridge',
    'version' => '1.1.0',
    'ost_version' => '1.17',
    'name' => 'deskpilot',
    'author' => 'deskpilot',
    'description' => 'Sends customer messages and agent responses to deskpilot '
        . 'and applies its decisions: internal notes with drafts or reasons, '
        . 'priority, team, department, a VIP marker and (when allowed) replies.',
    'url' => 'https://github.com/deskpilot/deskpilot',
    'plugin' => 'deskpilot.php:DeskpilotPlugin',
);
