<?php
/* class.api.php - stands in for osTicket's file of this name (see osticket.php). */
require_once __DIR__ . '/osticket.php';
