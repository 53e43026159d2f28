<?php
// server.php: the SabreDAV benchmark peer, set up like a classic Baikal (SabreDAV 1.8 era):
// PDO SQLite backends, Apache does Basic auth, CalDAV + CardDAV + ACL plugins.
//
// Apache passes the database path in SABREDAV_DB (SetEnv, see ../sabredav.sh). Debian 12
// ships SabreDAV 1.8, which has no Sync plugin: sync-collection (RFC 6578) is unsupported.

date_default_timezone_set('UTC');
// Sabre 1.8 predates PHP 8: its deprecation notices must not turn into 500s.
error_reporting(E_ALL & ~E_DEPRECATED & ~E_STRICT);
ini_set('display_errors', '0');

require_once 'Sabre/autoload.php';

$pdo = new PDO('sqlite:' . $_SERVER['SABREDAV_DB']);
$pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);

$principalBackend = new Sabre\DAVACL\PrincipalBackend\PDO($pdo);
$tree = array(
    new Sabre\CalDAV\Principal\Collection($principalBackend),
    new Sabre\CalDAV\CalendarRootNode($principalBackend, new Sabre\CalDAV\Backend\PDO($pdo)),
    new Sabre\CardDAV\AddressBookRoot($principalBackend, new Sabre\CardDAV\Backend\PDO($pdo)),
);

$server = new Sabre\DAV\Server($tree);
$server->setBaseUri('/');
// Baikal's "Apache" auth mode: mod_auth_basic checked the password, Sabre trusts REMOTE_USER.
$server->addPlugin(new Sabre\DAV\Auth\Plugin(new Sabre\DAV\Auth\Backend\Apache(), 'bench'));
$server->addPlugin(new Sabre\DAVACL\Plugin());
$server->addPlugin(new Sabre\CalDAV\Plugin());
$server->addPlugin(new Sabre\CardDAV\Plugin());
$server->exec();
