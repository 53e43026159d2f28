<?php
// init.php DB USER: creates SabreDAV 1.8's SQLite schema (the tables of Debian's
// examples/sql/sqlite.*.sql) with USER's principal, one calendar and one address book.
//
// The shipped schema has no indexes at all; every GET/PUT/DELETE looks a resource up by
// (calendarid, uri) or (addressbookid, uri), so we add those two, as any deployment would.

if ($argc != 3) {
    fwrite(STDERR, "usage: init.php DB USER\n");
    exit(2);
}
list(, $db, $user) = $argv;
$pdo = new PDO('sqlite:' . $db);
$pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);

$schema = <<<SQL
CREATE TABLE calendarobjects (id integer primary key asc, calendardata blob, uri text,
    calendarid integer, lastmodified integer, etag text, size integer, componenttype text,
    firstoccurence integer, lastoccurence integer);
CREATE TABLE calendars (id integer primary key asc, principaluri text, displayname text,
    uri text, ctag integer, description text, calendarorder integer, calendarcolor text,
    timezone text, components text, transparent bool);
CREATE TABLE principals (id INTEGER PRIMARY KEY ASC, uri TEXT, email TEXT, displayname TEXT,
    vcardurl TEXT, UNIQUE(uri));
CREATE TABLE groupmembers (id INTEGER PRIMARY KEY ASC, principal_id INTEGER,
    member_id INTEGER, UNIQUE(principal_id, member_id));
CREATE TABLE addressbooks (id integer primary key asc, principaluri text, displayname text,
    uri text, description text, ctag integer);
CREATE TABLE cards (id integer primary key asc, addressbookid integer, carddata blob,
    uri text, lastmodified integer);
CREATE UNIQUE INDEX calendarobjects_uri ON calendarobjects (calendarid, uri);
CREATE UNIQUE INDEX cards_uri ON cards (addressbookid, uri);
SQL;

$pdo->beginTransaction();
$pdo->exec($schema);
$principal = 'principals/' . $user;
$insert = $pdo->prepare('INSERT INTO principals (uri, email, displayname) VALUES (?, ?, ?)');
$insert->execute(array($principal, $user . '@localhost', $user));
// The proxy principals Sabre's CalDAV plugin looks for under each user.
$insert->execute(array($principal . '/calendar-proxy-read', null, null));
$insert->execute(array($principal . '/calendar-proxy-write', null, null));
$pdo->prepare("INSERT INTO calendars (principaluri, displayname, uri, ctag, components)
    VALUES (?, 'bench', 'default', 1, 'VEVENT,VTODO')")->execute(array($principal));
$pdo->prepare("INSERT INTO addressbooks (principaluri, displayname, uri, ctag)
    VALUES (?, 'bench', 'default', 1)")->execute(array($principal));
$pdo->commit();
