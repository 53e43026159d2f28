"""test_caldav.py: CalDAV and CardDAV against a real Apache, scripted the way clients talk:
discovery from the root (RFC 5397, RFC 4791 §6, RFC 6352 §7), MKCALENDAR and extended MKCOL,
PUT preconditions (RFC 4791 §5.3.2, RFC 6352 §6.3.2), calendar-multiget, calendar-query with
recurring events, sync-collection (RFC 6578), addressbook-query and GET exports.
"""

import re
import sys
import urllib.parse

from davclient import CALDAV, CARDDAV, Checks, Client, ical_event, multistatus, prop_text, vcard

CT_ICS = "text/calendar; charset=utf-8"
CT_VCF = "text/vcard; charset=utf-8"
CS = "http://calendarserver.org/ns/"
ROOT = "/caldav/"
PRINCIPAL = "/caldav/principals/alice/"
CAL_HOME = "/caldav/calendars/alice/"
CAL = CAL_HOME + "default/"
AB = "/caldav/addressbooks/alice/default/"

c = Checks("caldav")
alice = Client("alice", "alicepw")


def propfind(path, props, depth=0):
    r = alice.propfind(path, depth, props)
    c.status(r, 207, "PROPFIND %s" % path)
    return multistatus(r) if r.status == 207 else {}


def href_of(props, key):
    entry = props.get(key)
    if not entry or entry[0] != 200:
        return None
    return prop_text(entry[1].find("{DAV:}href"))


def report(path, body, depth=1):
    return alice.request("REPORT", path, body=body, depth=depth, content_type="application/xml; charset=utf-8")


# ---- discovery (RFC 5397, RFC 4791 §6.2.1, RFC 6352 §7.1.1) ----------------------------------
root = propfind(ROOT, [("DAV:", "current-user-principal")]).get(ROOT, {})
c.check(href_of(root, "{DAV:}current-user-principal") == PRINCIPAL, "RFC 5397: root names alice's principal")
principal = propfind(PRINCIPAL, [("DAV:", "resourcetype"), (CALDAV, "calendar-home-set"),
                                 (CARDDAV, "addressbook-home-set"), (CALDAV, "calendar-user-address-set"),
                                 ("DAV:", "principal-URL")]).get(PRINCIPAL, {})
c.check(href_of(principal, "{%s}calendar-home-set" % CALDAV) == CAL_HOME, "RFC 4791 §6.2.1: calendar-home-set")
c.check(href_of(principal, "{%s}addressbook-home-set" % CARDDAV) == "/caldav/addressbooks/alice/",
        "RFC 6352 §7.1.1: addressbook-home-set")
c.check(href_of(principal, "{DAV:}principal-URL") == PRINCIPAL, "RFC 3744 §4.2: principal-URL")
rt = principal.get("{DAV:}resourcetype")
c.check(rt is not None and rt[1].find("{DAV:}principal") is not None, "RFC 3744 §4: principal resourcetype")
address = principal.get("{%s}calendar-user-address-set" % CALDAV)
c.check(address is not None and [h.text for h in address[1].findall("{DAV:}href")] == ["mailto:alice@example.org", PRINCIPAL],
        "RFC 6638 §2.4.1: calendar-user-address-set is the user at CalDAVEmailDomain, and the principal",
        detail=address)

# Clients list a collection without a displayname as a blank line: provisioning names the principal,
# the default calendar and address book, and the user renames them with PROPPATCH (RFC 4918 §15.2).
for path, default in ((PRINCIPAL, "alice"), (CAL, "Calendar"), (AB, "Contacts")):
    props = propfind(path, [("DAV:", "displayname")]).get(path, {})
    entry = props.get("{DAV:}displayname")
    c.check(entry is not None and entry[0] == 200 and prop_text(entry[1]) == default,
            "%s has the displayname %r" % (path, default), detail=entry)
    r = alice.proppatch(path, '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
                              '<D:displayname>Renamed &amp; kept</D:displayname></D:prop></D:set></D:propertyupdate>')
    c.status(r, 207, "PROPPATCH displayname of %s" % path)
    entry = propfind(path, [("DAV:", "displayname")]).get(path, {}).get("{DAV:}displayname")
    c.check(entry is not None and prop_text(entry[1]) == "Renamed & kept", "%s: the new name is kept" % path,
            detail=entry)
    r = alice.proppatch(path, '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
                              '<D:displayname>%s</D:displayname></D:prop></D:set></D:propertyupdate>' % default)
    c.status(r, 207, "PROPPATCH the default name back on %s" % path)

home = propfind(CAL_HOME, [("DAV:", "resourcetype"), (CALDAV, "supported-calendar-component-set"),
                           (CS, "getctag"), ("DAV:", "sync-token"), ("DAV:", "supported-report-set"),
                           ("DAV:", "current-user-privilege-set"), ("DAV:", "displayname")], depth=1)
cal = home.get(CAL, {})
rt = cal.get("{DAV:}resourcetype")
c.check(rt is not None and rt[1].find("{%s}calendar" % CALDAV) is not None, "RFC 4791 §4.2: default is a calendar")
comps = cal.get("{%s}supported-calendar-component-set" % CALDAV)
names = sorted(e.get("name") for e in comps[1]) if comps and comps[0] == 200 else []
c.check(names == ["VEVENT", "VTODO"], "RFC 4791 §5.2.3: default calendar takes VEVENT and VTODO", detail=names)
reports = cal.get("{DAV:}supported-report-set")
report_text = "" if reports is None else "".join(e.tag for e in reports[1].iter())
c.check("calendar-query" in report_text and "sync-collection" in report_text, "supported-report-set lists reports")
ctag = cal.get("{%s}getctag" % CS)
c.check(ctag is not None and ctag[0] == 200, "CalendarServer getctag on the calendar")
privs = cal.get("{DAV:}current-user-privilege-set")
c.check(privs is not None and privs[1].find(".//{DAV:}write-content") is not None,
        "RFC 3744 §5.4: alice may write her calendar")

# ---- MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL (RFC 5689) -----------------------------
mk = ('<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="%s" xmlns:A="http://apple.com/ns/ical/">'
      '<D:set><D:prop><D:displayname>Work</D:displayname><C:calendar-description>Job</C:calendar-description>'
      '<C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set>'
      '<A:calendar-color>#FF0000FF</A:calendar-color></D:prop></D:set></C:mkcalendar>' % CALDAV)
WORK = CAL_HOME + "work/"
r = alice.request("MKCALENDAR", WORK, body=mk, content_type="application/xml")
c.status(r, 201, "MKCALENDAR with properties")
# RFC 4791 §5.3.1.2: the success answer has an empty body (it was httpd's "internal error" page).
c.check(r.body == b"" and "html" not in (r.header("Content-Type") or ""), "MKCALENDAR's 201 has an empty body", r)
r = alice.request("MKCALENDAR", WORK, body=mk, content_type="application/xml")
c.status(r, 405, "MKCALENDAR on an existing URL")
work = propfind(WORK, [("DAV:", "displayname"), ("http://apple.com/ns/ical/", "calendar-color"),
                       (CALDAV, "supported-calendar-component-set")]).get(WORK, {})
c.check(prop_text(work.get("{DAV:}displayname", (0, None))[1]) == "Work", "displayname set by MKCALENDAR")
c.check(prop_text(work.get("{http://apple.com/ns/ical/}calendar-color", (0, None))[1]) == "#FF0000FF",
        "calendar-color round-trips")
r = alice.put(WORK + "event.ics", ical_event("work-event@example.org"), CT_ICS)
c.status(r, 403, "RFC 4791 §5.3.2: a VEVENT into a VTODO-only calendar")
c.check(b"supported-calendar-component" in r.body, "the body names supported-calendar-component", r)
r = alice.request("MKCALENDAR", WORK + "inner/", body=mk, content_type="application/xml")
c.status(r, 403, "RFC 4791 §5.3.1: no calendar inside a calendar")
mkcol = ('<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:R="%s"><D:set><D:prop>'
         '<D:resourcetype><D:collection/><R:addressbook/></D:resourcetype><D:displayname>Friends</D:displayname>'
         '</D:prop></D:set></D:mkcol>' % CARDDAV)
r = alice.request("MKCOL", "/caldav/addressbooks/alice/friends/", body=mkcol, content_type="application/xml")
c.status(r, 201, "RFC 5689: extended MKCOL makes an address book")
c.check(r.body == b"" and "html" not in (r.header("Content-Type") or ""), "extended MKCOL's 201 has an empty body", r)
# RFC 5689 §3.3, RFC 4791 §5.3.1.2: a property that cannot be set fails the whole request, nothing is
# created, and the answer names it (403 with its precondition) and the others (424).
for method, root, ns in (("MKCALENDAR", "C:mkcalendar", CALDAV), ("MKCOL", "D:mkcol", CALDAV)):
    body = ('<?xml version="1.0" encoding="utf-8"?><%s xmlns:D="DAV:" xmlns:C="%s"><D:set><D:prop>'
            '<D:displayname>Refused</D:displayname><D:getetag>"x"</D:getetag><plain xmlns="">p</plain>'
            '<D:resourcetype><D:collection/><C:calendar/></D:resourcetype></D:prop></D:set></%s>' % (root, ns, root))
    target = CAL_HOME + "refused-%s/" % method.lower()
    r = alice.request(method, target, body=body, content_type="application/xml")
    c.status(r, 403, "%s with a protected property" % method)
    doc = r.xml() if r.status == 403 else None
    response_name = "{%s}mkcalendar-response" % CALDAV if method == "MKCALENDAR" else "{DAV:}mkcol-response"
    if c.check(doc is not None and doc.tag == response_name, "%s: the body is a %s" % (method, response_name), r):
        statuses = {}
        for propstat in doc.findall("{DAV:}propstat"):
            code = propstat.findtext("{DAV:}status").split()[1]
            for prop in propstat.find("{DAV:}prop"):
                statuses[prop.tag] = (code, propstat.find("{DAV:}error"))
        etag = statuses.get("{DAV:}getetag", (None, None))
        c.check(etag[0] == "403" and etag[1] is not None and
                etag[1].find("{DAV:}cannot-modify-protected-property") is not None,
                "%s: getetag is 403 cannot-modify-protected-property" % method, r)
        c.check(statuses.get("{DAV:}displayname", (None,))[0] == "424" and
                statuses.get("{DAV:}resourcetype", (None,))[0] == "424" and statuses.get("plain", (None,))[0] == "424",
                "%s: the other properties are 424 Failed Dependency" % method, r)
    c.status(alice.propfind(target, 0), 404, "%s with a refused property created nothing" % method)
ab = propfind("/caldav/addressbooks/alice/friends/", [("DAV:", "resourcetype")]).get(
    "/caldav/addressbooks/alice/friends/", {})
rt = ab.get("{DAV:}resourcetype")
c.check(rt is not None and rt[1].find("{%s}addressbook" % CARDDAV) is not None, "the new collection is an address book")

# ---- PUT preconditions (RFC 4791 §5.3.2) -------------------------------------------------------
r = alice.put(CAL + "bad.ics", b"BEGIN:VCALENDAR\r\nthis is not iCalendar\r\n", CT_ICS)
c.status(r, 403, "valid-calendar-data")
c.check(b"valid-calendar-data" in r.body, "the body names valid-calendar-data", r)
r = alice.put(CAL + "card.ics", vcard("x", "X"), CT_VCF)
c.status(r, 403, "supported-calendar-data for a vCard")
event = ical_event("uid-1@example.org", "Original", "20300105T100000Z", "20300105T110000Z")
# XML's special characters in a value: a REPORT must escape them and still return the exact bytes.
event = event.replace(b"END:VEVENT", b"X-VENDOR-THING;X-PARAM=\"a:b\":kept as is: <a> & <b>\r\nEND:VEVENT")
r = alice.put(CAL + "one.ics", event, CT_ICS)
c.status(r, 201, "PUT an event")
r = alice.get(CAL + "one.ics")
c.check(r.body == event, "what was PUT is what is served, byte for byte")
r = alice.put(CAL + "dup.ics", ical_event("uid-1@example.org"), CT_ICS)
c.status(r, 409, "no-uid-conflict")
c.check(b"no-uid-conflict" in r.body and CAL.encode() + b"one.ics" in r.body, "the body names the existing href", r)
# RFC 4791 §5.3.2.1: "...or overwrite an existing calendar object resource with one that has a
# different UID". PUT, COPY and MOVE onto an object of another UID are refused; it stays as it was.
other_uid = ical_event("uid-other@example.org", "Other")
r = alice.put(CAL + "one.ics", other_uid, CT_ICS)
c.status(r, 409, "RFC 4791 §5.3.2.1: PUT over an object with another UID")
c.check(b"no-uid-conflict" in r.body and CAL.encode() + b"one.ics" in r.body, "the body names the resource", r)
c.check(alice.get(CAL + "one.ics").body == event, "the refused PUT left the object as it was")
c.status(alice.put(CAL + "other.ics", other_uid, CT_ICS), 201, "PUT an event with another UID")
for method in ("COPY", "MOVE"):
    r = alice.copy(CAL + "other.ics", CAL + "one.ics", overwrite=True, method=method)
    c.status(r, 409, "RFC 4791 §5.3.2.1: %s onto an object with another UID" % method)
    c.check(b"no-uid-conflict" in r.body and CAL.encode() + b"one.ics" in r.body, "the %s body names it" % method, r)
    c.check(alice.get(CAL + "one.ics").body == event, "the refused %s left the target as it was" % method)
    c.check(alice.get(CAL + "other.ics").body == other_uid, "the refused %s left the source as it was" % method)
replaced = event.replace(b"Original", b"Changed")
c.status(alice.put(CAL + "one.ics", replaced, CT_ICS), 204, "PUT over an object with its own UID")
c.status(alice.put(CAL + "one.ics", event, CT_ICS), 204, "PUT the original back")
c.status(alice.delete(CAL + "other.ics"), 204, "DELETE the other event")

# ---- calendar-query with recurrence (RFC 4791 §7.8, §9.9) --------------------------------------
weekly = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:weekly@example.org\r\n"
          "DTSTAMP:20240101T000000Z\r\nDTSTART:20290101T090000Z\r\nDTEND:20290101T100000Z\r\n"
          "RRULE:FREQ=WEEKLY\r\nSUMMARY:Weekly\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()
c.status(alice.put(CAL + "weekly.ics", weekly, CT_ICS), 201, "PUT a weekly series without end")
todo = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VTODO\r\nUID:todo@example.org\r\n"
        "DTSTAMP:20240101T000000Z\r\nSUMMARY:Buy milk\r\nEND:VTODO\r\nEND:VCALENDAR\r\n").encode()
c.status(alice.put(CAL + "todo.ics", todo, CT_ICS), 201, "PUT a todo without dates")


def time_range_query(start, end, comp="VEVENT", props="<D:getetag/>"):
    """A calendar-query body: `props` of the members with a `comp` overlapping [start, end)."""
    return ('<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="%s">'
            '<D:prop>%s</D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="%s">'
            '<C:time-range start="%s" end="%s"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>'
            % (CALDAV, props, comp, start, end))


def query(comp, start, end):
    r = report(CAL, time_range_query(start, end, comp))
    c.status(r, 207, "calendar-query %s %s..%s" % (comp, start, end))
    return sorted(h.rsplit("/", 1)[-1] for h in multistatus(r)) if r.status == 207 else []


c.check(query("VEVENT", "20300105T000000Z", "20300106T000000Z") == ["one.ics"], "query finds the single event")
c.check(query("VEVENT", "20310101T000000Z", "20310108T000000Z") == ["weekly.ics"],
        "query finds a weekly occurrence two years in")
c.check(query("VEVENT", "20450101T000000Z", "20450108T000000Z") == ["weekly.ics"],
        "query past the index horizon expands the open-ended series on demand")
c.check(query("VEVENT", "20200101T000000Z", "20200108T000000Z") == [], "nothing before the series starts")
c.check(query("VTODO", "20200101T000000Z", "20200108T000000Z") == ["todo.ics"],
        "RFC 4791 §9.9: a VTODO without dates matches any range")
bad = ('<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="%s"><D:prop><D:getetag/></D:prop>'
       '<C:filter><C:comp-filter name="VCALENDAR"><C:prop-filter name="SUMMARY"><C:text-match collation="i;klingon">x'
       '</C:text-match></C:prop-filter></C:comp-filter></C:filter></C:calendar-query>' % CALDAV)
r = report(CAL, bad)
c.status(r, 403, "RFC 4791 §7.5.1: unsupported collation")
c.check(b"supported-collation" in r.body, "the body names supported-collation", r)

# ---- recurrence bombs are bounded (RFC 4791 §5.2.8 max-instances) ---------------------------------
import time
for rule in ("FREQ=SECONDLY", "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;COUNT=100000000"):
    bomb = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:bomb-%d@example.org\r\n"
            "DTSTAMP:20240101T000000Z\r\nDTSTART:20300101T000000Z\r\nDURATION:PT1S\r\nRRULE:%s\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n" % (abs(hash(rule)), rule)).encode()
    began = time.monotonic()
    r = alice.put(CAL + "bomb-%d.ics" % abs(hash(rule)), bomb, CT_ICS)
    took = time.monotonic() - began
    c.check(r.status in (201, 403) and took < 5, "recurrence bomb %s is refused or bounded (%d in %.2fs)"
            % (rule, r.status, took), r)
    began = time.monotonic()
    q = query("VEVENT", "20300105T000000Z", "20300106T000000Z")
    c.check(time.monotonic() - began < 5, "a query over the bomb's range stays bounded (%.2fs)"
            % (time.monotonic() - began))
    if r.status == 201:
        alice.delete(CAL + "bomb-%d.ics" % abs(hash(rule)))

# ---- free-busy-query (RFC 4791 §7.10) and principal-property-search (RFC 3744 §9.4) ----------------
fb = ('<?xml version="1.0"?><C:free-busy-query xmlns:C="%s"><C:time-range start="20310101T000000Z" '
      'end="20310108T000000Z"/></C:free-busy-query>' % CALDAV)
r = report(CAL, fb)
c.status(r, 200, "free-busy-query")
c.check(r.body.count(b"FREEBUSY:") == 1 and b"FREEBUSY:20310106T090000Z/20310106T100000Z" in r.body,
        "the weekly event is busy on its Monday", r)
pps = ('<?xml version="1.0"?><D:principal-property-search xmlns:D="DAV:"><D:property-search><D:prop><D:displayname/>'
       '</D:prop><D:match>ALI</D:match></D:property-search><D:prop><D:displayname/><C:calendar-home-set xmlns:C="%s"/>'
       '</D:prop></D:principal-property-search>' % CALDAV)
r = report("/caldav/principals/", pps, depth=0)
c.status(r, 207, "principal-property-search")
c.check(list(multistatus(r)) == [PRINCIPAL] if r.status == 207 else False, "the search finds alice herself", r)
pps_bob = pps.replace("ALI", "bob")
r = report("/caldav/principals/", pps_bob, depth=0)
c.check(r.status == 207 and b"bob" not in r.body.replace(b">bob<", b""), "a search never names another user", r)

ep = ('<?xml version="1.0"?><D:expand-property xmlns:D="DAV:"><D:property name="calendar-home-set" '
      'namespace="%s"/><D:property name="displayname"/></D:expand-property>' % CALDAV)
r = report(PRINCIPAL, ep, depth=0)
c.status(r, 207, "expand-property on the principal")
got = multistatus(r).get(PRINCIPAL, {}) if r.status == 207 else {}
c.check(href_of(got, "{%s}calendar-home-set" % CALDAV) == CAL_HOME, "RFC 3253 §3.8: expand-property lists the property")

# ---- calendar-multiget (RFC 4791 §7.9) -------------------------------------------------------
body = ('<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="%s"><D:prop><D:getetag/><C:calendar-data/>'
        '</D:prop><D:href>%sone.ics</D:href><D:href>%smissing.ics</D:href>'
        '<D:href>/caldav/calendars/bob/default/x.ics</D:href></C:calendar-multiget>' % (CALDAV, CAL, CAL))
r = report(CAL, body)
c.status(r, 207, "calendar-multiget")
got = multistatus(r) if r.status == 207 else {}
data = got.get(CAL + "one.ics", {}).get("{%s}calendar-data" % CALDAV)
c.check(data is not None and data[1].text is not None and data[1].text.encode() == event,
        "calendar-data is the stored object")
c.check(got.get(CAL + "missing.ics", {}).get(None, (None,))[0] == 404, "a missing href is a 404 response")
c.check(got.get("/caldav/calendars/bob/default/x.ics", {}).get(None, (None,))[0] == 403,
        "an href into another user's space is a 403 response")
# RFC 4791 §9.10: (DAV:allprop | DAV:propname | DAV:prop)? — allprop answers the properties with
# values, propname their names, none at all reads as allprop (as an empty PROPFIND, RFC 4918 §9.1).
for what, element in (("DAV:allprop", "<D:allprop/>"), ("DAV:propname", "<D:propname/>"), ("no property element", "")):
    r = report(CAL, '<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="%s">%s<D:href>%sone.ics'
                    '</D:href></C:calendar-multiget>' % (CALDAV, element, CAL))
    c.status(r, 207, "RFC 4791 §9.10: calendar-multiget with %s" % what)
    got = multistatus(r).get(CAL + "one.ics", {}) if r.status == 207 else {}
    etag = got.get("{DAV:}getetag")
    c.check(etag is not None and etag[0] == 200, "%s: the response has getetag" % what, r)
    if etag is not None and what == "DAV:propname":
        c.check(not (etag[1].text or "").strip(), "DAV:propname: names without values", r)
    elif etag is not None:
        c.check((etag[1].text or "").startswith('"'), "%s: getetag has its value" % what, r)
r = report(AB, '<?xml version="1.0"?><R:addressbook-multiget xmlns:D="DAV:" xmlns:R="%s"><D:allprop/>'
               '<D:href>%szoe.vcf</D:href></R:addressbook-multiget>' % (CARDDAV, AB))
c.status(r, 207, "RFC 6352 §8.7: addressbook-multiget with DAV:allprop")

partial = ('<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="%s"><D:prop><C:calendar-data>'
           '<C:comp name="VCALENDAR"><C:prop name="VERSION"/><C:comp name="VEVENT"><C:prop name="UID"/>'
           '<C:prop name="X-VENDOR-THING"/></C:comp></C:comp></C:calendar-data></D:prop><D:href>%sone.ics</D:href>'
           '</C:calendar-multiget>' % (CALDAV, CAL))
r = report(CAL, partial)
data = multistatus(r).get(CAL + "one.ics", {}).get("{%s}calendar-data" % CALDAV) if r.status == 207 else None
text = data[1].text if data is not None else ""
c.check("X-VENDOR-THING" in text and "SUMMARY" not in text and "UID:uid-1@example.org" in text,
        "RFC 4791 §9.6.1: calendar-data returns only the selected properties", r)

# ---- sync-collection (RFC 6578) ----------------------------------------------------------------


def sync(token, limit=None):
    lim = "<D:limit><D:nresults>%d</D:nresults></D:limit>" % limit if limit else ""
    body = ('<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>%s</D:sync-token>'
            '<D:sync-level>1</D:sync-level>%s<D:prop><D:getetag/></D:prop></D:sync-collection>' % (token, lim))
    return report(CAL, body, depth=None)


# RFC 6578 §6.3: sync-level is "1" or "infinite"; another value is a bad request. (None at all is
# read as 1: clients written to the drafts send none.)
for level, expected in (("2", 400), ("0", 400), ("", 400), ("infinity", 400), ("infinite", 207), (None, 207)):
    element = "<D:sync-level>%s</D:sync-level>" % level if level is not None else ""
    body = ('<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token/>%s'
            '<D:prop><D:getetag/></D:prop></D:sync-collection>' % element)
    c.status(report(CAL, body, depth=None), expected, "RFC 6578 §6.3: sync-level %r" % level)

r = sync("")
c.status(r, 207, "initial sync-collection")
token1 = re.search(rb"<D:sync-token>([^<]*)</D:sync-token>", r.body)
token1 = token1.group(1).decode() if token1 else ""
initial = multistatus(r) if r.status == 207 else {}
c.check(set(initial) >= {CAL + "one.ics", CAL + "weekly.ics", CAL + "todo.ics"}, "initial sync lists the members")
c.status(alice.delete(CAL + "todo.ics"), 204, "delete the todo")
c.status(alice.put(CAL + "two.ics", ical_event("uid-2@example.org"), CT_ICS), 201, "add an event")
r = sync(token1)
c.status(r, 207, "incremental sync-collection")
delta = multistatus(r) if r.status == 207 else {}
c.check(delta.get(CAL + "todo.ics", {}).get(None, (None,))[0] == 404, "a deletion is a 404 response")
c.check("{DAV:}getetag" in delta.get(CAL + "two.ics", {}), "an addition comes with its properties")
c.check(CAL + "one.ics" not in delta, "unchanged members are not listed")
r = sync(token1, limit=1)
c.status(r, 207, "sync-collection with a limit")
truncated = multistatus(r) if r.status == 207 else {}
c.check(truncated.get(CAL, {}).get(None, (None,))[0] == 507, "RFC 6578 §3.6: truncation is a 507 response")
r = sync("urn:mod-caldav:sync:1-12345")
c.status(r, 403, "an unknown token")
c.check(b"valid-sync-token" in r.body, "the body names valid-sync-token", r)

# ---- CardDAV: PUT, addressbook-query, export (RFC 6352) ---------------------------------------
card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:card-1\r\nFN:Zoë Müller\r\nN:Müller;Zoë;;;\r\n"
        "EMAIL;TYPE=work:zoe@example.org\r\nX-ABLabel:custom\r\nEND:VCARD\r\n").encode()
c.status(alice.put(AB + "zoe.vcf", card, CT_VCF), 201, "PUT a vCard")
c.check(alice.get(AB + "zoe.vcf").body == card, "the vCard is served byte for byte")
c.status(alice.put(AB + "bad.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\n", CT_VCF), 403, "valid-address-data")
c.status(alice.put(AB + "dup.vcf", card, CT_VCF), 409, "RFC 6352 §6.3.2.1: no-uid-conflict")
r = alice.put(AB + "zoe.vcf", card.replace(b"UID:card-1", b"UID:card-other"), CT_VCF)
c.status(r, 409, "RFC 6352 §6.3.2.1: PUT over a vCard with another UID")
c.check(b"no-uid-conflict" in r.body and alice.get(AB + "zoe.vcf").body == card, "named, and the card is kept", r)
q = ('<?xml version="1.0"?><R:addressbook-query xmlns:D="DAV:" xmlns:R="%s"><D:prop><D:getetag/><R:address-data/>'
     '</D:prop><R:filter><R:prop-filter name="FN"><R:text-match collation="i;unicode-casemap" match-type="contains">'
     'zoË</R:text-match></R:prop-filter></R:filter></R:addressbook-query>' % CARDDAV)
r = report(AB, q)
c.status(r, 207, "addressbook-query")
c.check(list(multistatus(r)) == [AB + "zoe.vcf"] if r.status == 207 else False,
        "RFC 6352 §10.5: i;unicode-casemap finds Zoë")
r = alice.get(AB)
c.check(r.status == 200 and r.body.count(b"BEGIN:VCARD") == 1, "GET on the address book exports its cards")
r = alice.get(CAL)
c.check(r.status == 200 and r.body.startswith(b"BEGIN:VCALENDAR") and r.body.count(b"BEGIN:VEVENT") == 3,
        "GET on the calendar exports one VCALENDAR", r)

# ---- RFC 4791 §5.2.2: floating times follow the calendar's time zone, also after it changes -----------
ZONED = CAL_HOME + "zoned/"
c.status(alice.request("MKCALENDAR", ZONED), 201, "MKCALENDAR without a body")
floating = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:floating@example.org\r\n"
            "DTSTAMP:20240101T000000Z\r\nDTSTART:20300110T233000\r\nDTEND:20300110T234500\r\n"
            "SUMMARY:Floating\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()
c.status(alice.put(ZONED + "floating.ics", floating, CT_ICS), 201, "PUT a floating event")


def names_in_range(calendar, start, end):
    """Names a one-VEVENT time-range query on `calendar` returns, or None on a non-207."""
    r = report(calendar, time_range_query(start, end))
    return sorted(h.rsplit("/", 1)[-1] for h in multistatus(r)) if r.status == 207 else None


def zoned_query(start, end):
    return names_in_range(ZONED, start, end)


c.check(zoned_query("20300110T230000Z", "20300111T000000Z") == ["floating.ics"],
        "without calendar-timezone a floating time is read as UTC")
auckland = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Pacific/Auckland\r\n"
            "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+1200\r\nTZOFFSETTO:+1300\r\nDTSTART:19700927T020000\r\n"
            "RRULE:FREQ=YEARLY;BYMONTH=9;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+1300\r\n"
            "TZOFFSETTO:+1200\r\nDTSTART:19700405T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU\r\n"
            "END:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n")
r = alice.proppatch(ZONED, '<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:C="%s">'
                    '<D:set><D:prop><C:calendar-timezone>%s</C:calendar-timezone></D:prop></D:set>'
                    '</D:propertyupdate>' % (CALDAV, auckland.replace("\r", "&#13;")))
c.status(r, 207, "PROPPATCH calendar-timezone")
c.check(zoned_query("20300110T100000Z", "20300110T110000Z") == ["floating.ics"],
        "after calendar-timezone changes, the floating event is found at its new UTC time (re-indexed)")
c.check(zoned_query("20300110T230000Z", "20300111T000000Z") == [],
        "and no longer at its old one")


# ---- COPY and MOVE into calendars and address books (RFC 4791 §5.3.2, RFC 6352 §6.3.2) ------------
def default_query(start, end):
    return names_in_range(CAL, start, end)


c.status(alice.copy(ZONED + "floating.ics", CAL + "floating.ics"), 201, "COPY a floating event to a UTC calendar")
c.check(default_query("20300110T230000Z", "20300111T000000Z") == ["floating.ics"],
        "the copy is indexed in its new calendar's time zone (UTC), not the source's")
c.check(zoned_query("20300110T100000Z", "20300110T110000Z") == ["floating.ics"], "the source keeps its own index")
r = alice.move(CAL + "floating.ics", WORK + "floating.ics")
c.status(r, 403, "MOVE of a VEVENT into a VTODO-only calendar")
c.check(b"supported-calendar-component" in r.body, "the body names supported-calendar-component", r)
c.status(alice.get(CAL + "floating.ics"), 200, "the refused MOVE left the source in place")
r = alice.copy(CAL + "one.ics", CAL + "one-again.ics")
c.status(r, 409, "COPY within a calendar: the UID is taken (no-uid-conflict)")
c.check(b"no-uid-conflict" in r.body, "the body names no-uid-conflict", r)
r = alice.copy(AB + "zoe.vcf", CAL + "zoe.ics")
c.status(r, 403, "COPY of a vCard into a calendar")
c.check(b"supported-calendar-data" in r.body, "the body names supported-calendar-data", r)
r = alice.copy(CAL + "one.ics", AB + "one.vcf")
c.status(r, 403, "COPY of an event into an address book")
c.check(b"supported-address-data" in r.body, "the body names supported-address-data", r)
r = alice.move(ZONED, CAL + "zoned/")
c.status(r, 403, "RFC 4791 §5.3.2: MOVE of a calendar into a calendar")
c.check(b"calendar-collection-location-ok" in r.body, "the body names calendar-collection-location-ok", r)
c.status(alice.move(ZONED + "floating.ics", CAL + "floating-moved.ics"), 409,
         "MOVE into a calendar that has the UID already (the copy above)")
c.status(alice.delete(CAL + "floating.ics"), 204, "DELETE the copy")
c.status(alice.move(ZONED + "floating.ics", CAL + "floating-moved.ics"), 201, "MOVE the floating event to UTC")
c.check(default_query("20300110T230000Z", "20300111T000000Z") == ["floating-moved.ics"],
        "the moved event is indexed in the destination's time zone")
c.check(zoned_query("20300110T100000Z", "20300110T110000Z") == [], "and is gone from the source's index")
c.status(alice.move(ZONED, CAL_HOME + "renamed/"), 201, "MOVE a calendar within the calendar home")

# ---- REPORT answers written from the stored row agree with mod_dav's property database ----------
# getetag/getcontenttype/getcontentlength alone are written by MultistatusWriter directly; with any
# other property the same member goes through mod_dav. Both must say the same, hrefs escaped alike.
odd = CAL + "a b&c \u00fc+%25.ics"
c.status(alice.put(urllib.parse.quote(odd), ical_event("odd@example.org", "Odd", "20300105T120000Z",
                                                         "20300105T130000Z"), CT_ICS), 201, "PUT a name with & and ü")


def query_props(props):
    r = report(CAL, time_range_query("20300105T000000Z", "20300106T000000Z", props=props))
    c.status(r, 207, "calendar-query for %s" % props)
    return r


def values(r, names):
    return {href: tuple((props.get("{DAV:}" + n, (0, None))[0], prop_text(props.get("{DAV:}" + n, (0, None))[1]))
                        for n in names)
            for href, props in multistatus(r).items()}


names = ["getetag", "getcontenttype", "getcontentlength"]
fast = query_props("<D:getetag/><D:getcontenttype/><D:getcontentlength/>")
slow = query_props("<D:getetag/><D:getcontenttype/><D:getcontentlength/><D:displayname/>")
c.check(sorted(values(fast, names)) == sorted([CAL + "one.ics", odd]), "the query finds both events",
        detail=sorted(values(fast, names)))
c.check(values(fast, names) == values(slow, names), "row-written and mod_dav-written answers agree",
        detail=(values(fast, names), values(slow, names)))
listing = alice.propfind(CAL, 1, [("DAV:", n) for n in names])
c.check(all(values(listing, names).get(h) == v for h, v in values(fast, names).items()),
        "and agree with PROPFIND Depth 1")
raw_hrefs = re.findall(rb"<D:href>([^<]*)</D:href>", fast.body)
c.check(any(h.endswith(b"a%20b&amp;c%20%c3%bc+%2525.ics") for h in raw_hrefs),
        "the href is percent-encoded, then XML-escaped", detail=raw_hrefs)

# ---- RFC 9110 §14.5: partial PUT is not supported: 400, and nothing stored ------------------------
ranged = ical_event("ranged@example.org")
for target, body, ctype in ((CAL + "one.ics", ranged, CT_ICS), (CAL + "ranged.ics", ranged, CT_ICS),
                            (AB + "zoe.vcf", vcard("ranged", "Ranged"), CT_VCF),
                            (AB + "ranged.vcf", vcard("ranged", "Ranged"), CT_VCF)):
    r = alice.put(target, body, ctype, headers={"Content-Range": "bytes 0-%d/%d" % (len(body) - 1, len(body) + 10)})
    c.status(r, 400, "RFC 9110 §14.5: PUT with Content-Range on %s" % target)
c.check(alice.get(CAL + "one.ics").body == event, "the refused partial PUT left the event as it was")
c.check(alice.get(AB + "zoe.vcf").body == card, "the refused partial PUT left the vCard as it was")
c.status(alice.get(CAL + "ranged.ics"), 404, "the refused partial PUT made no event")
c.status(alice.get(AB + "ranged.vcf"), 404, "the refused partial PUT made no vCard")

# ---- RFC 4791 §9.9: a time range's end must be later than its start, wherever a range appears ---------
BACKWARDS = 'start="20300106T000000Z" end="20300105T000000Z"'
EMPTY = 'start="20300105T000000Z" end="20300105T000000Z"'
GOOD = 'start="20300105T000000Z" end="20300106T000000Z"'


def query_with(filter_xml, data=""):
    return ('<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="%s">'
            '<D:prop><D:getetag/>%s</D:prop><C:filter><C:comp-filter name="VCALENDAR">%s</C:comp-filter></C:filter>'
            '</C:calendar-query>' % (CALDAV, data, filter_xml))


for attrs in (BACKWARDS, EMPTY):
    requests = {
        "comp-filter time-range": query_with('<C:comp-filter name="VEVENT"><C:time-range %s/></C:comp-filter>' % attrs),
        "prop-filter time-range": query_with('<C:comp-filter name="VEVENT"><C:prop-filter name="DTSTAMP">'
                                             '<C:time-range %s/></C:prop-filter></C:comp-filter>' % attrs),
        "nested comp-filter time-range": query_with('<C:comp-filter name="VEVENT"><C:comp-filter name="VALARM">'
                                                    '<C:time-range %s/></C:comp-filter></C:comp-filter>' % attrs),
    }
    for element in ("expand", "limit-recurrence-set", "limit-freebusy-set"):
        data = "<C:calendar-data><C:%s %s/></C:calendar-data>" % (element, attrs)
        requests["calendar-query calendar-data " + element] = query_with(
            '<C:comp-filter name="VEVENT"><C:time-range %s/></C:comp-filter>' % GOOD, data)
        requests["calendar-multiget calendar-data " + element] = (
            '<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="%s"><D:prop>%s</D:prop>'
            '<D:href>%sone.ics</D:href></C:calendar-multiget>' % (CALDAV, data, CAL))
        requests["sync-collection calendar-data " + element] = (
            '<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:" xmlns:C="%s"><D:sync-token/>'
            '<D:sync-level>1</D:sync-level><D:prop>%s</D:prop></D:sync-collection>' % (CALDAV, data))
    requests["free-busy-query"] = ('<?xml version="1.0"?><C:free-busy-query xmlns:C="%s"><C:time-range %s/>'
                                   '</C:free-busy-query>' % (CALDAV, attrs))
    for what, body in requests.items():
        r = report(CAL, body, depth=None if what.startswith("sync") else 1)
        # A filter's range fails the valid-filter precondition (403, RFC 4791 §7.8); the others are
        # malformed requests (400).
        c.status(r, 403 if what.endswith("filter time-range") else 400, "RFC 4791 §9.9: %s with %s" % (what, attrs))
        if "calendar-data" not in what:
            c.check(b"valid-filter" in r.body, "%s: the body names CALDAV:valid-filter" % what, r)
r = report(CAL, query_with('<C:comp-filter name="VEVENT"><C:time-range %s/></C:comp-filter>' % GOOD,
                           "<C:calendar-data><C:expand %s/></C:calendar-data>" % GOOD))
c.status(r, 207, "the same query with a forward range is answered")
c.check(CAL + "one.ics" in multistatus(r) if r.status == 207 else False, "and finds the event", r)

# ---- RFC 4791 §4.2, §5.3.1 and RFC 6352 §5.2: no calendar or address book nested in one, at any depth ----
# A calendar or address book holds objects only: no collection of any kind is made inside one (RFC
# 4791 §4.2 a would allow plain ones, but no client makes them and a folder there confuses clients),
# so nothing is nested at any depth. Every way in is refused: MKCOL, extended MKCOL, MKCALENDAR,
# COPY and MOVE, and a tree holding a calendar further down. (lib/dav/collection_location decides;
# t/unit/collection_location_test.cpp judges depths that HTTP can no longer build.)
AB_HOME = "/caldav/addressbooks/alice/"
BOX = CAL_HOME + "box/"           # a plain collection in the home holding a calendar: allowed
c.status(alice.mkcol(BOX), 201, "setup: MKCOL %s" % BOX)
c.status(alice.request("MKCALENDAR", BOX + "inside/"), 201, "RFC 4791 §5.3.1: a calendar in a plain collection")
ext_calendar = ('<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:C="%s"><D:set><D:prop>'
                '<D:resourcetype><D:collection/><C:calendar/></D:resourcetype></D:prop></D:set></D:mkcol>' % CALDAV)
ext_addressbook = ('<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:R="%s"><D:set><D:prop>'
                   '<D:resourcetype><D:collection/><R:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>'
                   % CARDDAV)
ext_plain = ('<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:"><D:set><D:prop>'
             '<D:resourcetype><D:collection/></D:resourcetype><D:displayname>Folder</D:displayname></D:prop>'
             '</D:set></D:mkcol>')


def refused_location(r, what, element, gone=(), kept=()):
    c.status(r, 403, what)
    c.check(element.encode() in r.body and b"error" in r.body, "%s: the DAV:error body names %s" % (what, element), r)
    for path in gone:
        c.status(alice.propfind(path, 0), 404, "%s: nothing was made at %s" % (what, path))
    for path in kept:
        c.status(alice.propfind(path, 0), 207, "%s: %s is still there" % (what, path))


CAL_OK = "calendar-collection-location-ok"
AB_OK = "addressbook-collection-location-ok"
for parent, element in ((CAL, CAL_OK), (AB, AB_OK)):
    refused_location(alice.mkcol(parent + "folder/"), "MKCOL in %s" % parent, element, gone=[parent + "folder/"])
    r = alice.request("MKCOL", parent + "folder/", body=ext_plain, content_type="application/xml")
    refused_location(r, "extended MKCOL of a plain collection in %s" % parent, element, gone=[parent + "folder/"])
    c.check(b"no collection inside" in r.body, "the body says why: no collection inside", r)
    refused_location(alice.request("MKCALENDAR", parent + "nested/"), "MKCALENDAR in %s" % parent, CAL_OK,
                     gone=[parent + "nested/"])
    refused_location(alice.request("MKCOL", parent + "nested/", body=ext_calendar, content_type="application/xml"),
                     "extended MKCOL of a calendar in %s" % parent, CAL_OK, gone=[parent + "nested/"])
    refused_location(alice.request("MKCOL", parent + "book/", body=ext_addressbook, content_type="application/xml"),
                     "extended MKCOL of an address book in %s" % parent, AB_OK, gone=[parent + "book/"])
c.status(alice.request("MKCALENDAR", CAL_HOME + "loose/"), 201, "setup: MKCALENDAR %sloose/" % CAL_HOME)
c.status(alice.mkcol(CAL_HOME + "empty/"), 201, "setup: MKCOL %sempty/" % CAL_HOME)
for method in ("MOVE", "COPY"):
    for parent, element in ((CAL, CAL_OK), (AB, AB_OK)):
        refused_location(alice.copy(CAL_HOME + "empty/", parent + "empty/", method=method),
                         "%s of a plain collection into %s" % (method, parent), element, gone=[parent + "empty/"],
                         kept=[CAL_HOME + "empty/"])
        refused_location(alice.copy(CAL_HOME + "loose/", parent + "loose/", method=method),
                         "%s of a calendar into %s" % (method, parent), CAL_OK, gone=[parent + "loose/"],
                         kept=[CAL_HOME + "loose/"])
        # A tree that holds a calendar deeper down is refused as a whole.
        refused_location(alice.copy(BOX, parent + "box/", method=method),
                         "%s of a folder holding a calendar into %s" % (method, parent), element,
                         gone=[parent + "box/", parent + "box/inside/"], kept=[BOX, BOX + "inside/"])
    refused_location(alice.copy(AB, CAL + "book/", method=method),
                     "%s of an address book into a calendar" % method, AB_OK, gone=[CAL + "book/"], kept=[AB])
c.status(alice.move(BOX, CAL_HOME + "box2/"), 201, "MOVE of a folder holding a calendar within the home")
c.status(alice.propfind(CAL_HOME + "box2/inside/", 0), 207, "the moved calendar is there")
c.status(alice.copy(CAL_HOME + "loose/", CAL_HOME + "box2/loose-copy/"), 201, "COPY of a calendar into a plain folder")

# ---- RFC 4791 §5.2.2: calendar-timezone is a VCALENDAR with exactly one valid VTIMEZONE -------------------
TZCAL = CAL_HOME + "tzcal/"
c.status(alice.request("MKCALENDAR", TZCAL), 201, "setup: MKCALENDAR %s" % TZCAL)


def tz_xml(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("\r", "&#13;")


def set_timezone(path, text, extra=""):
    return alice.proppatch(path, '<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" '
                           'xmlns:C="%s"><D:set><D:prop>%s<C:calendar-timezone>%s</C:calendar-timezone></D:prop>'
                           '</D:set></D:propertyupdate>' % (CALDAV, extra, tz_xml(text)))


def stored_timezone(path):
    got = propfind(path, [(CALDAV, "calendar-timezone"), ("DAV:", "displayname")]).get(path, {})
    entry = got.get("{%s}calendar-timezone" % CALDAV)
    name = got.get("{DAV:}displayname")
    return (entry[1].text if entry and entry[0] == 200 else None,
            prop_text(name[1]) if name and name[0] == 200 else None)


r = set_timezone(TZCAL, auckland)
c.status(r, 207, "PROPPATCH a valid calendar-timezone")
ok = multistatus(r).get(TZCAL, {}).get("{%s}calendar-timezone" % CALDAV) if r.status == 207 else None
c.check(ok is not None and ok[0] == 200, "the valid VTIMEZONE is accepted", r)
before = stored_timezone(TZCAL)


def zone_with(observance):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Bad/Zone\r\n%s"
            "END:VTIMEZONE\r\nEND:VCALENDAR\r\n" % observance)


def observance(frm="+0100", to="+0100", rule="FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", kind="STANDARD"):
    return ("BEGIN:%s\r\nTZOFFSETFROM:%s\r\nTZOFFSETTO:%s\r\nDTSTART:19701025T030000\r\nRRULE:%s\r\nEND:%s\r\n"
            % (kind, frm, to, rule, kind))


bad_zones = {
    "garbage": "garbage",
    "TZOFFSETFROM:+9999": zone_with(observance(frm="+9999")),
    "TZOFFSETTO:+2400": zone_with(observance(to="+2400")),
    "TZOFFSETTO:-0000": zone_with(observance(to="-0000")),
    "a SECONDLY rule": zone_with(observance(rule="FREQ=SECONDLY")),
    "an HOURLY rule": zone_with(observance(rule="FREQ=HOURLY")),
    "no STANDARD or DAYLIGHT": zone_with(""),
    "no TZOFFSETTO": zone_with("BEGIN:STANDARD\r\nTZOFFSETFROM:+0100\r\nDTSTART:19700101T000000\r\nEND:STANDARD\r\n"),
    "two VTIMEZONEs": auckland.replace("END:VCALENDAR", zone_with(observance())[zone_with("").index("BEGIN:VTIMEZONE"):]
                                       .replace("END:VCALENDAR\r\n", "") + "END:VCALENDAR"),
    "a VEVENT beside the VTIMEZONE": auckland.replace("END:VCALENDAR", ical_event("tz-ev@example.org").decode()
                                                      [ical_event("x").decode().index("BEGIN:VEVENT"):]
                                                      .replace("END:VCALENDAR\r\n", "") + "END:VCALENDAR"),
}
for what, text in bad_zones.items():
    r = set_timezone(TZCAL, text, extra="<D:displayname>Renamed</D:displayname>")
    c.status(r, 207, "PROPPATCH calendar-timezone with %s: a multistatus" % what)
    got = multistatus(r).get(TZCAL, {}) if r.status == 207 else {}
    entry = got.get("{%s}calendar-timezone" % CALDAV)
    c.check(entry is not None and entry[0] == 403, "RFC 4791 §5.2.2: calendar-timezone with %s is 403" % what, r)
    c.check(b"valid-calendar-data" in r.body, "calendar-timezone with %s: the answer names valid-calendar-data" % what, r)
    c.check(got.get("{DAV:}displayname", (0,))[0] == 424, "and the displayname set with it fails (424)", r)
    c.check(stored_timezone(TZCAL) == before, "calendar-timezone with %s: nothing changed" % what)
mk_tz = ('<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="%s"><D:set><D:prop>'
         '<C:calendar-timezone>%s</C:calendar-timezone></D:prop></D:set></C:mkcalendar>')
ext_tz = ('<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:C="%s"><D:set><D:prop><D:resourcetype>'
          '<D:collection/><C:calendar/></D:resourcetype><C:calendar-timezone>%s</C:calendar-timezone></D:prop></D:set>'
          '</D:mkcol>')
for what in ("garbage", "TZOFFSETFROM:+9999", "a SECONDLY rule"):
    for method, template in (("MKCALENDAR", mk_tz), ("MKCOL", ext_tz)):
        r = alice.request(method, CAL_HOME + "badtz/", body=template % (CALDAV, tz_xml(bad_zones[what])),
                          content_type="application/xml")
        c.status(r, 403, "RFC 4791 §5.3.1: %s with a calendar-timezone with %s" % (method, what))
        c.check(b"valid-calendar-data" in r.body, "%s: the DAV:error body names valid-calendar-data" % method, r)
        c.status(alice.propfind(CAL_HOME + "badtz/", 0), 404, "%s with a bad calendar-timezone made nothing" % method)
r = alice.request("MKCALENDAR", CAL_HOME + "goodtz/", body=mk_tz % (CALDAV, tz_xml(auckland)),
                  content_type="application/xml")
c.status(r, 201, "MKCALENDAR with a valid calendar-timezone")

# RFC 4791 §5.2.2 and §7.3: floating times are indexed in the calendar's own VTIMEZONE, by its
# definition, not only when its TZID happens to name a zone the server knows.
own_zone = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VTIMEZONE\r\nTZID:My Own Zone\r\n"
            "BEGIN:STANDARD\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nDTSTART:19700101T000000\r\nEND:STANDARD\r\n"
            "END:VTIMEZONE\r\nEND:VCALENDAR\r\n")
OWN = CAL_HOME + "ownzone/"
r = alice.request("MKCALENDAR", OWN, body=mk_tz % (CALDAV, tz_xml(own_zone)), content_type="application/xml")
c.status(r, 201, "MKCALENDAR with a calendar-timezone of its own (TZID My Own Zone, +05:30)")
c.status(alice.put(OWN + "floating.ics", floating, CT_ICS), 201, "PUT a floating event at 23:30 local")
c.check(names_in_range(OWN, "20300110T175000Z", "20300110T181000Z") == ["floating.ics"],
        "RFC 4791 §7.3: the floating 23:30 is found at 18:00Z (+05:30)")
c.check(names_in_range(OWN, "20300110T230000Z", "20300111T000000Z") == [], "and not at 23:30Z (as UTC)")
r = set_timezone(TZCAL, own_zone)
c.status(r, 207, "PROPPATCH the same zone onto %s" % TZCAL)
c.status(alice.put(TZCAL + "floating.ics", floating, CT_ICS), 201, "PUT the floating event there")
c.check(names_in_range(TZCAL, "20300110T175000Z", "20300110T181000Z") == ["floating.ics"],
        "after PROPPATCH of calendar-timezone the floating event is found at 18:00Z")
fb_own = ('<?xml version="1.0"?><C:free-busy-query xmlns:C="%s"><C:time-range start="20300110T000000Z" '
          'end="20300112T000000Z"/></C:free-busy-query>' % CALDAV)
r = report(OWN, fb_own)
c.check(r.status == 200 and b"20300110T180000Z/20300110T181500Z" in r.body,
        "free-busy-query reads the floating event in the calendar's zone", r)

# ---- one i;unicode-casemap for both queries (RFC 5051 §2, RFC 4791 §9.7.5, RFC 6352 §10.5.4) ------
# The same text-match answers the same on a calendar object's SUMMARY and a card's FN holding the
# same text: ß is not ss (UnicodeData.txt gives it no titlecase), full-width letters meet their ASCII
# forms and a precomposed é its e + U+0301 (compatibility and canonical decomposition).
COLLATED = CAL_HOME + "collation/"
c.status(alice.request("MKCALENDAR", COLLATED), 201, "MKCALENDAR for the collation checks")
TEXT = "Hauptstraße 1, Ｃａｆé Zürich"
c.status(alice.put(COLLATED + "text.ics", ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
                                           "UID:collation@example.org\r\nDTSTAMP:20240101T000000Z\r\n"
                                           "DTSTART:20300301T090000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\n"
                                           "END:VCALENDAR\r\n" % TEXT).encode(), CT_ICS), 201, "PUT the event")
c.status(alice.put(AB + "text.vcf", ("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:collation-card\r\nFN:%s\r\nEND:VCARD\r\n"
                                     % TEXT).encode(), CT_VCF), 201, "PUT the card")


def calendar_text_match(text, collation):
    body = ('<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="%s"><D:prop>'
            '<D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
            '<C:prop-filter name="SUMMARY"><C:text-match collation="%s">%s</C:text-match></C:prop-filter>'
            '</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>' % (CALDAV, collation, text))
    r = report(COLLATED, body)
    return (COLLATED + "text.ics") in multistatus(r) if r.status == 207 else r.status


def card_text_match(text, collation):
    body = ('<?xml version="1.0" encoding="utf-8"?><R:addressbook-query xmlns:D="DAV:" xmlns:R="%s"><D:prop>'
            '<D:getetag/></D:prop><R:filter><R:prop-filter name="FN"><R:text-match collation="%s" '
            'match-type="contains">%s</R:text-match></R:prop-filter></R:filter></R:addressbook-query>'
            % (CARDDAV, collation, text))
    r = report(AB, body)
    return (AB + "text.vcf") in multistatus(r) if r.status == 207 else r.status


for text, collation, expected in [
        ("STRASSE", "i;unicode-casemap", False),
        ("hauptstraße", "i;unicode-casemap", True),
        ("STRAẞE", "i;unicode-casemap", False),  # capital ẞ has no titlecase mapping to ß either
        ("café", "i;unicode-casemap", True),  # against full-width Ｃａｆ
        ("ＨＡＵＰＴ", "i;unicode-casemap", True),
        ("CAFE\u0301 ZU\u0308RICH", "i;unicode-casemap", True),
        ("Café", "i;ascii-casemap", False),  # i;ascii-casemap maps a-z only
        ("hauptstraße 1", "i;ascii-casemap", True),
        ("hauptstraße", "i;octet", False)]:
    answers = (calendar_text_match(text, collation), card_text_match(text, collation))
    c.check(answers == (expected, expected), "%s %r: calendar-query and addressbook-query both answer %s"
            % (collation, text, expected), detail=answers)
# RFC 4791 §7.5.1, RFC 6352 §8.3: any other collation is refused alike, naming the precondition.
c.check((calendar_text_match("x", "i;basic"), card_text_match("x", "i;basic")) == (403, 403),
        "an unsupported collation is 403 in calendar-query and addressbook-query")
r = report(AB, '<?xml version="1.0" encoding="utf-8"?><R:addressbook-query xmlns:D="DAV:" xmlns:R="%s"><D:prop>'
           '<D:getetag/></D:prop><R:filter><R:prop-filter name="FN"><R:text-match collation="I;OCTET">x'
           '</R:text-match></R:prop-filter></R:filter></R:addressbook-query>' % CARDDAV)
c.check(r.status == 403 and b"supported-collation" in r.body and CARDDAV.encode() in r.body,
        "RFC 6352 §8.3: the body names CARDDAV:supported-collation", r)

# ---- RFC 4791 §7.8, §9.7: filters no calendar object can be judged by are 403 valid-filter -------------
def filter_query(inner):
    return ('<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="%s"><D:prop>'
            '<D:getetag/></D:prop><C:filter>%s</C:filter></C:calendar-query>' % (CALDAV, inner))


TR = '<C:time-range start="20060104T000000Z" end="20060105T000000Z"/>'
for name, inner in [
        ("§7.8.1 events in a time range", '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">%s'
         '</C:comp-filter></C:comp-filter>' % TR),
        ("§7.8.5 to-dos by alarm time", '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO">'
         '<C:comp-filter name="VALARM">%s</C:comp-filter></C:comp-filter></C:comp-filter>' % TR),
        ("§7.8.6 event by UID", '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
         '<C:prop-filter name="UID"><C:text-match collation="i;octet">DC6C50A017428C5216A2F1CD@example.com'
         '</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>'),
        ("§7.8.7 events by PARTSTAT", '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
         '<C:prop-filter name="ATTENDEE"><C:text-match collation="i;ascii-casemap">mailto:lisa@example.com'
         '</C:text-match><C:param-filter name="PARTSTAT"><C:text-match collation="i;ascii-casemap">NEEDS-ACTION'
         '</C:text-match></C:param-filter></C:prop-filter></C:comp-filter></C:comp-filter>'),
        ("§7.8.8 events only", '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter>'),
        ("§7.8.9 pending to-dos", '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO">'
         '<C:prop-filter name="COMPLETED"><C:is-not-defined/></C:prop-filter><C:prop-filter name="STATUS">'
         '<C:text-match negate-condition="yes">CANCELLED</C:text-match></C:prop-filter></C:comp-filter>'
         '</C:comp-filter>')]:
    c.status(report(CAL, filter_query(inner)), 207, "RFC 4791 %s: the RFC's example filter is answered" % name)
for name, inner in [
        ("a time-range directly in VCALENDAR", '<C:comp-filter name="VCALENDAR">%s</C:comp-filter>' % TR),
        ("a VEVENT in a VEVENT", '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
         '<C:comp-filter name="VEVENT"/></C:comp-filter></C:comp-filter>'),
        ("a VALARM directly under VCALENDAR", '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VALARM"/>'
         '</C:comp-filter>'),
        ("a time-range on VTIMEZONE", '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTIMEZONE">%s'
         '</C:comp-filter></C:comp-filter>' % TR),
        ("a time-range on SUMMARY", '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
         '<C:prop-filter name="SUMMARY">%s</C:prop-filter></C:comp-filter></C:comp-filter>' % TR),
        ("a time-range that ends before it starts", '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
         '<C:time-range start="20060105T000000Z" end="20060104T000000Z"/></C:comp-filter></C:comp-filter>'),
        ("is-not-defined beside a time-range", '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
         '<C:is-not-defined/>%s</C:comp-filter></C:comp-filter>' % TR)]:
    r = report(CAL, filter_query(inner))
    c.status(r, 403, "RFC 4791 §7.8: %s is refused" % name)
    c.check(r.status == 403 and b"valid-filter" in r.body and CALDAV.encode() in r.body,
            "RFC 4791 §7.8: the DAV:error body for %s names CALDAV:valid-filter" % name, r)
for name in ["FN:", "E MAIL", "ITEM1."]:
    body = ('<?xml version="1.0" encoding="utf-8"?><R:addressbook-query xmlns:D="DAV:" xmlns:R="%s"><D:prop>'
            '<D:getetag/></D:prop><R:filter><R:prop-filter name="%s"/></R:filter></R:addressbook-query>'
            % (CARDDAV, name))
    r = report(AB, body)
    c.status(r, 403, "RFC 6352 §8.6: a prop-filter on %r, no vCard property name" % name)
    c.check(r.status == 403 and b"supported-filter" in r.body, "the body names CARDDAV:supported-filter", r)

# ---- RFC 4791 §7.8, §7.9 supported-calendar-data; RFC 6352 §8.6, §8.7 supported-address-data -------------
# A REPORT asking objects in a media type or version the server cannot give is refused whole (403
# naming the precondition), in queries and multigets alike; the formats it serves are answered.
cal_query = ('<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="%s"><D:prop><D:getetag/>%%s</D:prop>'
             '<C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>' % CALDAV)
cal_multiget = ('<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="%s"><D:prop>%%s</D:prop>'
                '<D:href>%sone.ics</D:href></C:calendar-multiget>' % (CALDAV, CAL))
card_query = ('<?xml version="1.0"?><R:addressbook-query xmlns:D="DAV:" xmlns:R="%s"><D:prop><D:getetag/>%%s'
              '</D:prop><R:filter/></R:addressbook-query>' % CARDDAV)
card_multiget = ('<?xml version="1.0"?><R:addressbook-multiget xmlns:D="DAV:" xmlns:R="%s"><D:prop>%%s</D:prop>'
                 '<D:href>%szoe.vcf</D:href></R:addressbook-multiget>' % (CARDDAV, AB))
for attrs, expected in (('content-type="text/vcalendar"', 403), ('version="3.0"', 403),
                        ('content-type="application/calendar+json"', 403),
                        ('content-type="text/calendar" version="2.0"', 207), ("", 207)):
    element = "<C:calendar-data %s/>" % attrs
    for name, body in (("calendar-query", cal_query), ("calendar-multiget", cal_multiget)):
        r = report(CAL, body % element)
        c.status(r, expected, "RFC 4791 §9.6: %s with <calendar-data %s>" % (name, attrs))
        if expected == 403:
            c.check(b"supported-calendar-data" in r.body, "%s: the body names supported-calendar-data" % name, r)
for attrs, expected in (('version="2.1"', 403), ('content-type="text/x-vcard"', 403),
                        ('content-type="application/vcard+json" version="4.0"', 403),
                        ('content-type="text/vcard" version="4.0"', 207), ('version="3.0"', 207), ("", 207)):
    element = "<R:address-data %s/>" % attrs
    for name, body in (("addressbook-query", card_query), ("addressbook-multiget", card_multiget)):
        r = report(AB, body % element)
        c.status(r, expected, "RFC 6352 §10.4: %s with <address-data %s>" % (name, attrs))
        if expected == 403:
            c.check(b"supported-address-data" in r.body, "%s: the body names supported-address-data" % name, r)

c.finish()
