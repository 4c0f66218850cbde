-- deskpilot plugin tables; %TABLE_PREFIX% is osTicket's table prefix.
-- Events that could not be delivered, resent on cron.
CREATE TABLE IF NOT EXISTS `%TABLE_PREFIX%deskpilot_outbox` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `delivery_id` varchar(64) NOT NULL,
  `payload` mediumtext NOT NULL,
  `attempts` int(11) unsigned NOT NULL DEFAULT 0,
  `next_at` int(11) unsigned NOT NULL,
  `last_error` varchar(255) NOT NULL DEFAULT '',
  `created` int(11) unsigned NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `delivery_id` (`delivery_id`),
  KEY `next_at` (`next_at`)
) DEFAULT CHARSET=utf8mb4;
-- Decisions already applied, by deskpilot's installation id (one per
-- deskpilot database) and decision id, and whether it was the decision or
-- its VIP SLA escalation: a repeat for the same ticket changes nothing, one
-- for another ticket is refused. (Plugin 1.0 keyed by the decision id
-- alone, in `deskpilot_decision`, which is no longer read.)
CREATE TABLE IF NOT EXISTS `%TABLE_PREFIX%deskpilot_applied` (
  `installation` varchar(64) NOT NULL,
  `decision_id` bigint(20) unsigned NOT NULL,
  `kind` varchar(16) NOT NULL,
  `ticket_id` int(11) unsigned NOT NULL,
  `result` text NOT NULL,
  `applied` int(11) unsigned NOT NULL,
  PRIMARY KEY (`installation`, `decision_id`, `kind`),
  KEY `ticket_id` (`ticket_id`)
) DEFAULT CHARSET=utf8mb4;
-- What the plugin last saw go right or wrong, per topic (delivery of
-- events, decisions, configuration), shown on the instance's config page;
-- and, under topics "log:...", when each kind of problem was last written
-- to osTicket's system log (once an hour at most).
CREATE TABLE IF NOT EXISTS `%TABLE_PREFIX%deskpilot_status` (
  `topic` varchar(64) NOT NULL,
  `level` varchar(16) NOT NULL,
  `kind` varchar(64) NOT NULL DEFAULT '',
  `message` text NOT NULL,
  `since` int(11) unsigned NOT NULL,
  `at` int(11) unsigned NOT NULL,
  `count` int(11) unsigned NOT NULL DEFAULT 1,
  PRIMARY KEY (`topic`)
) DEFAULT CHARSET=utf8mb4;
