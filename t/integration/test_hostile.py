"""test_hostile.py: bad and hostile input against a real Apache. Every case checks the status, that the
answer leaks nothing (no file contents, no server paths, no SQLite or C++ internals, no other user's
data), that the server still answers, and, where the request must be refused, that the database did
not change: the PROPFIND Depth 1 listing with ETags of alice's calendar, address book, calendar home
and bob's calendar, and the SQLite row counts and sync tokens, are the same before and after.

Cases: malformed and truncated iCalendar and vCard (403 valid-calendar-data / valid-address-data),
wrong Content-Type (403 supported-calendar-data), bodies over CalDAVMaxResourceSize (413 before the
body is read: announced, with Expect: 100-continue, and chunked), XML that is not well-formed, entity
expansion (billion laughs), external entities (file and http), deep nesting, unknown REPORT elements,
PROPFIND Depth: infinity, path tricks between users, odd resource names (300 bytes, case, Unicode
normalisation, invalid UTF-8), multiget hrefs into another user's space, recurrence bombs, a 5,000
property PROPPATCH and all-or-nothing PROPPATCH with a protected property.
"""

import collections
import os
import posixpath
import pwd
import re
import select
import socket
import subprocess
import threading
import time
import urllib.parse
import uuid

from davclient import (CALDAV, CARDDAV, Checks, Client, error_log_path, ical_event, log_size, multistatus,
                       prop_text, read_log, status_code, vcard)

CT_ICS = "text/calendar; charset=utf-8"
CT_VCF = "text/vcard; charset=utf-8"
CT_XML = "application/xml; charset=utf-8"
HOME = "/caldav/calendars/alice/"
CAL = HOME + "default/"
AB = "/caldav/addressbooks/alice/default/"
BOB_HOME = "/caldav/calendars/bob/"
BOB_CAL = BOB_HOME + "default/"
BOB_AB = "/caldav/addressbooks/bob/default/"
FILES = HOME + "hostile-files/"
APACHE_DIR = os.environ["APACHE_DIR"]
MAX_SIZE = 10 * 1024 * 1024

c = Checks("hostile")
alice = Client("alice", "alicepw", timeout=60)
bob = Client("bob", "bobpw", timeout=60)
URL = alice.url


def uid():
    return "hostile-%s@example.org" % uuid.uuid4()


def ev(summary="Test event", u=None):
    return ical_event(u or uid(), summary)


# ---- what an answer must not contain, and the state that must not change ------------------------

LEAKS = [b"root:x:0:0", b"daemon:x:", b"/usr/sbin/nologin", b"/bin/bash", APACHE_DIR.encode(),
         b"sqlite", b"std::", b"what()", b"terminate called", b"Segmentation", b"Traceback",
         b"UNIQUE constraint", b"no such table", b"lollollollol"]


def no_leak(resp, what, secrets=()):
    body = resp.body.lower()
    found = [p.decode() for p in LEAKS + list(secrets) if p.lower() in body]
    return c.check(not found, "%s: the answer leaks nothing (found %s)" % (what, found), resp if found else None)


def sqlite(sql):
    db = os.path.join(APACHE_DIR, "data", "caldav.sqlite")
    cmd = ["sqlite3", "-batch", "-cmd", ".timeout 10000", db, sql]
    if os.getuid() == 0 and os.path.exists(db) and os.stat(db).st_uid != 0:
        cmd = ["runuser", "-u", pwd.getpwuid(os.stat(db).st_uid).pw_name, "--"] + cmd
    try:
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    except FileNotFoundError:
        return None
    return res.stdout.strip()


STATE_SQL = ("SELECT (SELECT count(*) FROM collections), (SELECT sum(sync_token) FROM collections), "
             "(SELECT max(sync_token) FROM collections), (SELECT count(*) FROM resources), "
             "(SELECT total(size) FROM resources), (SELECT max(modified) FROM resources), "
             "(SELECT count(*) FROM tombstones), (SELECT total(change_token) FROM resources), "
             "(SELECT count(*) FROM resource_properties), "
             "(SELECT count(*) FROM collection_properties), (SELECT count(*) FROM instances), "
             "(SELECT count(*) FROM card_index), (SELECT count(*) FROM locks)")


def listing(client, path):
    r = client.propfind(path, 1, [("DAV:", "getetag"), ("DAV:", "getcontentlength")])
    if r.status != 207:
        return ("status", r.status)
    out = []
    for href, props in sorted(multistatus(r).items()):
        etag = props.get("{DAV:}getetag")
        out.append((href, prop_text(etag[1]) if etag and etag[0] == 200 else None))
    return tuple(out)


def state():
    return {"sqlite": sqlite(STATE_SQL),
            "alice calendar": listing(alice, CAL),
            "alice calendar home": listing(alice, HOME),
            "alice address book": listing(alice, AB),
            "alice plain collection": listing(alice, FILES),
            "bob calendar": listing(bob, BOB_CAL),
            "bob address book": listing(bob, BOB_AB)}


def same_state(before, what):
    after = state()
    diff = ["%s:\n  before %s\n  after  %s" % (k, str(before[k])[:1500], str(after[k])[:1500])
            for k in before if before[k] != after[k]]
    return c.check(not diff, "%s: the database is unchanged" % what, detail="\n".join(diff))


def alive(what):
    t = time.time()
    try:
        r = alice.propfind(CAL, 0, [("DAV:", "getetag")])
        ok = r.status == 207
    except OSError as e:
        r, ok = None, False
        alice.close()
        c.info("%s: %r" % (what, e))
    return c.check(ok and time.time() - t < 5, "%s: the server still answers (PROPFIND in %.1f s)"
                   % (what, time.time() - t), r)


def timed(fn, *args, **kw):
    t = time.time()
    try:
        r = fn(*args, **kw)
    except OSError as e:
        alice.close()
        bob.close()
        return None, time.time() - t, e
    return r, time.time() - t, None


def refused(what, resp, statuses, precondition=None, secrets=()):
    """A request that must be refused: the status, the precondition element, and no leak."""
    c.status(resp, statuses, what)
    if precondition is not None:
        c.check(precondition.encode() in resp.body, "%s: the body names %s" % (what, precondition), resp)
    no_leak(resp, what, secrets)


def xml_ok(resp, what):
    try:
        resp.xml()
        return c.check(True, what)
    except Exception as e:  # noqa: BLE001 - any parse error is the finding
        return c.check(False, "%s: the answer is well-formed XML (%s)" % (what, e), resp)


def report(client, path, body, depth=1):
    return client.request("REPORT", path, body=body, depth=depth, content_type=CT_XML)


def multiget(path, hrefs, data_prop="C:calendar-data", ns=CALDAV):
    body = ('<?xml version="1.0" encoding="utf-8"?><C:%s xmlns:D="DAV:" xmlns:C="%s"><D:prop><D:getetag/><%s/>'
            '</D:prop>%s</C:%s>' % ("calendar-multiget" if ns == CALDAV else "addressbook-multiget", ns, data_prop,
                                    "".join("<D:href>%s</D:href>" % h for h in hrefs),
                                    "calendar-multiget" if ns == CALDAV else "addressbook-multiget"))
    return report(alice, path, body)


# ---- setup ----------------------------------------------------------------------------------------

ALICE_SECRET = b"ALICE-SECRET-7f3a"
BOB_SECRET = b"BOB-SECRET-91c2"
c.status(alice.put(CAL + "secret.ics", ev(ALICE_SECRET.decode()), CT_ICS), 201, "setup: alice's event")
c.status(alice.put(AB + "secret.vcf", vcard(uid(), ALICE_SECRET.decode()), CT_VCF), 201, "setup: alice's card")
c.status(alice.mkcol(FILES), 201, "setup: alice's plain collection")
c.status(alice.put(FILES + "note.txt", b"alice's note " + ALICE_SECRET, "text/plain"), 201, "setup: a plain file")
c.status(bob.put(BOB_CAL + "bobsecret.ics", ev(BOB_SECRET.decode()), CT_ICS), 201, "setup: bob's event")
c.status(bob.put(BOB_AB + "bobsecret.vcf", vcard(uid(), BOB_SECRET.decode()), CT_VCF), 201, "setup: bob's card")
if sqlite("SELECT 1") != "1":
    c.info("sqlite3 cannot read the database: the database state is compared through PROPFIND only (%s)"
           % sqlite("SELECT 1"))
log_start = log_size(error_log_path())

# ---- malformed and truncated iCalendar --------------------------------------------------------------

good = ev("good")
lines = good.split(b"\r\n")[:-1]  # the last element is the empty string after the final CRLF
shapes = {"empty body": b"", "not iCalendar": b"hello world\r\n", "only BEGIN": b"BEGIN:VCALENDAR\r\n",
          "END:VTODO closes the VEVENT": good.replace(b"END:VEVENT", b"END:VTODO"),
          "a line without a colon": good.replace(b"SUMMARY:good", b"SUMMARY good"),
          "DTSTART that is no date": good.replace(b"DTSTART:20250101T100000Z", b"DTSTART:notadate"),
          "an unclosed VALARM": good.replace(b"END:VEVENT\r\n", b"BEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VEVENT\r\n"),
          "a NUL byte": good.replace(b"SUMMARY:good", b"SUMMARY:go\x00od"),
          "invalid UTF-8 (overlong C0 AE)": good.replace(b"SUMMARY:good", b"SUMMARY:go\xc0\xaeod"),
          "invalid UTF-8 (FF byte)": good.replace(b"SUMMARY:good", b"SUMMARY:go\xffod"),
          "a vCard": vcard(uid(), "Not An Event"),
          "XML": b'<?xml version="1.0"?><x/>'}
for k in range(1, len(lines) - 1):
    shapes["truncated after line %d" % k] = b"\r\n".join(lines[:k]) + b"\r\n"
    shapes["truncated inside line %d" % (k + 1)] = b"\r\n".join(lines[:k]) + b"\r\n" + lines[k][:len(lines[k]) // 2]
for name, body in shapes.items():
    body = re.sub(rb"UID:[^\r\n]*\r\n", b"UID:" + uid().encode() + b"\r\n", body)
    before = state()
    path = CAL + "bad-%s.ics" % uuid.uuid4()
    r = alice.put(path, body, CT_ICS)
    what = "PUT iCalendar with %s" % name
    refused(what, r, 403, "valid-calendar-data")
    if 200 <= r.status < 300:
        # Accepted: do the reports that embed it still produce XML?
        q = multiget(CAL, [path])
        xml_ok(q, "calendar-multiget of the accepted %s" % name)
        alice.delete(path)
    else:
        c.status(alice.get(path), 404, "%s: nothing stored" % what)
        same_state(before, what)

before = state()
for ct in ("text/html", "application/octet-stream", "text/vcard", "text/plain"):
    r = alice.put(CAL + "wrongtype.ics", b"<html><body>hello</body></html>" if ct == "text/html" else ev(), ct)
    refused("PUT %s into a calendar" % ct, r, 403, "supported-calendar-data")
r = alice.put(AB + "wrongtype.vcf", ev(), CT_ICS)
refused("PUT text/calendar into an address book", r, 403, "supported-address-data")
same_state(before, "wrong Content-Types")

# ---- malformed vCard ---------------------------------------------------------------------------------

card = vcard("card-%s" % uuid.uuid4(), "Zed Good")
clines = card.split(b"\r\n")[:-1]
vshapes = {"empty body": b"", "not a vCard": b"hello world\r\n", "END:VCALENDAR closes it": card.replace(
    b"END:VCARD", b"END:VCALENDAR"), "no FN": card.replace(b"FN:Zed Good\r\n", b""), "a NUL byte":
    card.replace(b"FN:Zed Good", b"FN:Zed\x00Good"), "an iCalendar object": ev(),
    "invalid UTF-8": card.replace(b"FN:Zed Good", b"FN:Zed\xc0\xaeGood")}
for k in range(1, len(clines) - 1):
    vshapes["truncated after line %d" % k] = b"\r\n".join(clines[:k]) + b"\r\n"
for name, body in vshapes.items():
    before = state()
    path = AB + "bad-%s.vcf" % uuid.uuid4()
    r = alice.put(path, body, CT_VCF)
    what = "PUT vCard with %s" % name
    refused(what, r, 403, "valid-address-data")
    if 200 <= r.status < 300:
        q = multiget(AB, [path], "C:address-data", CARDDAV)
        xml_ok(q, "addressbook-multiget of the accepted %s" % name)
        alice.delete(path)
    else:
        c.status(alice.get(path), 404, "%s: nothing stored" % what)
        same_state(before, what)

# ---- bodies over CalDAVMaxResourceSize ---------------------------------------------------------------

HOST, PORT = urllib.parse.urlsplit(URL).hostname, urllib.parse.urlsplit(URL).port


def tcp_receive_buffer_max():
    try:
        with open("/proc/sys/net/ipv4/tcp_rmem") as f:
            return int(f.read().split()[2])
    except (OSError, ValueError, IndexError):
        return 6 * 1024 * 1024


def raw_put_head(path, ct, extra):
    return ("PUT %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: %s\r\nContent-Type: %s\r\n%s\r\n"
            % (path, HOST, PORT, alice.auth, ct, extra)).encode()


def read_status(sock, timeout):
    """The first status line the server sends within timeout (skipping nothing), or None."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, OSError):
        pass
    return data.split(b"\r\n", 1)[0].decode("latin-1") if data else None, data


for path, ct in ((CAL + "huge.ics", CT_ICS), (FILES + "huge.bin", "application/octet-stream")):
    before = state()
    # Announced: 20,000,000 bytes, of which only a few are sent.
    s = socket.create_connection((HOST, PORT))
    t = time.time()
    s.sendall(raw_put_head(path, ct, "Content-Length: 20000000\r\n") + b"BEGIN:VCALENDAR\r\n")
    line, data = read_status(s, 10)
    took = time.time() - t
    s.close()
    c.check(line is not None and " 413 " in line + " " and took < 3,
            "PUT %s with Content-Length: 20000000 and 17 bytes sent: 413 within 3 s without waiting for the body"
            " (got %r after %.2f s)" % (path, line, took), detail=data[:800].decode("latin-1"))
    c.check(not any(p.lower() in data.lower() for p in LEAKS), "PUT %s oversized: the answer leaks nothing" % path)
    # Expect: 100-continue: the 413 comes instead of 100 Continue.
    s = socket.create_connection((HOST, PORT))
    t = time.time()
    s.sendall(raw_put_head(path, ct, "Content-Length: 20000000\r\nExpect: 100-continue\r\n"))
    line, data = read_status(s, 10)
    took = time.time() - t
    s.close()
    c.check(line is not None and " 413 " in line + " " and took < 3,
            "PUT %s with Content-Length: 20000000 and Expect: 100-continue: 413 (not 100 Continue) within 3 s"
            " (got %r after %.2f s)" % (path, line, took), detail=data[:800].decode("latin-1"))
    # Chunked, no length announced: the server must stop reading soon after the limit is passed.
    # What may be in flight when the server stops reading: our small send buffer and the server's
    # receive buffer, which loopback autotuning grows up to tcp_rmem's maximum.
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    s.connect((HOST, PORT))
    in_flight = s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) + tcp_receive_buffer_max()
    s.sendall(raw_put_head(path, ct, "Transfer-Encoding: chunked\r\n"))
    chunk = b"X" * 262144
    sent, answered_at, t = 0, None, time.time()
    try:
        while sent < 2 * (MAX_SIZE + in_flight):
            s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            sent += len(chunk)
            if select.select([s], [], [], 0)[0]:
                answered_at = sent
                break
        if answered_at is None:
            # Give the server a moment to answer without the end of the body.
            if select.select([s], [], [], 2)[0]:
                answered_at = sent
    except OSError:
        answered_at = sent  # the server closed the connection on us: it stopped reading
    if answered_at is None:
        try:
            s.sendall(b"0\r\n\r\n")
        except OSError:
            pass
    line, data = read_status(s, 10)
    s.close()
    c.check(answered_at is not None and answered_at <= MAX_SIZE + in_flight + 2 * len(chunk),
            "chunked PUT %s over the limit: the server answers once the limit is passed, without reading the rest"
            % path,
            detail="%d bytes of body sent%s; the answer %r came %s" % (
                sent, "" if answered_at is None else " when the answer came",
                line, "only after the final chunk" if answered_at is None else "after %d bytes (%d may be in flight)"
                % (answered_at, in_flight)))
    c.check(line is not None and " 413 " in line + " ", "chunked PUT %s over the limit: 413 (got %r)" % (path, line),
            detail=data[:800].decode("latin-1"))
    c.status(alice.get(path), 404, "oversized PUT %s: nothing stored" % path)
    same_state(before, "oversized PUTs to %s" % path)
    alive("after the oversized PUTs")

# ---- XML that is not well-formed -------------------------------------------------------------------------

before = state()
broken = {
    "an unclosed element": '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag></D:propfind>',
    "a truncated document": '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/>',
    "an undeclared prefix": '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><X:prop/></D:propfind>',
    "text": "this is not xml",
    "two roots": '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind><D:propfind xmlns:D="DAV:"/>',
    "invalid UTF-8": b'<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><Z:a\xc0\xae xmlns:Z="urn:z"/></D:prop></D:propfind>',
}
for name, body in broken.items():
    refused("PROPFIND with %s" % name, alice.propfind(CAL, 1, body=body), 400)
    pp = body if isinstance(body, bytes) else body.encode()
    pp = pp.replace(b"D:propfind", b"D:propertyupdate").replace(b"<D:prop>", b"<D:set><D:prop>", 1)
    refused("PROPPATCH with %s" % name, alice.proppatch(CAL, pp), 400)
    rp = (body if isinstance(body, bytes) else body.encode()).replace(b"D:propfind", b"C:calendar-query").replace(
        b'xmlns:D="DAV:"', b'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"', 1)
    refused("REPORT with %s" % name, report(alice, CAL, rp), 400)
refused("REPORT without a body", report(alice, CAL, b""), (400, 415))
refused("MKCALENDAR with a truncated body", alice.request(
    "MKCALENDAR", HOME + "broken/", body='<?xml version="1.0"?><C:mkcalendar xmlns:C="%s"><D:set xmlns:D="DAV:">'
    % CALDAV, content_type=CT_XML), 400)
same_state(before, "XML that is not well-formed")
c.status(alice.propfind(HOME + "broken/", 0), 404, "the refused MKCALENDAR made nothing")

# ---- entity expansion, external entities, deep nesting --------------------------------------------------

LOL = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
       + "".join('<!ENTITY lol%d "%s">\n' % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10) for i in range(1, 10))
       + "]>\n")
QUERY = ('<C:calendar-query xmlns:D="DAV:" xmlns:C="%s"><D:prop><D:getetag/></D:prop><C:filter>'
         '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY">'
         '<C:text-match>%%s</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter>'
         '</C:calendar-query>' % CALDAV)
SETX = ('<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><Z:x xmlns:Z="urn:z">%s</Z:x></D:prop></D:set>'
        '</D:propertyupdate>')


def hostile_xml(what, method, body, ok_statuses=(400,), harmless=(), depth=None):
    """Send body; a refusal (ok_statuses) or a harmless answer (harmless); fast; no leak; alive."""
    r, took, err = timed(alice.request, method, CAL, body=body, depth=depth, content_type=CT_XML)
    if not c.check(err is None, "%s: the server answers (%r)" % (what, err)):
        alive(what)
        return None
    c.check(r.status in tuple(ok_statuses) + tuple(harmless),
            "%s: expected %s, got %d" % (what, "/".join(map(str, tuple(ok_statuses) + tuple(harmless))), r.status), r)
    c.check(took < 5, "%s: answered within 5 s (%.1f s)" % (what, took))
    c.check(len(r.body) < 200000, "%s: the answer is small (%d bytes: no expanded entities)" % (what, len(r.body)))
    no_leak(r, what)
    alive(what)
    return r


before = state()
hostile_xml("PROPPATCH with a billion-laughs DTD", "PROPPATCH", LOL + SETX % "&lol9;")
hostile_xml("REPORT with a billion-laughs DTD", "REPORT", LOL + QUERY % "&lol9;", depth=1)
hostile_xml("PROPFIND with a billion-laughs DTD", "PROPFIND", LOL + '<D:propfind xmlns:D="DAV:"><D:prop>'
            '<Z:x xmlns:Z="urn:z">&lol9;</Z:x></D:prop></D:propfind>', depth=0)
XXE = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
hostile_xml("PROPPATCH with an external entity (file:///etc/passwd)", "PROPPATCH", XXE + SETX % "&xxe;")
hostile_xml("REPORT with an external entity (file:///etc/passwd)", "REPORT", XXE + QUERY % "&xxe;", depth=1)
hostile_xml("PROPPATCH with an external parameter entity", "PROPPATCH",
            '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n' + SETX % "a")
r = alice.propfind(CAL, 0, [("urn:z", "x")])
c.check(r.status == 207 and b"root:" not in r.body, "PROPFIND of the property the XXE PROPPATCH tried to set "
        "shows no file content", r)
same_state(before, "entity expansion and external file entities")

# An external entity or DTD over http must not make the server connect anywhere.
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(8)
listener.settimeout(0.2)
lport = listener.getsockname()[1]
connections = []
stop_listening = threading.Event()


def accept_loop():
    while not stop_listening.is_set():
        try:
            conn, _ = listener.accept()
        except (socket.timeout, OSError):
            continue
        conn.settimeout(1)
        try:
            connections.append(conn.recv(2000))
        except OSError:
            connections.append(b"")
        conn.close()


acceptor = threading.Thread(target=accept_loop, daemon=True)
acceptor.start()
hostile_xml("PROPPATCH with an http external entity", "PROPPATCH", '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e '
            'SYSTEM "http://127.0.0.1:%d/entity">]>\n' % lport + SETX % "&e;")
hostile_xml("PROPFIND with an http external DTD", "PROPFIND", '<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM '
            '"http://127.0.0.1:%d/dtd">\n<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>'
            % lport, ok_statuses=(400,), harmless=(207,), depth=0)
hostile_xml("REPORT with an http external entity", "REPORT", '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM '
            '"http://127.0.0.1:%d/report">]>\n' % lport + QUERY % "&e;", depth=1)
time.sleep(0.5)
stop_listening.set()
acceptor.join(2)
listener.close()
c.check(not connections, "no external entity or DTD made the server connect out", detail=connections)

before = state()
for levels in (10000, 100000):
    hostile_xml("PROPFIND nested %d levels deep" % levels, "PROPFIND", '<?xml version="1.0"?><D:propfind xmlns:D="DAV:">'
                '<D:prop>' + '<Z:a xmlns:Z="urn:z">' * levels + '</Z:a>' * levels + '</D:prop></D:propfind>',
                ok_statuses=(400, 413), depth=0)
    hostile_xml("PROPPATCH nested %d levels deep" % levels, "PROPPATCH", '<?xml version="1.0"?><D:propertyupdate '
                'xmlns:D="DAV:"><D:set><D:prop><Z:deep xmlns:Z="urn:z">' + "<Z:a>" * levels + "</Z:a>" * levels
                + "</Z:deep></D:prop></D:set></D:propertyupdate>", ok_statuses=(400, 413))
    hostile_xml("calendar-query nested %d levels deep" % levels, "REPORT", '<?xml version="1.0"?><C:calendar-query '
                'xmlns:D="DAV:" xmlns:C="%s"><D:prop><D:getetag/></D:prop><C:filter>' % CALDAV
                + '<C:comp-filter name="VCALENDAR">' * levels + "</C:comp-filter>" * levels
                + "</C:filter></C:calendar-query>", ok_statuses=(400, 413), depth=1)
same_state(before, "deeply nested XML")

# ---- REPORT bodies with unknown elements ----------------------------------------------------------------

before = state()
r = report(alice, CAL, '<?xml version="1.0"?><X:bogus-report xmlns:X="urn:x"><X:whatever/></X:bogus-report>')
refused("REPORT with an unknown root element", r, 403, "supported-report")
r = report(alice, CAL, '<?xml version="1.0"?><D:bogus-report xmlns:D="DAV:"/>')
refused("REPORT with an unknown DAV: root element", r, 403, "supported-report")
r = report(alice, CAL, '<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="%s"><D:prop><D:getetag/>'
           '</D:prop><C:filter><C:bogus-filter/></C:filter></C:calendar-query>' % CALDAV)
refused("calendar-query with an unknown CalDAV filter element", r, (400, 403))
r = report(alice, CAL, '<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="%s"><D:prop><D:getetag/>'
           '</D:prop></C:calendar-query>' % CALDAV)
refused("calendar-query without a filter", r, (400, 403))
r = report(alice, CAL, '<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="%s"><D:prop><D:getetag/>'
           '</D:prop><C:filter><C:comp-filter name="VCALENDAR"><X:weird xmlns:X="urn:x"><X:deeper/></X:weird>'
           '</C:comp-filter></C:filter></C:calendar-query>' % CALDAV)
# RFC 4918 §17: unknown elements of other namespaces may be ignored.
c.check(r.status in (207, 400, 403), "calendar-query with a foreign element inside a filter: 207 (ignored), 400 or "
        "403 (got %d)" % r.status, r)
no_leak(r, "calendar-query with a foreign element")
r = report(alice, CAL, '<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>'
           '<D:bogus/></D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>',
           depth=None)
# Harmless when read as an empty token (an initial sync of alice's own calendar).
refused("sync-collection with an element inside sync-token", r, (207, 400, 403))
r = report(alice, CAL, '<?xml version="1.0"?><C:free-busy-query xmlns:C="%s"><X:weird xmlns:X="urn:x"/>'
           '</C:free-busy-query>' % CALDAV)
refused("free-busy-query without a time-range", r, (400, 403))
same_state(before, "REPORTs with unknown elements")
alive("after the unknown REPORTs")

# ---- PROPFIND Depth: infinity -------------------------------------------------------------------------------

for path in (HOME, CAL, "/caldav/"):
    r = alice.propfind(path, "infinity")
    refused("PROPFIND Depth: infinity on %s" % path, r, 403, "propfind-finite-depth")

# ---- path tricks between users -------------------------------------------------------------------------------

before = state()
tricks = [
    "/caldav/calendars/bob/../alice/default/secret.ics",
    "/caldav/calendars/bob/%2e%2e/alice/default/secret.ics",
    "/caldav/calendars/bob/%2E%2E/alice/default/secret.ics",
    "/caldav/calendars/bob/.%2e/alice/default/secret.ics",
    "/caldav/calendars/bob/default/../../alice/default/secret.ics",
    "/caldav/calendars/bob/./../alice/default/secret.ics",
    "/caldav/calendars/bob/..%2Falice/default/secret.ics",
    "/caldav/calendars/bob%2F..%2Falice%2Fdefault%2Fsecret.ics",
    "/caldav/calendars/bob/default/%2e%2e%2f%2e%2e%2falice/default/secret.ics",
    "/caldav/calendars/alice/default/secret.ics%00",
    "/caldav/calendars/alice%00/default/secret.ics",
    "/caldav/calendars/bob%00/../alice/default/secret.ics",
    "/caldav/calendars/bob/%c0%ae%c0%ae/alice/default/secret.ics",
    "/caldav/calendars/bob/%e0%80%ae%e0%80%ae/alice/default/secret.ics",
    "/caldav/calendars/bob/..;/alice/default/secret.ics",
    "/caldav/calendars/bob/..\\alice/default/secret.ics",
    "/caldav/calendars/bob/..%5calice/default/secret.ics",
    "/caldav/calendars/ALICE/default/secret.ics",
    "/caldav/calendars/Alice/default/secret.ics",
    "/caldav/calendars/alice%20/default/secret.ics",
    "/caldav/calendars/alice/default/SECRET.ics",
    "/caldav//calendars//alice//default//secret.ics",
    "/caldav/./calendars/alice/default/secret.ics",
    "/caldav/calendars/alice/default/secret.ics/",
    "/caldav/calendars/alice/default/secret.ics/..",
    "/caldav/principals/../calendars/alice/default/secret.ics",
    "/caldav/addressbooks/bob/../../calendars/alice/default/secret.ics",
    "/caldav/calendars/alice/hostile-files/note.txt",
    "/caldav/calendars/bob/%2e%2e/alice/hostile-files/note.txt",
]
for path in tricks:
    for method in ("GET", "PROPFIND"):
        r = bob.request(method, path, depth=1 if method == "PROPFIND" else None)
        what = "bob %s %s" % (method, path)
        c.check(400 <= r.status < 500, "%s: a 4xx (got %d)" % (what, r.status), r)
        no_leak(r, what, [ALICE_SECRET])
    r = bob.put(path if not path.endswith("/") else path + "x.ics", ev("planted by bob"), CT_ICS)
    c.check(400 <= r.status < 500, "bob PUT %s: a 4xx (got %d)" % (path, r.status), r)
    r = bob.delete(path)
    c.check(400 <= r.status < 500, "bob DELETE %s: a 4xx (got %d)" % (path, r.status), r)
    r = bob.request("MOVE", path, headers={"Destination": URL + BOB_CAL + "stolen.ics"})
    c.check(400 <= r.status < 500, "bob MOVE %s to his calendar: a 4xx (got %d)" % (path, r.status), r)
    r = bob.request("COPY", path, headers={"Destination": URL + BOB_CAL + "stolen.ics"})
    c.check(400 <= r.status < 500, "bob COPY %s to his calendar: a 4xx (got %d)" % (path, r.status), r)
    r = bob.request("COPY", BOB_CAL + "bobsecret.ics", headers={"Destination": URL + path.replace("secret.ics", "planted.ics")})
    c.check(400 <= r.status < 500, "bob COPY his event to %s: a 4xx (got %d)" % (path, r.status), r)
    r = bob.proppatch(path, '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
                      '<D:displayname>owned by bob</D:displayname></D:prop></D:set></D:propertyupdate>')
    c.check(400 <= r.status < 500, "bob PROPPATCH %s: a 4xx (got %d)" % (path, r.status), r)
for path in ("/caldav/calendars/alice/../bob/", "/caldav/calendars/alice/%2e%2e/bob/default/"):
    r = alice.propfind(path, 1)
    refused("alice PROPFIND %s (bob's space)" % path, r, (403, 404), secrets=[BOB_SECRET])
r = bob.propfind("/caldav/calendars/bob/../alice/", 1)
refused("bob PROPFIND /caldav/calendars/bob/../alice/", r, (403, 404), secrets=[ALICE_SECRET])
r = bob.get(CAL + "secret.ics")
refused("bob GET alice's event", r, (403, 404), secrets=[ALICE_SECRET])
for what, body in (("sync-collection", '<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token/>'
                    '<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>'),
                   ("calendar-query", QUERY % ALICE_SECRET.decode())):
    r = report(bob, "/caldav/calendars/bob/%2e%2e/alice/default/", body, depth=1 if what != "sync-collection" else None)
    refused("bob %s on alice's calendar through %%2e%%2e" % what, r, (403, 404), secrets=[ALICE_SECRET])
    r = report(bob, CAL, body, depth=1 if what != "sync-collection" else None)
    refused("bob %s on alice's calendar" % what, r, (403, 404), secrets=[ALICE_SECRET])
same_state(before, "path tricks")

# ---- odd resource names ---------------------------------------------------------------------------------------

long_name = "a" * 300 + ".ics"
body = ev("three hundred")
r = alice.put(CAL + long_name, body, CT_ICS)
c.check(r.status in (201, 400, 403, 414), "PUT with a 300-byte segment: 201 or a 4xx (got %d)" % r.status, r)
no_leak(r, "PUT with a 300-byte segment")
if r.status == 201:
    c.check(alice.get(CAL + long_name).body == body, "the 300-byte name serves its body")
    xml_ok(alice.propfind(CAL, 1, [("DAV:", "getetag")]), "PROPFIND lists the 300-byte name")
r = alice.put(FILES + "b" * 300, b"long", "text/plain")
c.check(r.status in (201, 400, 403, 414), "PUT of a plain file with a 300-byte segment: 201 or a 4xx (got %d)"
        % r.status, r)
r = alice.request("MKCOL", HOME + "c" * 300 + "/")
c.check(r.status in (201, 400, 403, 414), "MKCOL with a 300-byte segment: 201 or a 4xx (got %d)" % r.status, r)

pairs = [("Case.ics", "case.ics"), ("caf%C3%A9.ics", "cafe%CC%81.ics"), ("%C3%85ngstr%C3%B6m.ics", "%E2%84%ABngstr%C3%B6m.ics")]
for first, second in pairs:
    bodies = {}
    for name in (first, second):
        bodies[name] = ev("name %s" % name)
        r = alice.put(CAL + name, bodies[name], CT_ICS)
        c.check(r.status in (201, 400, 403), "PUT %s: 201, or a refusal (got %d)" % (name, r.status), r)
        c.check(r.status != 204, "PUT %s did not overwrite another resource (the names differ)" % name, r)
        if r.status != 201:
            bodies.pop(name)
    for name, b in bodies.items():
        r = alice.get(CAL + name)
        c.check(r.status == 200 and r.body == b, "GET %s returns its own body (not the one of a name that differs "
                "only in %s)" % (name, "case" if first == "Case.ics" else "Unicode normalisation"), r)
    listed = multistatus(alice.propfind(CAL, 1, [("DAV:", "getetag")]))
    for name in bodies:
        c.check(urllib.parse.unquote(CAL + name) in listed, "PROPFIND lists %s under its own name" % name)
    r = multiget(CAL, [CAL + n for n in bodies])
    got = multistatus(r) if r.status == 207 else {}
    for name, b in bodies.items():
        d = got.get(urllib.parse.unquote(CAL + name), {}).get("{%s}calendar-data" % CALDAV)
        c.check(d is not None and (d[1].text or "").encode() == b, "calendar-multiget of %s returns its own data"
                % name, r)

for name in ("%c0%ae.ics", "%ff%fe.ics", "%ed%a0%80.ics"):
    b = ev("invalid utf-8 name")
    r = alice.put(CAL + name, b, CT_ICS)
    c.check(r.status in (201, 400, 403), "PUT %s (invalid UTF-8 name): 201 or 400/403 (got %d)" % (name, r.status), r)
    if r.status == 201:
        c.check(alice.get(CAL + name).body == b, "GET %s returns its body" % name)
        xml_ok(alice.propfind(CAL, 1, [("DAV:", "getetag"), ("DAV:", "displayname")]),
               "PROPFIND Depth 1 with the name %s" % name)
        xml_ok(report(alice, CAL, '<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token/>'
                      '<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>', depth=None),
               "sync-collection with the name %s" % name)
        xml_ok(report(alice, CAL, QUERY % "invalid utf-8"), "calendar-query with the name %s" % name)
        c.status(alice.delete(CAL + name), 204, "DELETE %s" % name)

# ---- multiget hrefs into bob's space ------------------------------------------------------------------------------

before = state()
direct = [BOB_CAL + "bobsecret.ics", BOB_CAL, URL + BOB_CAL + "bobsecret.ics",
          "http://other.example" + BOB_CAL + "bobsecret.ics", BOB_CAL + "%62obsecret.ics", BOB_AB + "bobsecret.vcf",
          "/caldav/principals/bob/"]
dotted = ["/caldav/calendars/alice/../bob/default/bobsecret.ics", "/caldav/calendars/alice/%2e%2e/bob/default/bobsecret.ics",
          CAL + "../../bob/default/bobsecret.ics", "../../bob/default/bobsecret.ics", "bobsecret.ics",
          "/caldav/calendars/bob/default/./bobsecret.ics"]


def norm(href):
    path = urllib.parse.unquote(urllib.parse.urlsplit(href).path)
    if not path.startswith("/"):
        path = posixpath.join(CAL, path)
    out = posixpath.normpath(path)
    return out + "/" if path.endswith("/") and out != "/" else out


r = multiget(CAL, direct + dotted)
c.status(r, 207, "alice's calendar-multiget with hrefs into bob's space")
no_leak(r, "alice's calendar-multiget with hrefs into bob's space", [BOB_SECRET])
c.check(b"calendar-data>BEGIN" not in r.body and b"BEGIN:VCARD" not in r.body,
        "calendar-multiget into bob's space returns no data", r)
if r.status == 207:
    answers = [(resp.findtext("{DAV:}href", "").strip(), resp.findtext("{DAV:}status", ""), resp)
               for resp in r.xml().findall("{DAV:}response")]
    sent = collections.Counter(norm(h) for h in direct + dotted)
    named = collections.Counter(norm(a[0]) for a in answers)
    c.check(sent == named, "calendar-multiget into bob's space: one response per href, naming the URL that was "
            "sent (the same after percent-decoding and dot-segment removal)",
            detail="hrefs sent without a response: %s\nresponse hrefs that were not sent: %s\nsent %s\ngot %s"
                   % (sorted((sent - named).elements()), sorted((named - sent).elements()), direct + dotted,
                      [a[0] for a in answers]))
    for href, st, resp in answers:
        code = status_code(st)
        c.check(code in (403, 404) and resp.find("{DAV:}propstat") is None,
                "multiget response for %s: 403 or 404 and no properties (got %s)" % (href, st))
    for href in direct:
        if "other.example" in href:
            continue
        mine = [a for a in answers if urllib.parse.unquote(a[0]) == urllib.parse.unquote(href)]
        if not mine and len(answers) == len(direct + dotted):  # the answer in the same position
            mine = [answers[(direct + dotted).index(href)]]
        c.check(bool(mine) and all(status_code(a[1]) == 403 for a in mine),
                "multiget href %s (bob's space): 403 (got %s)" % (href, [a[1] for a in mine]))
r = multiget(AB, [BOB_AB + "bobsecret.vcf", "/caldav/addressbooks/alice/../bob/default/bobsecret.vcf",
                  BOB_CAL + "bobsecret.ics"], "C:address-data", CARDDAV)
c.status(r, 207, "alice's addressbook-multiget with hrefs into bob's space")
no_leak(r, "alice's addressbook-multiget with hrefs into bob's space", [BOB_SECRET])
got = multistatus(r) if r.status == 207 else {}
c.check(got.get(BOB_AB + "bobsecret.vcf", {}).get(None, (None,))[0] == 403, "addressbook-multiget: bob's card is 403", r)
same_state(before, "multigets into bob's space")

# ---- recurrence bombs -------------------------------------------------------------------------------------------

YEAR_QUERY = ('<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="%s"><D:prop><D:getetag/>%%s</D:prop>'
              '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="%%s" '
              'end="%%s"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>' % CALDAV)
bombs = ["FREQ=SECONDLY", "FREQ=SECONDLY;BYSECOND=" + ",".join(map(str, range(60))), "FREQ=MINUTELY;COUNT=2000000000",
         "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=SECONDLY;INTERVAL=1;BYMINUTE=" + ",".join(map(str, range(60)))]
stored = []
for rule in bombs:
    name = "bomb-%s.ics" % uuid.uuid4()
    body = ev("bomb").replace(b"SUMMARY:bomb", b"SUMMARY:bomb\r\nRRULE:" + rule.encode())
    r, took, err = timed(alice.put, CAL + name, body, CT_ICS)
    if not c.check(err is None, "PUT with RRULE:%s: answered (%r)" % (rule[:40], err)):
        alive("recurrence bomb")
        continue
    c.check(r.status in (201, 403) and took < 5, "PUT with RRULE:%s: 201 or 403 within 5 s (%d after %.1f s)"
            % (rule[:40], r.status, took), r)
    if r.status == 403:
        c.check(b"max-instances" in r.body or b"valid-calendar" in r.body,
                "PUT with RRULE:%s: the 403 names max-instances (or the data is invalid)" % rule[:40], r)
    if r.status == 201:
        stored.append(name)
    no_leak(r, "PUT with RRULE:%s" % rule[:40])
for start, end in (("20250101T000000Z", "20260101T000000Z"), ("20990101T000000Z", "21000101T000000Z")):
    r, took, err = timed(report, alice, CAL, YEAR_QUERY % ("", start, end))
    c.check(err is None and r.status == 207 and took < 5, "calendar-query %s..%s with the bombs stored: 207 within "
            "5 s (%s after %.1f s)" % (start, end, err or r.status, took), r if err is None and r.status != 207 else None)
r, took, err = timed(report, alice, CAL, YEAR_QUERY % ('<C:calendar-data><C:expand start="20250101T000000Z" '
                                                      'end="20260101T000000Z"/></C:calendar-data>',
                                                      "20250101T000000Z", "20260101T000000Z"))
c.check(err is None and r.status in (207, 403, 507) and took < 5, "calendar-query with expand over a year: "
        "207 or a refusal within 5 s (%s after %.1f s)" % (err or r.status, took))
r, took, err = timed(report, alice, CAL, '<?xml version="1.0"?><C:free-busy-query xmlns:C="%s"><C:time-range '
                     'start="20250101T000000Z" end="20260101T000000Z"/></C:free-busy-query>' % CALDAV)
c.check(err is None and r.status in (200, 403) and took < 5, "free-busy-query over a year: answered within 5 s "
        "(%s after %.1f s)" % (err or r.status, took))
for name in stored:
    alice.delete(CAL + name)
alive("after the recurrence bombs")

# ---- PROPPATCH: 5,000 properties; a protected one among many --------------------------------------------------

target = CAL + "props.ics"
c.status(alice.put(target, ev("props"), CT_ICS), 201, "setup: an event for the PROPPATCHes")


def proppatch_body(names, extra=""):
    return ('<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop>'
            + "".join("<Z:%s>value of %s</Z:%s>" % (n, n, n) for n in names) + extra
            + "</D:prop></D:set></D:propertyupdate>")


names = ["p%d" % i for i in range(5000)]
r, took, err = timed(alice.proppatch, target, proppatch_body(names))
c.check(err is None and (r.status == 207 or 400 <= r.status < 500) and took < 10,
        "PROPPATCH with 5,000 properties: 207 or a 4xx within 10 s (%s after %.1f s)" % (err or r.status, took),
        r if err is None and r.status >= 500 else None)
if err is None and r.status == 207:
    got = multistatus(r).get(target, {})
    codes = {got.get("{urn:z}%s" % n, (None,))[0] for n in names}
    c.check(codes in ({200}, {403}, {507}, {403, 424}, {507, 424}), "PROPPATCH with 5,000 properties: all or "
            "nothing (statuses %s)" % sorted(codes, key=str))
    if codes == {200}:
        r = alice.propfind(target, 0, [("urn:z", "p0"), ("urn:z", "p4999")])
        got = multistatus(r).get(target, {}) if r.status == 207 else {}
        c.check(prop_text(got.get("{urn:z}p4999", (None, None))[1]) == "value of p4999", "the 5,000th property "
                "is stored", r)
alive("after the 5,000-property PROPPATCH")
r, took, err = timed(alice.propfind, target, 0)
c.check(err is None and r.status == 207 and took < 10, "allprop PROPFIND of the resource with 5,000 properties "
        "within 10 s (%s after %.1f s)" % (err or r.status, took))

first_protected = True
for path, protected in ((target, "<D:getetag>\"forged\"</D:getetag>"),
                        (CAL, "<D:getetag>\"forged\"</D:getetag>"),
                        (CAL, "<D:resourcetype><D:collection/></D:resourcetype>"),
                        (target, "<D:getcontentlength>1</D:getcontentlength>"),
                        (CAL, "<D:sync-token>urn:forged</D:sync-token>")):
    before = state()
    many = ["q%d" % i for i in range(50)]
    what = "PROPPATCH of %s with 50 dead properties and %s" % (path, protected.split(">")[0] + ">")
    r = alice.proppatch(path, proppatch_body(many[:25], protected + "".join(
        "<Z:%s>value of %s</Z:%s>" % (n, n, n) for n in many[25:])))
    c.status(r, (207, 403, 409), what)
    no_leak(r, what)
    if r.status == 207:
        got = multistatus(r).get(urllib.parse.unquote(path)) or next(iter(multistatus(r).values()), {})
        pname = "{DAV:}" + protected[3:].split(">")[0]
        prot = got.get(pname, (None,))[0]
        c.check(prot in (403, 409), "%s: the protected property fails (got %s)" % (what, prot), r)
        if first_protected:
            first_protected = False
            c.check(prot == 403 and b"cannot-modify-protected-property" in r.body,
                    "%s: RFC 4918 §9.2.1: 403 with cannot-modify-protected-property for the protected "
                    "property (got %s)" % (what, prot), r)
        others = {got.get("{urn:z}%s" % n, (None,))[0] for n in many}
        c.check(others == {424}, "%s: the other properties get 424 Failed Dependency (got %s)"
                % (what, sorted(others, key=str)), r)
    r = alice.propfind(path, 0, [("urn:z", "q0"), ("urn:z", "q24"), ("urn:z", "q25"), ("urn:z", "q49")])
    got = multistatus(r).get(urllib.parse.unquote(path), {}) if r.status == 207 else {}
    stored = [n for n in ("q0", "q24", "q25", "q49") if got.get("{urn:z}%s" % n, (None,))[0] == 200]
    c.check(r.status == 207 and not stored, "%s: nothing stored (all or nothing)" % what, r if stored else None,
            detail="stored: %s" % stored)
    same_state(before, what)

# ---- the end: the server is healthy and consistent --------------------------------------------------------------

alive("at the end")
if sqlite("SELECT 1") == "1":
    out = sqlite("PRAGMA integrity_check")
    c.check(out == "ok", "PRAGMA integrity_check at the end", detail=out)
log = read_log(error_log_path(), log_start)
crashes = [l for l in log.splitlines() if "exit signal" in l or "Segmentation" in l or "AH00060" in l]
c.check(not crashes, "no child crashed (error.log)", detail="\n".join(crashes[:10]))
c.finish()
