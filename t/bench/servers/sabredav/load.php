<?php
// load.php DB ics|vcf SRCDIR: bulk-loads every SRCDIR/*.ics (or *.vcf) into the user's one
// calendar (address book) with the rows SabreDAV 1.8's PDO backends would have written.
//
// The calendar columns (etag, size, componenttype, firstoccurence, lastoccurence) come from
// the backend's own getDenormalizedData, so calendar-query sees exactly what a PUT leaves.

error_reporting(E_ALL & ~E_DEPRECATED & ~E_STRICT);
require_once 'Sabre/autoload.php';

// Exposes the backend's protected computation of the denormalized columns.
class BenchCalDAVBackend extends Sabre\CalDAV\Backend\PDO {
    public function denormalize($data) {
        return $this->getDenormalizedData($data);
    }
}

if ($argc != 4 || !in_array($argv[2], array('ics', 'vcf'), true)) {
    fwrite(STDERR, "usage: load.php DB ics|vcf SRCDIR\n");
    exit(2);
}
list(, $db, $ext, $src) = $argv;
$pdo = new PDO('sqlite:' . $db);
$pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
$pdo->setAttribute(PDO::ATTR_TIMEOUT, 60);

$files = glob($src . '/*.' . $ext);
$now = time();
$pdo->beginTransaction();
if ($ext === 'ics') {
    $backend = new BenchCalDAVBackend($pdo);
    $id = $pdo->query("SELECT id FROM calendars WHERE uri = 'default'")->fetchColumn();
    $insert = $pdo->prepare('INSERT INTO calendarobjects (calendarid, uri, calendardata,
        lastmodified, etag, size, componenttype, firstoccurence, lastoccurence)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    foreach ($files as $file) {
        $data = file_get_contents($file);
        $d = $backend->denormalize($data);
        $insert->execute(array($id, basename($file), $data, $now, $d['etag'], $d['size'],
            $d['componentType'], $d['firstOccurence'], $d['lastOccurence']));
    }
    $pdo->prepare('UPDATE calendars SET ctag = ctag + 1 WHERE id = ?')->execute(array($id));
} else {
    $id = $pdo->query("SELECT id FROM addressbooks WHERE uri = 'default'")->fetchColumn();
    $insert = $pdo->prepare('INSERT INTO cards (addressbookid, uri, carddata, lastmodified)
        VALUES (?, ?, ?, ?)');
    foreach ($files as $file) {
        $insert->execute(array($id, basename($file), file_get_contents($file), $now));
    }
    $pdo->prepare('UPDATE addressbooks SET ctag = ctag + 1 WHERE id = ?')->execute(array($id));
}
$pdo->commit();
fprintf(STDERR, "loaded %d %s files\n", count($files), $ext);
