#!/usr/bin/python3
"""test_isolation.py: one user never reaches another's data. As bob, every method against every
kind of alice's path answers 403 with nothing of alice's in the body; alice's data is unchanged
afterwards; listings never name alice; no credentials means 401; each 403 writes exactly one
`caldav: denied` line in the error log, naming bob, the method and the URI.
With --anonymous (the server also has `Require all granted`), requests that Apache lets through
without an authenticated user must get 401 from the module.

Run through t/integration/run.sh (needs BASE_URL, APACHE_DIR).
"""

import collections
import os
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from davclient import (Checks, Client, error_log_path, ical_event, log_size, multistatus,
                       read_log, vcard, DAV)

c = Checks("test_isolation")
alice = Client("alice", "alicepw")
bob = Client("bob", "bobpw")
anon = Client()
CT_ICS = "text/calendar; charset=utf-8"
CT_VCF = "text/vcard; charset=utf-8"
XML = "application/xml; charset=utf-8"

# Alice's secrets: none of these may appear in an answer to bob.
EVENT_UID = "alice-secret-uid-5f1c2a@example.org"
EVENT_SUMMARY = "Alice secret dentist appointment"
CARD_UID = "alice-secret-card-77d1@example.org"
CARD_FN = "Alicecontact Secretperson"
SECRETS = [EVENT_UID, EVENT_SUMMARY, CARD_UID, CARD_FN]

A_PRINCIPAL = "/caldav/principals/alice/"
A_CALHOME = "/caldav/calendars/alice/"
A_CAL = A_CALHOME + "default/"
A_EVENT = A_CAL + "event.ics"
A_NOPE = A_CALHOME + "nope/"
A_NEWFILE = A_CAL + "bob-new.ics"
A_ABHOME = "/caldav/addressbooks/alice/"
A_AB = A_ABHOME + "default/"
A_CARD = A_AB + "card.vcf"
# Other users' paths that do not exist (demo never logged in; zed is no user at all).
OTHER_PATHS = ["/caldav/principals/demo/", "/caldav/calendars/demo/default/",
               "/caldav/calendars/zed/", "/caldav/addressbooks/zed/default/x.vcf"]

# --anonymous: the server's <Directory> also says `Require all granted`, so Apache lets every
# request through without authenticating it (r->user unset, even when credentials are sent):
# the module itself must answer 401 and create nothing.
if "--anonymous" in sys.argv:
    c = Checks("test_isolation --anonymous")
    for client in (anon, alice):
        who = "anonymous" if client is anon else "unauthenticated alice"
        for method in ("GET", "HEAD", "OPTIONS", "PROPFIND", "PROPPATCH", "PUT", "DELETE", "MKCOL",
                       "MKCALENDAR", "REPORT", "LOCK", "COPY", "MOVE"):
            for p in ("/caldav/", "/caldav/principals/", "/caldav/calendars/", A_PRINCIPAL, A_CALHOME,
                      A_CAL, A_EVENT, A_NOPE):
                hdrs = {"Destination": anon.url + A_CAL + "anon-copy.ics"} if method in ("COPY", "MOVE") else None
                body = ical_event("anon@example.org") if method == "PUT" else None
                r = client.request(method, p, body=body, headers=hdrs,
                                   depth=0 if method == "PROPFIND" else None)
                c.status(r, 401, "%s %s %s" % (who, method, p))
                c.check("<D:href>" not in r.text() and "multistatus" not in r.text(),
                        "%s %s %s: the 401 body lists nothing" % (who, method, p), r)
    c.finish()

B_CAL = "/caldav/calendars/bob/default/"
B_EVENT = B_CAL + "bobevent.ics"
B_COL = "/caldav/calendars/bob/bobcol/"

# ---------------------------------------------------------------------------------------
# Setup: alice's data (an event, a card, a lock on the event), bob's own data.
log_start = log_size(error_log_path())

r = alice.propfind("/caldav/", 0)
c.status(r, 207, "setup: alice's first PROPFIND /caldav/")
event = ical_event(EVENT_UID, EVENT_SUMMARY)
alice.delete(A_EVENT)
c.status(alice.put(A_EVENT, event, CT_ICS), 201, "setup: alice PUT %s" % A_EVENT)
card = vcard(CARD_UID, CARD_FN)
alice.delete(A_CARD)
c.status(alice.put(A_CARD, card, CT_VCF), 201, "setup: alice PUT %s" % A_CARD)
r = alice.proppatch(A_CAL, '<?xml version="1.0" encoding="utf-8"?>\n'
                    '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
                    '<D:displayname>Alice private calendar</D:displayname>'
                    '</D:prop></D:set></D:propertyupdate>')
c.status(r, 207, "setup: alice PROPPATCH displayname of %s" % A_CAL)
SECRETS.append("Alice private calendar")
for path, name in ((A_PRINCIPAL, "Alice principal secret name"), (A_CALHOME, "Alice secret home name"),
                   (A_ABHOME, "Alice secret contacts home")):
    r = alice.proppatch(path, '<?xml version="1.0" encoding="utf-8"?>\n'
                        '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
                        '<D:displayname>%s</D:displayname>'
                        '</D:prop></D:set></D:propertyupdate>' % name)
    c.status(r, 207, "setup: alice PROPPATCH displayname of %s" % path)
    SECRETS.append(name)

LOCKINFO = ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
            '<D:locktype><D:write/></D:locktype><D:owner>%s</D:owner></D:lockinfo>')
r = alice.request("LOCK", A_EVENT, body=LOCKINFO % "alice-lock-owner", content_type=XML,
                  headers={"Timeout": "Second-600"}, depth=0)
c.status(r, 200, "setup: alice LOCK %s" % A_EVENT)
alice_token = (r.header("Lock-Token") or "").strip("<> ")
SECRETS.append("alice-lock-owner")
if alice_token:
    SECRETS.append(alice_token)

r = bob.propfind("/caldav/", 0)
c.status(r, 207, "setup: bob's first PROPFIND /caldav/")
bob.delete(B_EVENT)
c.status(bob.put(B_EVENT, ical_event("bob-own-event@example.org", "bob's"), CT_ICS), 201,
         "setup: bob PUT %s" % B_EVENT)
bob.delete(B_COL)
c.status(bob.mkcol(B_COL), 201, "setup: bob MKCOL %s" % B_COL)


def snapshot(client, paths):
    """Bytes+ETag of files and Depth-1 listings (href -> getetag) of collections."""
    snap = {}
    for p in paths:
        if p.endswith("/"):
            r = client.propfind(p, 1, [(DAV, "getetag"), (DAV, "displayname")])
            snap[p] = (r.status, {h: {k: (v[0], "".join(v[1].itertext()) if v[1] is not None else None)
                                      for k, v in props.items()}
                                  for h, props in (multistatus(r).items() if r.status == 207 else [])})
        else:
            r = client.get(p)
            snap[p] = (r.status, r.header("ETag"), r.body)
    return snap


ALICE_PATHS = [A_PRINCIPAL, A_CALHOME, A_CAL, A_EVENT, A_ABHOME, A_AB, A_CARD]
BOB_PATHS = ["/caldav/calendars/bob/", B_CAL, B_EVENT, B_COL, "/caldav/addressbooks/bob/",
             "/caldav/addressbooks/bob/default/"]
alice_before = snapshot(alice, ALICE_PATHS)
bob_before = snapshot(bob, BOB_PATHS)

# ---------------------------------------------------------------------------------------
# Bob against alice's paths.
denials = []  # (method, uri, destination uri or None) of every 403 answer


def leak_check(r, what, allowed_uris):
    """The body may echo the request URI, nothing else of alice's."""
    body = r.body.decode("utf-8", "replace")
    for s in SECRETS:
        c.check(s not in body, "%s: body leaks %r" % (what, s), r)
    stripped = body
    for u in sorted(allowed_uris, key=len, reverse=True):
        for form in (u, urllib.parse.quote(u), bob.url + u):
            stripped = stripped.replace(form, "")
    hrefs = [h for h in re.findall(r"<(?:\w+:)?href[^>]*>([^<]*)<", stripped) if h.strip()]
    c.check(not hrefs, "%s: body names resources %s" % (what, hrefs), r)
    c.check("alice" not in stripped.lower(), "%s: body mentions alice beyond the request URI" % what, r)


def expect_403(method, path, body=None, headers=None, depth=None, content_type=None, dest=None):
    hdrs = dict(headers or {})
    if dest is not None:
        hdrs["Destination"] = bob.url + dest
        hdrs.setdefault("Overwrite", "T")
    r = bob.request(method, path, body=body, headers=hdrs, depth=depth, content_type=content_type)
    what = "bob %s %s%s%s" % (method, path, " Depth:%s" % depth if depth is not None else "",
                             " -> %s" % dest if dest else "")
    if c.status(r, 403, what):
        denials.append((method, path, dest))
    if method == "HEAD":
        c.check(r.body == b"", "%s: no body" % what, r)
    leak_check(r, what, [path] + ([dest] if dest else []))
    return r


PROPFIND_ALL = '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'
PROPPATCH = ('<?xml version="1.0" encoding="utf-8"?>\n<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
             '<D:displayname>bob was here</D:displayname></D:prop></D:set></D:propertyupdate>')
MULTIGET = ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            '<D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>%s</D:href></C:calendar-multiget>' % A_EVENT)
SYNC = ('<?xml version="1.0" encoding="utf-8"?>\n<D:sync-collection xmlns:D="DAV:"><D:sync-token/>'
        '<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>')
MKCAL = ('<?xml version="1.0" encoding="utf-8"?>\n<C:mkcalendar xmlns:D="DAV:" '
         'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>bob</D:displayname>'
         '</D:prop></D:set></C:mkcalendar>')

TARGETS = [A_PRINCIPAL, A_CALHOME, A_CAL, A_EVENT, A_NOPE, A_NEWFILE, A_ABHOME, A_AB, A_CARD] + OTHER_PATHS

for n, t in enumerate(TARGETS):
    is_col = t.endswith("/")
    expect_403("OPTIONS", t)
    expect_403("GET", t)
    expect_403("HEAD", t)
    expect_403("PUT", t, body=ical_event("bob-put-%d@example.org" % n), content_type=CT_ICS)
    if is_col:
        expect_403("PUT", t + "bob-inside.ics", body=ical_event("bob-inside-%d@example.org" % n),
                   content_type=CT_ICS)
    expect_403("DELETE", t)
    expect_403("MKCOL", t)
    if is_col:
        expect_403("MKCOL", t + "bobcol/")
    expect_403("PROPFIND", t, body=PROPFIND_ALL, depth=0, content_type=XML)
    expect_403("PROPFIND", t, body=PROPFIND_ALL, depth=1, content_type=XML)
    expect_403("PROPPATCH", t, body=PROPPATCH, content_type=XML)
    expect_403("LOCK", t, body=LOCKINFO % "bob", content_type=XML, depth=0,
               headers={"Timeout": "Second-60"})
    expect_403("UNLOCK", t, headers={"Lock-Token": "<%s>" % (alice_token or "opaquelocktoken:00000000-0000-0000-0000-000000000000")})
    expect_403("REPORT", t, body=MULTIGET, depth=1, content_type=XML)
    if is_col:
        expect_403("REPORT", t, body=SYNC, content_type=XML)
    expect_403("MKCALENDAR", t, body=MKCAL, content_type=XML)
    expect_403("MKCALENDAR", t + ("bobcal/" if is_col else "/"), body=MKCAL, content_type=XML)
    expect_403("POST", t, body=ical_event("bob-post@example.org"), content_type=CT_ICS)
    expect_403("ACL", t, body='<?xml version="1.0" encoding="utf-8"?>\n<D:acl xmlns:D="DAV:"/>',
               content_type=XML)
    # COPY/MOVE alice's -> bob's.
    dst = B_CAL + "stolen-%d%s" % (n, "/" if is_col else ".ics")
    if is_col:
        dst = "/caldav/calendars/bob/stolen-%d/" % n
    expect_403("COPY", t, dest=dst, depth="infinity" if is_col else None)
    expect_403("MOVE", t, dest=dst)
    # COPY/MOVE bob's -> alice's (overwriting, or creating).
    src = B_COL if is_col else B_EVENT
    expect_403("COPY", src, dest=t, depth="infinity" if is_col else None)
    expect_403("MOVE", src, dest=t)
    if is_col:
        expect_403("COPY", B_EVENT, dest=t + "from-bob.ics")
        expect_403("MOVE", B_EVENT, dest=t + "from-bob.ics")
    # A MOVE that wrongly succeeded took bob's source away: put it back for the next round.
    if bob.request("HEAD", B_EVENT).status == 404:
        bob.put(B_EVENT, ical_event("bob-own-event@example.org", "bob's"), CT_ICS)
    if bob.propfind(B_COL, 0).status == 404:
        bob.mkcol(B_COL)

# Bob must not take over alice's lock with her token either.
r = bob.request("PUT", A_EVENT, body=event + b"X", content_type=CT_ICS,
                headers={"If": "(<%s>)" % alice_token} if alice_token else None)
if c.status(r, 403, "bob PUT %s with alice's lock token in If:" % A_EVENT):
    denials.append(("PUT", A_EVENT, None))
leak_check(r, "bob PUT with alice's lock token", [A_EVENT])

# ---------------------------------------------------------------------------------------
# Listings as bob never name alice.
for p in ("/caldav/", "/caldav/calendars/", "/caldav/addressbooks/", "/caldav/principals/",
          "/caldav/calendars/bob/", "/caldav/addressbooks/bob/", "/caldav/principals/bob/"):
    for depth in (0, 1):
        r = bob.propfind(p, depth)
        c.status(r, 207, "bob PROPFIND Depth %d %s" % (depth, p))
        c.check("alice" not in r.text().lower(), "bob PROPFIND Depth %d %s names alice" % (depth, p), r)
        for s in SECRETS:
            c.check(s not in r.text(), "bob PROPFIND Depth %d %s leaks %r" % (depth, p, s), r)
# sync-collection on the server's own collections (issue 16): it answered 207 listing alice's
# principal and homes with her display names, ETags, dates and a privilege set granting bob read.
# Whether the report is served there or refused, it never lists another user.
SYNC_ALL = ('<?xml version="1.0" encoding="utf-8"?>\n<D:sync-collection xmlns:D="DAV:" '
            'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:sync-token/><D:sync-level>%s</D:sync-level><D:prop>'
            '<D:displayname/><D:getetag/><D:getlastmodified/><D:creationdate/><D:current-user-privilege-set/>'
            '<C:calendar-user-address-set/></D:prop></D:sync-collection>')
for p in ("/caldav/", "/caldav/principals/", "/caldav/calendars/", "/caldav/addressbooks/"):
    for level in ("1", "infinite"):
        r = bob.request("REPORT", p, body=SYNC_ALL % level, content_type=XML, depth=0)
        what = "bob REPORT sync-collection (level %s) on %s" % (level, p)
        c.check(r.status in (207, 403), "%s: 207 or 403, got %d" % (what, r.status), r)
        c.check("alice" not in r.text().lower(), "%s lists nothing of alice's" % what, r)
        for s in SECRETS:
            c.check(s not in r.text(), "%s leaks %r" % (what, s), r)
r = bob.propfind("/caldav/", 0, [(DAV, "current-user-principal")])
c.check(r.status == 207 and "/caldav/principals/bob/" in r.text(),
        "bob's current-user-principal is /caldav/principals/bob/", r)

# ---------------------------------------------------------------------------------------
# No credentials, or wrong ones: 401 from Apache, nothing else.
for method, p in (("GET", "/caldav/"), ("PROPFIND", "/caldav/"), ("GET", A_EVENT),
                  ("PROPFIND", A_CAL), ("PUT", A_CAL + "anon.ics"), ("DELETE", A_EVENT),
                  ("OPTIONS", A_CAL), ("REPORT", A_CAL), ("MKCALENDAR", A_CALHOME + "anoncal/")):
    body = ical_event("anon@example.org") if method == "PUT" else None
    r = anon.request(method, p, body=body)
    c.status(r, 401, "no credentials: %s %s" % (method, p))
    c.check(r.header("WWW-Authenticate", "").startswith("Basic"), "401 has a Basic challenge", r)
    for s in SECRETS:
        c.check(s not in r.text(), "no credentials: %s %s leaks %r" % (method, p, s), r)
wrong = Client("alice", "wrong-password")
r = wrong.get(A_EVENT)
c.status(r, 401, "wrong password: GET %s" % A_EVENT)
c.check(EVENT_UID not in r.text(), "wrong password: body leaks the UID", r)

# ---------------------------------------------------------------------------------------
# Alice's data unchanged (bytes, ETags, listings, properties), bob's own unchanged.
alice_after = snapshot(alice, ALICE_PATHS)
for p in ALICE_PATHS:
    c.check(alice_after[p] == alice_before[p], "alice's %s unchanged by bob" % p,
            detail="before: %r\nafter:  %r" % (alice_before[p], alice_after[p]))
bob_after = snapshot(bob, BOB_PATHS)
for p in BOB_PATHS:
    c.check(bob_after[p] == bob_before[p], "bob's %s unchanged (nothing of alice's copied in)" % p,
            detail="before: %r\nafter:  %r" % (bob_before[p], bob_after[p]))
for p in (A_NOPE, A_NEWFILE, A_CALHOME + "bobcal/", A_CAL + "from-bob.ics"):
    r = alice.propfind(p, 0)
    c.status(r, 404, "nothing created at %s" % p)

# Alice's lock is still hers: she can unlock it.
if alice_token:
    r = alice.request("UNLOCK", A_EVENT, headers={"Lock-Token": "<%s>" % alice_token})
    c.status(r, 204, "alice UNLOCK her lock after bob's attempts")

# ---------------------------------------------------------------------------------------
# One `caldav: denied` line per 403, with bob, the method and the URI.
time.sleep(0.3)  # let the last request's log lines land
log = read_log(error_log_path(), log_start)
line_re = re.compile(r'\[caldav:(\w+)\] .*caldav: denied client=(\S+) user="([^"]*)" '
                     r'method=(\S+) uri="([^"]*)" reason="([^"]*)"')
lines = [l for l in log.splitlines() if "caldav: denied" in l]
parsed = [line_re.search(l) for l in lines]
c.info("%d answers were 403, the error log has %d `caldav: denied` lines, %d [dav:error] lines"
       % (len(denials), len(lines), sum(1 for l in log.splitlines() if "[dav:error]" in l)))
c.check(len(lines) == len(denials),
        "one `caldav: denied` line per 403: %d lines for %d denials" % (len(lines), len(denials)),
        detail="\n".join(lines[:10]))
for l, m in zip(lines, parsed):
    if not c.check(m is not None, "denial line in the fixed format", detail=l):
        continue
    c.check(m.group(1) == "error", "denial logged at level error", detail=l)
    c.check(m.group(2) == "127.0.0.1", "denial names client=127.0.0.1", detail=l)
    c.check(m.group(3) == "bob", "denial names user=\"bob\"", detail=l)
# The lines, in order, name the methods and URIs of the 403 answers.
for i, ((method, path, dest), m) in enumerate(zip(denials, parsed)):
    if m is None:
        continue
    uris = {path, urllib.parse.quote(path)}
    if dest:
        uris |= {dest, urllib.parse.quote(dest), bob.url + dest}
    ok = m.group(4) == method and m.group(5) in uris
    if not c.check(ok, "denial line %d is for %s %s%s" % (i + 1, method, path, " -> " + dest if dest else ""),
                   detail=m.group(0)):
        break  # out of step: one report is enough
counts = collections.Counter(m.group(4) for m in parsed if m)
c.info("denial lines per method: %s" % dict(sorted(counts.items())))

c.finish()
