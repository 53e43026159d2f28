#!/usr/bin/python3
"""test_isolation_matrix.py: bob against alice's data, over a matrix the server itself declares.

The methods are the union of the `Allow` headers of every path (OPTIONS, asked by each path's
owner); the REPORTs are every report any path advertises in DAV:supported-report-set (PROPFIND) or
in OPTIONS' supported-report-set, each with a valid body built for it (an advertised report with
no body builder here fails the test, so a new report cannot go untested); the paths are every
kind the URL layout has (the root, principals/, calendars/, addressbooks/, alice's principal,
homes, calendar, address book, plain collection and the objects in them, bob's own, and names that
do not exist under each); each request is sent with Depth 0, 1 and infinity. So a new method,
report or kind of collection is covered without anyone adding a line here.

Checked for every answer:
  - nothing of alice's in it (body and headers): her hrefs, display names and dead property
    values, her ETags, her event's and card's text and UID, her e-mail address, her lock;
    a multistatus response for an href of hers is a bare 403;
  - a request into another user's space is a denial (Apache's TRACE, which echoes the request
    and reads nothing, aside);
  - each denial logs exactly one `caldav: denied` line in the fixed format (one per refused href
    of a multiget), naming bob, the method and the URI;
  - alice's data is unchanged at the end (bytes, ETags, listings, properties, her lock).
And, as each path's owner, every report is answered exactly where it is advertised.

Prints "matrix: N requests, N denials, N leaks". CALDAV_SOAK=1 also sends every request without a
Depth header and with Depth values clients get wrong, and repeats the matrix with alice's
data grown (a second calendar, more events).

Run through t/integration/run.sh (needs BASE_URL, APACHE_DIR).
"""

import collections
import difflib
import os
import re
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from davclient import (CALDAV, CARDDAV, DAV, Checks, Client, error_log_path, ical_event, log_size,
                       multistatus, vcard)

c = Checks("test_isolation_matrix")
alice = Client("alice", "alicepw")
bob = Client("bob", "bobpw")
SOAK = os.environ.get("CALDAV_SOAK", "0") not in ("", "0")
XML = "application/xml; charset=utf-8"
CT_ICS = "text/calendar; charset=utf-8"
CT_VCF = "text/vcard; charset=utf-8"

# ---------------------------------------------------------------------------------------
# The paths, by kind and owner.
R = "/caldav/"
A_PRINCIPAL = R + "principals/alice/"
A_CALHOME = R + "calendars/alice/"
A_CAL = A_CALHOME + "default/"
A_EVENT = A_CAL + "secret-event.ics"
A_ABHOME = R + "addressbooks/alice/"
A_AB = A_ABHOME + "default/"
A_CARD = A_AB + "secret-card.vcf"
A_PLAIN = A_CALHOME + "plain/"  # a plain collection (MKCOL) and a file in it
A_NOTE = A_PLAIN + "note.txt"
B_PRINCIPAL = R + "principals/bob/"
B_CALHOME = R + "calendars/bob/"
B_CAL = B_CALHOME + "default/"
B_EVENT = B_CAL + "bob-event.ics"
B_ABHOME = R + "addressbooks/bob/"
B_AB = B_ABHOME + "default/"
B_CARD = B_AB + "bob-card.vcf"

SHARED = [R, R + "principals/", R + "calendars/", R + "addressbooks/"]
ALICE = [A_PRINCIPAL, A_CALHOME, A_CAL, A_EVENT, A_ABHOME, A_AB, A_CARD, A_PLAIN, A_NOTE]
BOB = [B_PRINCIPAL, B_CALHOME, B_CAL, B_EVENT, B_ABHOME, B_AB, B_CARD]
# A name that does not exist under each kind of path (a user "nobody" never logged in).
MISSING_SHARED = [R + "no-such-top/", R + "principals/nobody/", R + "calendars/nobody/",
                  R + "addressbooks/nobody/"]
MISSING_ALICE = [A_PRINCIPAL + "nope/", A_CALHOME + "nope/", A_CAL + "nope.ics", A_ABHOME + "nope/",
                 A_AB + "nope.vcf", A_PLAIN + "nope.txt", R + "calendars/nobody/default/x.ics"]


def owner_of(path):
    """Whose space a path lies in: 'shared' (the server's own collections), or a user name."""
    parts = [p for p in path[len(R):].split("/") if p]
    if len(parts) < 2 or parts[0] not in ("principals", "calendars", "addressbooks"):
        return "shared"
    return parts[1]


# ---------------------------------------------------------------------------------------
# Setup: alice's data with a secret in every place a value can live; bob's own data.
SECRETS = {
    "event UID": "alice-matrix-uid-93e1@example.org",
    "event summary": "Alice matrix secret surgery",
    "card UID": "alice-matrix-card-5b7a@example.org",
    "card FN": "Alicematrix Hiddenperson",
    "principal displayname": "Alice Principal Secretname",
    "calendar displayname": "Alice matrix private calendar",
    "address book displayname": "Alice matrix private contacts",
    "home displayname": "Alice matrix home",
    "dead property": "alice-dead-property-value-41c",
    "lock owner": "alice-matrix-lock-owner",
    "note": "alice-matrix-secret-note-d41",
    "e-mail address": "alice@",
    "mailto": "mailto:alice",
}


def proppatch_body(displayname, dead=None):
    extra = '<X:secret xmlns:X="urn:x-matrix-test">%s</X:secret>' % dead if dead else ""
    return ('<?xml version="1.0" encoding="utf-8"?>\n<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
            '<D:displayname>%s</D:displayname>%s</D:prop></D:set></D:propertyupdate>' % (displayname, extra))


c.status(alice.propfind(R, 0), 207, "setup: alice's first request provisions her")
c.status(bob.propfind(R, 0), 207, "setup: bob's first request provisions him")
alice.delete(A_EVENT)
c.status(alice.put(A_EVENT, ical_event(SECRETS["event UID"], SECRETS["event summary"]), CT_ICS), 201,
         "setup: alice PUT her event")
alice.delete(A_CARD)
c.status(alice.put(A_CARD, vcard(SECRETS["card UID"], SECRETS["card FN"]), CT_VCF), 201,
         "setup: alice PUT her card")
alice.delete(A_PLAIN)
c.status(alice.mkcol(A_PLAIN), 201, "setup: alice MKCOL a plain collection")
c.status(alice.put(A_NOTE, SECRETS["note"], "text/plain"), 201, "setup: alice PUT a file in it")
for path, name in ((A_PRINCIPAL, "principal displayname"), (A_CAL, "calendar displayname"),
                   (A_AB, "address book displayname"), (A_CALHOME, "home displayname")):
    r = alice.proppatch(path, proppatch_body(SECRETS[name], SECRETS["dead property"]))
    c.status(r, 207, "setup: alice PROPPATCH %s" % path)
bob.delete(B_EVENT)
c.status(bob.put(B_EVENT, ical_event("bob-matrix-event@example.org", "bob's own"), CT_ICS), 201,
         "setup: bob PUT his event")
bob.delete(B_CARD)
c.status(bob.put(B_CARD, vcard("bob-matrix-card@example.org", "Bob Own"), CT_VCF), 201, "setup: bob PUT his card")

LOCKINFO = ('<?xml version="1.0" encoding="utf-8"?>\n<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/>'
            '</D:lockscope><D:locktype><D:write/></D:locktype><D:owner>%s</D:owner></D:lockinfo>')
r = alice.request("LOCK", A_EVENT, body=LOCKINFO % SECRETS["lock owner"], content_type=XML,
                  headers={"Timeout": "Second-3600"}, depth=0)
c.status(r, 200, "setup: alice LOCK her event")
ALICE_LOCK = (r.header("Lock-Token") or "").strip("<> ")
if ALICE_LOCK:
    SECRETS["lock token"] = ALICE_LOCK

# Alice's ETags (of her collections too: a home's is her change counter).
ETAGS = set()
for path in ALICE:
    r = alice.propfind(path, 0, [(DAV, "getetag")])
    if c.status(r, 207, "setup: alice PROPFIND getetag %s" % path):
        for props in multistatus(r).values():
            code, el = props.get("{DAV:}getetag", (None, None))
            if code == 200 and el is not None and el.text:
                ETAGS.add(el.text.strip())
c.check(len(ETAGS) == len(ALICE), "setup: an ETag for each of alice's %d resources" % len(ALICE),
        detail=sorted(ETAGS))
SECRET_VALUES = sorted(set(SECRETS.values()) | ETAGS)


def owner_client(path):
    return alice if owner_of(path) == "alice" else bob


# ---------------------------------------------------------------------------------------
# What the server declares: its methods (Allow) and its reports (supported-report-set).
OPTIONS_REPORTS = ('<?xml version="1.0" encoding="utf-8"?>\n'
                   '<D:options xmlns:D="DAV:"><D:supported-report-set/></D:options>')
methods = set()
reports = collections.OrderedDict()  # (ns, name) -> the paths advertising it
advertised = {}  # path -> set of (ns, name), as its owner sees it
for path in SHARED + ALICE + BOB + MISSING_SHARED + MISSING_ALICE:
    who = owner_client(path)
    r = who.request("OPTIONS", path)
    allow = r.header("Allow") or ""
    methods |= {m.strip().upper() for m in allow.split(",") if m.strip()}
    found = set()
    r = who.propfind(path, 0, [(DAV, "supported-report-set")])
    if r.status == 207:
        for props in multistatus(r).values():
            code, el = props.get("{DAV:}supported-report-set", (None, None))
            if code == 200 and el is not None:
                for report in el.iter("{DAV:}report"):
                    for child in report:
                        ns, _, name = child.tag[1:].partition("}")
                        found.add((ns, name))
    r = who.request("OPTIONS", path, body=OPTIONS_REPORTS, content_type=XML)
    if r.status == 200 and r.body:
        for el in ET.fromstring(r.body).iter("{DAV:}supported-report"):
            name = el.get("{DAV:}name") or el.get("name")
            ns = el.get("{DAV:}namespace") or el.get("namespace")
            if name:
                found.add((ns, name))
    advertised[path] = found
    for key in sorted(found):
        reports.setdefault(key, []).append(path)
c.check("REPORT" in methods and "PROPFIND" in methods, "the Allow headers name REPORT and PROPFIND",
        detail=sorted(methods))
c.check(len(reports) >= 5, "the paths advertise the server's reports", detail=list(reports))
c.info("declared methods: %s" % " ".join(sorted(methods)))
c.info("declared reports: %s" % " ".join("{%s}%s" % k for k in reports))

# ---------------------------------------------------------------------------------------
# A valid body for each report name. Every one names alice's resources where it can.
PROPS = ('<D:prop><D:displayname/><D:getetag/><D:getlastmodified/><D:creationdate/><D:resourcetype/>'
         '<D:current-user-privilege-set/><D:owner/><D:sync-token/><C:calendar-data/><A:address-data/>'
         '<C:calendar-user-address-set/><C:calendar-home-set/><A:addressbook-home-set/>'
         '<X:secret xmlns:X="urn:x-matrix-test"/></D:prop>')
NS = 'xmlns:D="DAV:" xmlns:C="%s" xmlns:A="%s"' % (CALDAV, CARDDAV)
HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'
ALICE_HREFS = [A_EVENT, A_CAL + "nope.ics", A_CARD, A_PRINCIPAL, A_CAL, B_EVENT, B_CARD]


def sync_body(level):
    return (HEAD + '<D:sync-collection %s><D:sync-token/><D:sync-level>%s</D:sync-level>%s</D:sync-collection>'
            % (NS, level, PROPS))


def hrefs_xml():
    return "".join("<D:href>%s</D:href>" % h for h in ALICE_HREFS)


BUILDERS = {
    (DAV, "sync-collection"): lambda: [sync_body("1"), sync_body("infinite")],
    (CALDAV, "calendar-query"): lambda: [
        HEAD + '<C:calendar-query %s>%s<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/>'
        '</C:comp-filter></C:filter></C:calendar-query>' % (NS, PROPS),
        HEAD + '<C:calendar-query %s><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR">'
        '<C:comp-filter name="VEVENT"><C:time-range start="20200101T000000Z" end="20300101T000000Z"/>'
        '</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>' % NS],
    (CALDAV, "calendar-multiget"): lambda: [
        HEAD + '<C:calendar-multiget %s>%s%s</C:calendar-multiget>' % (NS, PROPS, hrefs_xml())],
    (CALDAV, "free-busy-query"): lambda: [
        HEAD + '<C:free-busy-query %s><C:time-range start="20200101T000000Z" end="20300101T000000Z"/>'
        '</C:free-busy-query>' % NS],
    (CARDDAV, "addressbook-query"): lambda: [
        HEAD + '<A:addressbook-query %s>%s<A:filter><A:prop-filter name="FN"/></A:filter></A:addressbook-query>'
        % (NS, PROPS)],
    (CARDDAV, "addressbook-multiget"): lambda: [
        HEAD + '<A:addressbook-multiget %s>%s%s</A:addressbook-multiget>' % (NS, PROPS, hrefs_xml())],
    (DAV, "expand-property"): lambda: [
        HEAD + '<D:expand-property %s><D:property name="calendar-home-set" namespace="%s">'
        '<D:property name="displayname"/></D:property><D:property name="displayname"/>'
        '<D:property name="calendar-user-address-set" namespace="%s"/><D:property name="owner"/>'
        '<D:property name="secret" namespace="urn:x-matrix-test"/></D:expand-property>' % (NS, CALDAV, CALDAV)],
    (DAV, "principal-property-search"): lambda: [
        HEAD + '<D:principal-property-search %s test="anyof"><D:property-search><D:prop><D:displayname/>'
        '</D:prop><D:match>ali</D:match></D:property-search><D:property-search><D:prop>'
        '<C:calendar-user-address-set/></D:prop><D:match>alice</D:match></D:property-search>%s'
        '</D:principal-property-search>' % (NS, PROPS)],
    (DAV, "principal-search-property-set"): lambda: [
        HEAD + '<D:principal-search-property-set xmlns:D="DAV:"/>'],
}
REPORT_BODIES = []  # (report key, body)
for key in reports:
    builder = BUILDERS.get(key)
    if c.check(builder is not None, "advertised report {%s}%s has a body builder in this test" % key,
               detail="advertised on %s" % reports[key]):
        REPORT_BODIES += [(key, body) for body in builder()]

# As each path's owner: a report is answered exactly where it is advertised (one table drives both).
for path in SHARED + ALICE + BOB:
    who = owner_client(path)
    for key, builder in BUILDERS.items():
        r = who.request("REPORT", path, body=builder()[0], content_type=XML, depth=0)
        unsupported = r.status == 403 and b"supported-report" in r.body
        c.check(unsupported != (key in advertised[path]),
                "{%s}%s on %s: %s but %sadvertised there" % (key[0], key[1], path,
                                                              "refused" if unsupported else "answered %d" % r.status,
                                                              "" if key in advertised[path] else "not "), r)

# ---------------------------------------------------------------------------------------
# What bob sees of the server's shared collections does not move with what others do: a new user
# (demo) arrives, alice makes a calendar and writes in it; bob's answers stay byte for byte the
# same (a collection's ETag or Last-Modified following its members would tell him).
def parsed(r):
    """A multistatus as {href: {property: (status, value)}}: mod_dav declares namespaces in an order
    of its own, which may differ from one answer to the next."""
    if r.status != 207:
        return r.body
    return {href: {k: (v[0], ET.tostring(v[1]) if v[1] is not None else None) for k, v in props.items()}
            for href, props in multistatus(r).items()}


def bob_view():
    view = {}
    for path in SHARED + MISSING_SHARED:
        for depth in (0, 1):
            for body in (HEAD + '<D:propfind %s>%s</D:propfind>' % (NS, PROPS),
                         HEAD + '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'):
                r = bob.request("PROPFIND", path, body=body, depth=depth, content_type=XML)
                view[(path, depth, body)] = (r.status, parsed(r))
        for method in ("GET", "HEAD", "OPTIONS"):
            r = bob.request(method, path)
            view[(path, method)] = (r.status, r.body, sorted((k, v) for k, v in r.headers
                                                             if k.lower() not in ("date", "keep-alive")))
    return view


bob_sees = bob_view()
demo = Client("demo", "demo")
c.status(demo.propfind(R, 0), 207, "another user's first request (demo is provisioned)")
c.status(alice.request("MKCALENDAR", A_CALHOME + "later/"), 201, "alice MKCALENDAR a second calendar")
c.status(alice.put(A_CALHOME + "later/e.ics", ical_event("alice-later@example.org"), CT_ICS), 201,
         "alice PUT an event in it")
c.status(alice.proppatch(A_PRINCIPAL, proppatch_body(SECRETS["principal displayname"] + " 2")), 207,
         "alice PROPPATCH her principal")
bob_sees_after = bob_view()
for key in bob_sees:
    diff = difflib.unified_diff(repr(bob_sees[key]).replace("), ", "),\n").splitlines(),
                                repr(bob_sees_after[key]).replace("), ", "),\n").splitlines(), lineterm="", n=0)
    c.check(bob_sees_after[key] == bob_sees[key], "bob's %s %s unchanged by another user's actions" % key[:2],
            detail="\n".join(list(diff)[2:40]))

# ---------------------------------------------------------------------------------------
# Alice's data as she sees it, to compare at the end.
def snapshot():
    snap = {}
    props = [(DAV, "getetag"), (DAV, "displayname"), ("urn:x-matrix-test", "secret")]
    for path in ALICE + MISSING_ALICE:
        if path.endswith("/"):
            r = alice.propfind(path, 1, props)
            listing = {}
            if r.status == 207:
                for href, found in multistatus(r).items():
                    listing[href] = {k: (v[0], ET.tostring(v[1]) if v[1] is not None else None)
                                     for k, v in found.items()}
            snap[path] = (r.status, listing)
        else:
            r = alice.get(path)
            snap[path] = (r.status, r.header("ETag"), r.body)
    return snap


alice_before = snapshot()

# ---------------------------------------------------------------------------------------
# The matrix.
DENIAL_RE = re.compile(r'\[caldav:error\] .*caldav: denied client=(\S+) user="([^"]*)" '
                       r'method=(\S+) uri="([^"]*)" reason="([^"]*)"')
log_path = error_log_path()
log_offset = log_size(log_path)
counts = collections.Counter()
leaks = []


def body_variants(method, path):
    """(label, body, content type, extra headers) for each way the method is sent."""
    card = "addressbooks" in path
    uid = "bob-matrix-%d@example.org" % counts["requests"]
    if method in ("PUT", "POST"):
        return [("", vcard(uid, "Bob Card") if card else ical_event(uid, "bob's"), CT_VCF if card else CT_ICS, {})]
    if method == "PROPFIND":
        return [("named props", HEAD + '<D:propfind %s>%s</D:propfind>' % (NS, PROPS), XML, {}),
                ("allprop", HEAD + '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>', XML, {})]
    if method == "PROPPATCH":
        return [("", proppatch_body("bob was here", "bob"), XML, {})]
    if method == "LOCK":
        return [("", LOCKINFO % "bob", XML, {"Timeout": "Second-60"})]
    if method == "UNLOCK":
        return [("", None, None, {"Lock-Token": "<%s>" % (ALICE_LOCK or "opaquelocktoken:0")})]
    if method == "MKCALENDAR":
        return [("", HEAD + '<C:mkcalendar %s><D:set><D:prop><D:displayname>bob</D:displayname></D:prop>'
                 '</D:set></C:mkcalendar>' % NS, XML, {})]
    if method == "MKCOL":
        return [("plain", None, None, {}),
                ("extended", HEAD + '<D:mkcol %s><D:set><D:prop><D:resourcetype><D:collection/><C:calendar/>'
                 '</D:resourcetype></D:prop></D:set></D:mkcol>' % NS, XML, {})]
    if method in ("COPY", "MOVE"):
        n = counts["requests"]
        # From bob's own space into alice's; from anywhere else into bob's.
        if owner_of(path) == "bob":
            dest = A_CAL + "from-bob-%d%s" % (n, "/" if path.endswith("/") else ".ics")
        else:
            dest = B_CALHOME + "taken-%d/" % n if path.endswith("/") else B_CAL + "taken-%d.ics" % n
        return [("-> " + dest, None, None, {"Destination": bob.url + dest, "Overwrite": "T"})]
    if method == "REPORT":
        return [("{%s}%s" % key, body, XML, {}) for key, body in REPORT_BODIES]
    return [("", None, None, {})]


def strip_allowed(text, allowed):
    for u in sorted(allowed, key=len, reverse=True):
        for form in (bob.url + u, u, urllib.parse.quote(u)):
            text = text.replace(form, "")
    return text


def leak_check(r, what, allowed):
    """Nothing of alice's in the answer; what may appear of her is what bob himself sent."""
    headers = "\n".join("%s: %s" % (k, v) for k, v in r.headers if k.lower() != "date")
    text = headers + "\n" + r.body.decode("utf-8", "replace")
    found = [s for s in SECRET_VALUES if s in text]
    stripped = strip_allowed(text, allowed)
    if "alice" in stripped.lower():
        found.append("the name alice")
    if r.status == 207 and r.body:
        try:
            for href, props in multistatus(r).items():
                if owner_of(href) in ("bob", "shared"):
                    continue
                if set(props) != {None} or props[None][0] != 403:
                    found.append("a response for %s that is not a bare 403" % href)
        except ET.ParseError:
            found.append("an unparsable multistatus")
    if found:
        leaks.append(what)
    return c.check(not found, "%s: leaks %s" % (what, ", ".join(found)), r)


def denial_lines(r):
    """The `caldav: denied` lines logged since the previous request (each is logged before its answer)."""
    global log_offset
    with open(log_path, "rb") as f:
        f.seek(log_offset)
        data = f.read()
    log_offset += len(data)
    return [line for line in data.decode("utf-8", "replace").splitlines() if "caldav: denied" in line]


def refused_hrefs(r):
    if r.status != 207 or not r.body:
        return 0
    try:
        return sum(1 for props in multistatus(r).values() if props.get(None, (None,))[0] == 403)
    except ET.ParseError:
        return 0


def send(method, path, depth, label, body, content_type, headers):
    counts["requests"] += 1
    what = "bob %s %s Depth:%s %s" % (method, path, depth, label)
    r = bob.request(method, path, body=body, headers=headers, depth=depth, content_type=content_type)
    lines = denial_lines(r)
    dest = urllib.parse.urlsplit(headers.get("Destination", "")).path or None
    allowed = [path] + ([dest] if dest else []) + (ALICE_HREFS if method == "REPORT" else [])
    leak_check(r, what, allowed)
    # One line per denial: the request's own (403), or one per refused href of a multistatus.
    expected = 1 if r.status == 403 and lines else refused_hrefs(r)
    if lines or r.status in (401, 403):
        counts["denials" if lines else "refusals"] += 1
    c.check(len(lines) == expected, "%s: %d denial lines for %s" % (what, len(lines), r.status), r,
            detail="\n".join(lines))
    for line in lines:
        m = DENIAL_RE.search(line)
        ok = (m is not None and m.group(1) == "127.0.0.1" and m.group(2) == "bob" and m.group(3) == method and
              m.group(4) in {path, urllib.parse.quote(path), dest, dest and urllib.parse.quote(dest)})
        c.check(ok, "%s: denial line in the fixed format, naming bob, %s and the URI" % (what, method),
                detail=line)
    # Into another user's space: refused, whatever the method (TRACE is Apache's echo, read nothing).
    others = {owner_of(path)} | ({owner_of(dest)} if dest else set())
    if others - {"bob", "shared"} and method != "TRACE":
        c.check(r.status == 403 and len(lines) == 1, "%s: a request into another user's space is a denial"
                % what, r)
    return r


def run_matrix(paths, depths):
    global log_offset
    log_offset = log_size(log_path)  # what alice's requests logged before is not bob's
    for path in paths:
        mine = owner_of(path) == "bob"
        for method in sorted(methods):
            # On bob's own paths, the methods that can reach someone else: listings, reports
            # naming alice's hrefs, COPY/MOVE into her space, and plain reads.
            if mine and method not in ("PROPFIND", "REPORT", "COPY", "MOVE", "GET", "HEAD", "OPTIONS"):
                continue
            for label, body, content_type, headers in body_variants(method, path):
                for depth in depths:
                    send(method, path, depth, label, body, content_type, headers)
        # A MOVE that wrongly succeeded took bob's source away: put it back.
        if mine and bob.request("HEAD", B_EVENT).status == 404:
            bob.put(B_EVENT, ical_event("bob-matrix-event@example.org", "bob's own"), CT_ICS)


start = time.time()
DEPTHS = ["0", "1", "infinity"] + ([None, "2", "-1"] if SOAK else [])
PATHS = SHARED + MISSING_SHARED + ALICE + MISSING_ALICE + BOB
run_matrix(PATHS, DEPTHS)
if SOAK:
    # Alice's data grown: another calendar with events in it, then the matrix again.
    r = alice.request("MKCALENDAR", A_CALHOME + "work/")
    for i in range(20):
        alice.put(A_CALHOME + "work/e%d.ics" % i, ical_event("alice-work-%d@example.org" % i,
                                                             SECRETS["event summary"]), CT_ICS)
    alice_before = snapshot()
    run_matrix(PATHS + [A_CALHOME + "work/", A_CALHOME + "work/e1.ics"], DEPTHS)
elapsed = time.time() - start

# ---------------------------------------------------------------------------------------
# Alice's data unchanged, her lock still hers.
alice_after = snapshot()
for path in alice_before:
    c.check(alice_after[path] == alice_before[path], "alice's %s unchanged by bob" % path,
            detail="before: %r\nafter:  %r" % (alice_before[path], alice_after[path]))
if ALICE_LOCK:
    r = alice.request("UNLOCK", A_EVENT, headers={"Lock-Token": "<%s>" % ALICE_LOCK})
    c.status(r, 204, "alice UNLOCKs her lock after the matrix")

c.info("matrix: %d requests (%d paths, %d methods, %d report bodies, depths %s) in %.0fs"
       % (counts["requests"], len(PATHS), len(methods), len(REPORT_BODIES), DEPTHS, elapsed))
print("matrix: %d requests, %d denials, %d refusals without a denial line, %d leaks"
      % (counts["requests"], counts["denials"], counts["refusals"], len(leaks)))
c.finish()
