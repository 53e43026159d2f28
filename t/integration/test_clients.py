"""test_clients.py: the request sequences real CalDAV/CardDAV clients send, replayed against a
real Apache with the module, checking the status codes and the data each client relies on.

One function per client, each with its own UIDs (and mostly its own collections):

- ios_calendar       iOS/macOS Calendar (dataaccessd / CalendarAgent): /.well-known/caldav,
                     OPTIONS, principal and home PROPFINDs with Apple's long prop lists,
                     sync-collection + calendar-multiget, PUT If-None-Match / If-Match,
                     DELETE If-Match, PROPPATCH calendar-color/displayname/calendar-order, MKCALENDAR
- thunderbird        Thunderbird (Lightning): direct calendar URL, getctag, calendar-query with
                     getetag (default-namespace body, open-ended time-range), multiget, 412 recovery
- davx5              DAVx5 (dav4jvm): principal, homes Depth 1, sync-collection paged with
                     DAV:limit (507 then continue), calendar-multiget, addressbook-multiget asking
                     for vCard 4.0 and 3.0
- evolution          Evolution/GNOME (evolution-data-server): allprop, VTODO calendar-query,
                     ETag agreement between PUT, GET, PROPFIND and REPORT
- firefox_os         Firefox OS / old Basic-auth clients: 401 challenge, month calendar-query with
                     calendar-data, expand, multiget
- macos_contacts     macOS/iOS Contacts: /.well-known/carddav, addressbook-home-set, the default
                     address book listed first, sync-collection, PUT of a vCard with PHOTO and of an
                     Apple group, GET byte for byte
- cardbook           Thunderbird CardBook: addressbook-query on FN (contains) and EMAIL, multiget

Checks that exercise features the server does not have yet are "known gaps": they are still
checks (and fail the test) but are listed apart at the end. CLIENTS_KNOWN_GAPS_OK=1 makes them
not fail the test.
"""

import os
import re
import sys
import traceback
import urllib.parse
import uuid

import davclient
from davclient import CALDAV, CARDDAV, Checks, Client, multistatus, prop_text

CS = "http://calendarserver.org/ns/"
ICAL = "http://apple.com/ns/ical/"
ME = "http://me.com/_namespace/"

CT_ICS = "text/calendar; charset=utf-8"
CT_VCF = "text/vcard; charset=utf-8"

# The README's discovery redirect (apache.sh writes it too): 308, which keeps method and body.
WELL_KNOWN_CONF = "RedirectMatch 308 ^/\\.well-known/(caldav|carddav)/?$ /caldav/\n"


# ---------------------------------------------------------------------------------------------
# Checks with a section prefix and a list of known gaps.


class ClientChecks(Checks):
    def __init__(self, name):
        super().__init__(name)
        self.section = ""
        self.gaps = []          # known-gap checks that failed
        self.gaps_passing = []  # known-gap checks that pass now

    def check(self, cond, what, resp=None, detail=None):
        if self.section:
            what = "[%s] %s" % (self.section, what)
        return super().check(cond, what, resp, detail)

    def gap(self, cond, what, resp=None, detail=None):
        """A check of a feature the server is known to lack."""
        ok = self.check(cond, "known gap: " + what, resp, detail)
        label = "[%s] known gap: %s" % (self.section, what) if self.section else "known gap: " + what
        if ok:
            self.gaps_passing.append(label)
        else:
            self.gaps.append(label)
        return ok

    def gap_status(self, resp, expected, what):
        if isinstance(expected, int):
            expected = (expected,)
        return self.gap(resp.status in expected,
                        "%s: expected %s, got %s" % (what, "/".join(map(str, expected)), resp.status), resp)

    def finish(self):
        unexpected = [f for f in self.failures if f not in self.gaps]
        print("%s: %d checks passed, %d failed (%d unexpected, %d known gaps)"
              % (self.name, self.passed, self.failed, len(unexpected), len(self.gaps)))
        if unexpected:
            print("failed checks:")
            for f in unexpected:
                print("  - " + f)
        if self.gaps:
            print("known gaps (failing):")
            for f in self.gaps:
                print("  - " + f)
        if self.gaps_passing:
            print("known gaps that pass now:")
            for f in self.gaps_passing:
                print("  - " + f)
        gaps_ok = os.environ.get("CLIENTS_KNOWN_GAPS_OK") == "1"
        sys.exit(1 if unexpected or (self.gaps and not gaps_ok) else 0)


c = ClientChecks("clients")


class UA(Client):
    """A client that sends its User-Agent (and optional fixed headers) on every request."""

    def __init__(self, ua, user="alice", password="alicepw", extra=None):
        super().__init__(user, password)
        self.ua = ua
        self.extra = extra or {}

    def request(self, method, path, body=None, headers=None, depth=None, content_type=None):
        hdrs = {"User-Agent": self.ua}
        hdrs.update(self.extra)
        if headers:
            hdrs.update(headers)
        return super().request(method, path, body=body, headers=hdrs, depth=depth,
                               content_type=content_type)

    def xml(self, method, path, body, depth=None, ct="text/xml; charset=utf-8", headers=None):
        return self.request(method, path, body=body, depth=depth, content_type=ct, headers=headers)


# ---------------------------------------------------------------------------------------------
# Helpers.


def ms(resp, what):
    """multistatus() of a 207, or {} (with a failed check) when it is not one."""
    if not c.status(resp, 207, what):
        return {}
    try:
        return multistatus(resp)
    except Exception as e:  # noqa: BLE001 - any parse error is a failed check
        c.check(False, "%s: the multistatus parses" % what, resp, detail=e)
        return {}


def pget(entry, ns, name):
    """(status, element) of a property in a multistatus entry, (None, None) when absent."""
    return entry.get("{%s}%s" % (ns, name), (None, None))


def pok(entry, ns, name):
    """The element of a property reported with 200, else None."""
    code, el = pget(entry, ns, name)
    return el if code == 200 else None


def href_in(el):
    if el is None:
        return None
    h = el.find("{DAV:}href")
    if h is None or h.text is None:
        return None
    return urllib.parse.unquote(urllib.parse.urlsplit(h.text.strip()).path)


def sync_token(resp):
    try:
        el = resp.xml().find("{DAV:}sync-token")
    except Exception:  # noqa: BLE001
        return None
    return el.text.strip() if el is not None and el.text else None


def response_status(entry):
    """The DAV:status of a response without propstat (404 in sync reports, 507 truncation)."""
    return entry.get(None, (None,))[0]


def ms_order(resp):
    """The hrefs of a multistatus in the order they came."""
    try:
        root = resp.xml()
    except Exception:  # noqa: BLE001
        return []
    out = []
    for r in root.findall("{DAV:}response"):
        h = r.findtext("{DAV:}href", "").strip()
        out.append(urllib.parse.unquote(urllib.parse.urlsplit(h).path))
    return out


def lf(data):
    """Bytes or text with CRLF turned to LF (XML parsing normalises line ends)."""
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    return data.replace("\r\n", "\n")


def crlf(text):
    return "\r\n".join(text.strip("\n").split("\n")).encode("utf-8") + b"\r\n"


def short(uid):
    return uid.split("-")[0]


def new_uid():
    return str(uuid.uuid4()).upper()


def members(result, collection):
    """The member hrefs (not the collection itself) of a parsed multistatus."""
    return {h for h in result if h != collection}


def names(hrefs):
    return sorted(h.rsplit("/", 1)[-1] for h in hrefs)


def mkcalendar(client, path, comps=("VEVENT", "VTODO"), displayname="Calendar"):
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
            '<D:displayname>%s</D:displayname><C:supported-calendar-component-set>%s'
            '</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>'
            % (displayname, "".join('<C:comp name="%s"/>' % x for x in comps)))
    r = client.request("MKCALENDAR", path, body=body, content_type="application/xml; charset=utf-8")
    c.status(r, 201, "setup: MKCALENDAR %s" % path)
    return r


BERLIN = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
DTSTART:19810329T020000
TZNAME:CEST
TZOFFSETTO:+0200
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
DTSTART:19961027T030000
TZNAME:CET
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE"""


def apple_event(uid, summary, start="20300312T090000", end="20300312T100000", seq=0, extra=""):
    """An event as iOS 17 / macOS 14 Calendar writes it."""
    return crlf("""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Apple Inc.//iPhone OS 17.4//EN
CALSCALE:GREGORIAN
%s
BEGIN:VEVENT
CREATED:20240301T101010Z
DTEND;TZID=Europe/Berlin:%s
DTSTAMP:20240301T101012Z
DTSTART;TZID=Europe/Berlin:%s
LAST-MODIFIED:20240301T101010Z
SEQUENCE:%d
SUMMARY:%s
TRANSP:OPAQUE
UID:%s
X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC
%sBEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:Reminder
TRIGGER:-PT15M
UID:%s-ALARM
X-WR-ALARMUID:%s-ALARM
END:VALARM
END:VEVENT
END:VCALENDAR""" % (BERLIN, end, start, seq, summary, uid, extra, uid, uid))


def mozilla_event(uid, summary, start="20300312T090000Z", end="20300312T100000Z", generation=None):
    """An event as Thunderbird (Lightning) writes it."""
    gen = "X-MOZ-GENERATION:%d\n" % generation if generation else ""
    return crlf("""BEGIN:VCALENDAR
PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN
VERSION:2.0
BEGIN:VEVENT
CREATED:20240301T101010Z
LAST-MODIFIED:20240301T101010Z
DTSTAMP:20240301T101010Z
UID:%s
SUMMARY:%s
DTSTART:%s
DTEND:%s
TRANSP:OPAQUE
%sX-MOZ-LASTACK:20240301T101010Z
END:VEVENT
END:VCALENDAR""" % (uid, summary, start, end, gen))


def plain_event(uid, summary, start, end, prodid="-//DAVx5//ical4j 3.2.14//EN", rrule=None, extra=""):
    rr = "RRULE:%s\n" % rrule if rrule else ""
    if len(start) == 8:
        times = "DTSTART;VALUE=DATE:%s\nDTEND;VALUE=DATE:%s\n" % (start, end)
    else:
        times = "DTSTART:%s\nDTEND:%s\n" % (start, end)
    return crlf("""BEGIN:VCALENDAR
VERSION:2.0
PRODID:%s
BEGIN:VEVENT
UID:%s
DTSTAMP:20240301T101010Z
%s%sSUMMARY:%s
END:VEVENT
%sEND:VCALENDAR""" % (prodid, uid, times, rr, summary, extra))


def evolution_todo(uid, summary, due, completed=False):
    status = ("STATUS:COMPLETED\nCOMPLETED:20300301T120000Z\nPERCENT-COMPLETE:100\n" if completed
              else "STATUS:NEEDS-ACTION\nPERCENT-COMPLETE:0\n")
    return crlf("""BEGIN:VCALENDAR
CALSCALE:GREGORIAN
PRODID:-//Ximian//NONSGML Evolution Calendar//EN
VERSION:2.0
BEGIN:VTODO
UID:%s
DTSTAMP:20240301T101010Z
SUMMARY:%s
DUE;VALUE=DATE:%s
%sCLASS:PUBLIC
CREATED:20240301T101010Z
LAST-MODIFIED:20240301T101010Z
END:VTODO
END:VCALENDAR""" % (uid, summary, due, status))


# ---------------------------------------------------------------------------------------------
# Setup: make /.well-known/caldav and /carddav redirect (the documented configuration), by
# appending the Redirects to this test's httpd.conf and restarting, when run.sh did not.


def setup_well_known():
    probe = Client()
    r = probe.request("GET", "/.well-known/caldav")
    probe.close()
    if r.status == 308:
        return True
    conf = os.path.join(os.environ["APACHE_DIR"], "httpd.conf")
    with open(conf, "a") as f:
        f.write("\n# test_clients.py: the documented .well-known redirects\n" + WELL_KNOWN_CONF)
    ok = davclient.apache_restart()
    c.check(ok, "setup: Apache restarts with the .well-known Redirects")
    return ok


# ---------------------------------------------------------------------------------------------
# iOS / macOS Calendar.


def ios_calendar():
    c.section = "iOS Calendar"
    ios = UA("iOS/17.4 (21E219) dataaccessd/1.0", extra={"Accept": "*/*", "Accept-Language": "en-us"})
    home = "/caldav/calendars/alice/"
    cal = home + "default/"
    principal = "/caldav/principals/alice/"

    # Another device already put two events into the calendar.
    other = UA("macOS/14.4 (23E214) CalendarAgent/988")
    seeded = {}
    for i in range(2):
        uid = new_uid()
        href = cal + uid + ".ics"
        r = other.put(href, apple_event(uid, "Seeded %d" % i, "2030031%dT090000" % i,
                                        "2030031%dT100000" % i), CT_ICS, headers={"If-None-Match": "*"})
        c.status(r, 201, "setup: another device PUTs an event")
        seeded[href] = r.header("ETag")

    # Account set-up: /.well-known/caldav, then the context path it points to.
    root_body = ('<?xml version="1.0" encoding="UTF-8"?>\n<A:propfind xmlns:A="DAV:">\n  <A:prop>\n'
                 '    <A:current-user-principal/>\n    <A:principal-URL/>\n    <A:resourcetype/>\n'
                 '  </A:prop>\n</A:propfind>\n')
    r = ios.xml("PROPFIND", "/.well-known/caldav", root_body, depth=0)
    # 308, not 301: after a 301 a client may resend the PROPFIND as a GET or without its body.
    c.status(r, 308, "PROPFIND /.well-known/caldav is redirected with 308 (RFC 6764 §5)")
    loc = r.header("Location") or ""
    start = urllib.parse.urlsplit(loc).path or "/caldav/"
    c.check(start == "/caldav/", "the redirect points to /caldav/", r)
    r = ios.xml("PROPFIND", start, root_body, depth=0)
    got = ms(r, "PROPFIND the context path for current-user-principal").get(start, {})
    c.check(href_in(pok(got, "DAV:", "current-user-principal")) == principal,
            "current-user-principal is alice's principal", r)

    r = ios.request("OPTIONS", principal)
    dav = r.header("DAV", "")
    c.check(r.status == 200 and "calendar-access" in [x.strip() for x in dav.split(",")],
            "OPTIONS on the principal: the DAV header has calendar-access (RFC 4791 §5.1; "
            "iOS/macOS refuse the account without it)", r)

    pbody = """<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <B:calendar-home-set xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <B:calendar-user-address-set xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <A:current-user-principal/>
    <A:displayname/>
    <C:dropbox-home-URL xmlns:C="http://calendarserver.org/ns/"/>
    <C:email-address-set xmlns:C="http://calendarserver.org/ns/"/>
    <C:notification-URL xmlns:C="http://calendarserver.org/ns/"/>
    <A:principal-collection-set/>
    <A:principal-URL/>
    <A:resource-id/>
    <B:schedule-inbox-URL xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <B:schedule-outbox-URL xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <A:supported-report-set/>
  </A:prop>
</A:propfind>
"""
    r = ios.xml("PROPFIND", principal, pbody, depth=0)
    got = ms(r, "PROPFIND the principal (Depth 0, Apple prop list)").get(principal, {})
    c.check(href_in(pok(got, CALDAV, "calendar-home-set")) == home, "calendar-home-set", r)
    cuas = pok(got, CALDAV, "calendar-user-address-set")
    c.check(cuas is not None and any((h.text or "").startswith("mailto:") for h in cuas.findall("{DAV:}href")),
            "calendar-user-address-set has a mailto: href (iOS uses it as the organizer address)", r)
    c.check(href_in(pok(got, "DAV:", "principal-URL")) == principal, "principal-URL", r)
    c.check(pget(got, "DAV:", "displayname")[0] in (200, 404), "displayname answered (200 or 404)", r)
    c.check(pok(got, "DAV:", "supported-report-set") is not None, "supported-report-set on the principal", r)
    c.check(pget(got, CS, "notification-URL")[0] in (None, 404) and
            pget(got, CALDAV, "schedule-inbox-URL")[0] in (None, 404, 200),
            "CalendarServer/scheduling props it lacks are 404, not an error", r)

    # macOS Calendar: delegation lookup and principal search.
    ep = """<?xml version="1.0" encoding="UTF-8"?>
<A:expand-property xmlns:A="DAV:">
  <A:property name="calendar-proxy-write-for" namespace="http://calendarserver.org/ns/">
    <A:property name="displayname" namespace="DAV:"/>
    <A:property name="principal-URL" namespace="DAV:"/>
    <A:property name="calendar-user-address-set" namespace="urn:ietf:params:xml:ns:caldav"/>
  </A:property>
  <A:property name="calendar-proxy-read-for" namespace="http://calendarserver.org/ns/">
    <A:property name="displayname" namespace="DAV:"/>
    <A:property name="principal-URL" namespace="DAV:"/>
    <A:property name="calendar-user-address-set" namespace="urn:ietf:params:xml:ns:caldav"/>
  </A:property>
</A:expand-property>
"""
    r = ios.xml("REPORT", principal, ep, depth=0)
    c.gap_status(r, 207, "expand-property REPORT for calendar-proxy-*-for on the principal")
    r = ios.xml("REPORT", "/caldav/principals/",
                '<?xml version="1.0" encoding="UTF-8"?>\n<A:principal-search-property-set xmlns:A="DAV:"/>\n',
                depth=0)
    c.gap(r.status == 200 and b"principal-search-property-set" in r.body,
          "principal-search-property-set REPORT on /caldav/principals/ (RFC 3744 §9.5)", r)
    pps = """<?xml version="1.0" encoding="UTF-8"?>
<A:principal-property-search xmlns:A="DAV:" test="anyof">
  <A:property-search>
    <A:prop><A:displayname/></A:prop>
    <A:match>ali</A:match>
  </A:property-search>
  <A:property-search>
    <A:prop><B:calendar-user-address-set xmlns:B="urn:ietf:params:xml:ns:caldav"/></A:prop>
    <A:match>ali</A:match>
  </A:property-search>
  <A:prop>
    <A:displayname/>
    <B:calendar-user-address-set xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <A:principal-URL/>
  </A:prop>
</A:principal-property-search>
"""
    r = ios.xml("REPORT", "/caldav/principals/", pps, depth=0)
    c.gap(r.status == 207 and principal.encode() in r.body,
          "principal-property-search (attendee look-up) finds alice", r)

    # Calendar list: the home, Depth 1, Apple's long prop list.
    hbody = """<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <A:add-member/>
    <C:allowed-sharing-modes xmlns:C="http://calendarserver.org/ns/"/>
    <D:autoprovisioned xmlns:D="http://apple.com/ns/ical/"/>
    <E:bulk-requests xmlns:E="http://me.com/_namespace/"/>
    <D:calendar-color xmlns:D="http://apple.com/ns/ical/"/>
    <B:calendar-description xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <B:calendar-free-busy-set xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <D:calendar-order xmlns:D="http://apple.com/ns/ical/"/>
    <B:calendar-timezone xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <A:current-user-privilege-set/>
    <B:default-alarm-vevent-date xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <B:default-alarm-vevent-datetime xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <A:displayname/>
    <C:getctag xmlns:C="http://calendarserver.org/ns/"/>
    <C:invite xmlns:C="http://calendarserver.org/ns/"/>
    <D:language-code xmlns:D="http://apple.com/ns/ical/"/>
    <D:location-code xmlns:D="http://apple.com/ns/ical/"/>
    <A:owner/>
    <C:pre-publish-url xmlns:C="http://calendarserver.org/ns/"/>
    <C:publish-url xmlns:C="http://calendarserver.org/ns/"/>
    <C:push-transports xmlns:C="http://calendarserver.org/ns/"/>
    <C:pushkey xmlns:C="http://calendarserver.org/ns/"/>
    <A:quota-available-bytes/>
    <A:quota-used-bytes/>
    <D:refreshrate xmlns:D="http://apple.com/ns/ical/"/>
    <A:resource-id/>
    <A:resourcetype/>
    <B:schedule-calendar-transp xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <B:schedule-default-calendar-URL xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <C:source xmlns:C="http://calendarserver.org/ns/"/>
    <C:subscribed-strip-alarms xmlns:C="http://calendarserver.org/ns/"/>
    <C:subscribed-strip-attachments xmlns:C="http://calendarserver.org/ns/"/>
    <C:subscribed-strip-todos xmlns:C="http://calendarserver.org/ns/"/>
    <B:supported-calendar-component-set xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <B:supported-calendar-component-sets xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <A:supported-report-set/>
    <A:sync-token/>
  </A:prop>
</A:propfind>
"""
    r = ios.xml("PROPFIND", home, hbody, depth=1, headers={"Brief": "t", "Prefer": "return=minimal"})
    listing = ms(r, "PROPFIND the calendar home (Depth 1, Apple prop list)")
    c.check(home in listing and cal in listing, "the home lists itself and default/", r,
            detail=sorted(listing))
    d = listing.get(cal, {})
    rt = pok(d, "DAV:", "resourcetype")
    c.check(rt is not None and rt.find("{%s}calendar" % CALDAV) is not None, "default/ is a calendar", r)
    ctag0 = prop_text(pok(d, CS, "getctag"))
    c.check(bool(ctag0), "getctag on default/", r)
    tok0 = prop_text(pok(d, "DAV:", "sync-token"))
    c.check(bool(tok0), "sync-token on default/", r)
    comps = pok(d, CALDAV, "supported-calendar-component-set")
    c.check(comps is not None and {x.get("name") for x in comps} >= {"VEVENT", "VTODO"},
            "supported-calendar-component-set has VEVENT and VTODO", r)
    privs = pok(d, "DAV:", "current-user-privilege-set")
    c.check(privs is not None and (privs.find(".//{DAV:}write") is not None or
                                   privs.find(".//{DAV:}write-content") is not None),
            "current-user-privilege-set lets alice write (iOS makes the calendar read-only otherwise)", r)
    reports = pok(d, "DAV:", "supported-report-set")
    rep_tags = {e.tag for e in reports.iter()} if reports is not None else set()
    c.check({"{DAV:}sync-collection", "{%s}calendar-multiget" % CALDAV} <= rep_tags,
            "supported-report-set advertises sync-collection and calendar-multiget (iOS uses sync only then)", r)
    owner = pok(d, "DAV:", "owner")
    c.check(href_in(owner) == principal, "owner is alice's principal", r)
    for href, props in listing.items():
        if any(code not in (200, 404, None) for code, _ in props.values()):
            c.check(False, "every property of %s is 200 or 404" % href, r,
                    detail={k: v[0] for k, v in props.items()})

    # Initial sync of the calendar and a multiget of what it lists.
    sbody = ('<?xml version="1.0" encoding="UTF-8"?>\n<A:sync-collection xmlns:A="DAV:">\n'
             '  <A:sync-token>%s</A:sync-token>\n  <A:sync-level>1</A:sync-level>\n'
             '  <A:prop>\n    <A:getcontenttype/>\n    <A:getetag/>\n  </A:prop>\n</A:sync-collection>\n')
    r = ios.xml("REPORT", cal, sbody % "", depth=1)
    first = ms(r, "initial sync-collection (empty token)")
    token1 = sync_token(r)
    c.check(bool(token1), "the initial sync returns a sync-token", r)
    c.check(set(seeded) <= set(first), "the initial sync lists the events already there", r,
            detail=names(first))
    for href, etag in seeded.items():
        e = first.get(href, {})
        c.check(prop_text(pok(e, "DAV:", "getetag")) == etag, "sync getetag = PUT ETag for %s" % href[-20:], r)
        ct = prop_text(pok(e, "DAV:", "getcontenttype")) or ""
        c.check(ct.startswith("text/calendar"), "getcontenttype is text/calendar", r)
    mg = ['<?xml version="1.0" encoding="UTF-8"?>\n<B:calendar-multiget xmlns:B="urn:ietf:params:xml:ns:caldav">\n'
          '  <A:prop xmlns:A="DAV:">\n    <A:getetag/>\n    <B:calendar-data/>\n'
          '    <C:updated-by xmlns:C="http://calendarserver.org/ns/"/>\n'
          '    <C:created-by xmlns:C="http://calendarserver.org/ns/"/>\n    <B:schedule-tag/>\n  </A:prop>\n']
    mg += ['  <A:href xmlns:A="DAV:">%s</A:href>\n' % h for h in sorted(seeded)]
    mg.append("</B:calendar-multiget>\n")
    r = ios.xml("REPORT", cal, "".join(mg), depth=1)
    got = ms(r, "calendar-multiget of the synced hrefs (inline xmlns)")
    for href in seeded:
        data = prop_text(pok(got.get(href, {}), CALDAV, "calendar-data")) or ""
        c.check("BEGIN:VCALENDAR" in data and href.rsplit("/", 1)[-1][:-4] in data,
                "multiget returns calendar-data for %s" % href[-20:], r)
        c.check(prop_text(pok(got.get(href, {}), "DAV:", "getetag")) == seeded[href],
                "multiget getetag = PUT ETag", r)

    # Create, update, stale update, sync, delete.
    uid = new_uid()
    href = cal + uid + ".ics"
    body = apple_event(uid, "Dentist")
    r = ios.put(href, body, CT_ICS, headers={"If-None-Match": "*"})
    c.status(r, 201, "PUT a new event with If-None-Match: *")
    etag1 = r.header("ETag")
    c.check(bool(etag1) and not etag1.startswith("W/"),
            "PUT answers a strong ETag (iOS skips the re-fetch then)", r)
    r = ios.put(href, body, CT_ICS, headers={"If-None-Match": "*"})
    c.status(r, 412, "If-None-Match: * on an existing event")
    body2 = apple_event(uid, "Dentist (moved)", "20300313T090000", "20300313T100000", seq=1)
    r = ios.put(href, body2, CT_ICS, headers={"If-Match": etag1 or '"none"'})
    c.status(r, (200, 204), "PUT an update with If-Match")
    etag2 = r.header("ETag")
    c.check(bool(etag2) and etag2 != etag1, "the update answers a new ETag", r)
    r = ios.put(href, body, CT_ICS, headers={"If-Match": etag1 or '"none"'})
    c.status(r, 412, "PUT with a stale If-Match")
    r = ios.get(href)
    c.check(r.status == 200 and r.body == body2 and r.header("ETag") == etag2,
            "GET returns the update, byte for byte, with its ETag", r)

    r = ios.xml("REPORT", cal, sbody % (token1 or ""), depth=1)
    delta = ms(r, "incremental sync-collection")
    token2 = sync_token(r)
    c.check(bool(token2) and token2 != token1, "the incremental sync returns a new token", r)
    c.check(prop_text(pok(delta.get(href, {}), "DAV:", "getetag")) == etag2,
            "the incremental sync lists the new event with its current ETag", r)
    c.check(not (set(seeded) & set(delta)), "unchanged events are not listed", r, detail=names(delta))

    r = ios.delete(href, headers={"If-Match": etag1 or '"none"'})
    c.status(r, 412, "DELETE with a stale If-Match")
    r = ios.delete(href, headers={"If-Match": etag2 or '"none"'})
    c.status(r, (200, 204), "DELETE with If-Match")
    r = ios.xml("REPORT", cal, sbody % (token2 or ""), depth=1)
    delta = ms(r, "sync-collection after the DELETE")
    c.check(response_status(delta.get(href, {})) == 404, "the deletion is a 404 response", r)

    r = ios.xml("PROPFIND", cal, '<?xml version="1.0" encoding="UTF-8"?>\n<A:propfind xmlns:A="DAV:"><A:prop>'
                '<C:getctag xmlns:C="http://calendarserver.org/ns/"/></A:prop></A:propfind>', depth=0)
    ctag1 = prop_text(pok(ms(r, "PROPFIND getctag").get(cal, {}), CS, "getctag"))
    c.check(ctag1 and ctag1 != ctag0, "getctag changed after the changes", r)

    # Colour, name and order of the calendar.
    pp = """<?xml version="1.0" encoding="UTF-8"?>
<A:propertyupdate xmlns:A="DAV:">
  <A:set>
    <A:prop>
      <B:calendar-color xmlns:B="http://apple.com/ns/ical/" symbolic-color="custom">#FF2968FF</B:calendar-color>
    </A:prop>
  </A:set>
  <A:set>
    <A:prop>
      <A:displayname>Home \u00e9v\u00e9nements</A:displayname>
    </A:prop>
  </A:set>
  <A:set>
    <A:prop>
      <B:calendar-order xmlns:B="http://apple.com/ns/ical/">3</B:calendar-order>
    </A:prop>
  </A:set>
</A:propertyupdate>
"""
    r = ios.xml("PROPPATCH", cal, pp)
    got = ms(r, "PROPPATCH calendar-color, displayname, calendar-order").get(cal, {})
    c.check(all(pget(got, ns, n)[0] == 200 for ns, n in
                ((ICAL, "calendar-color"), ("DAV:", "displayname"), (ICAL, "calendar-order"))),
            "each property set is 200", r)
    r = ios.xml("PROPFIND", cal, hbody, depth=0)
    got = ms(r, "PROPFIND the calendar after PROPPATCH").get(cal, {})
    c.check(prop_text(pok(got, ICAL, "calendar-color")) == "#FF2968FF", "calendar-color reads back", r)
    c.check(prop_text(pok(got, "DAV:", "displayname")) == "Home \u00e9v\u00e9nements",
            "displayname reads back (UTF-8)", r)
    c.check(prop_text(pok(got, ICAL, "calendar-order")) == "3", "calendar-order reads back", r)

    # A new calendar from the app.
    newcal = home + new_uid() + "/"
    mk = """<?xml version="1.0" encoding="UTF-8"?>
<B:mkcalendar xmlns:B="urn:ietf:params:xml:ns:caldav">
  <A:set xmlns:A="DAV:">
    <A:prop>
      <D:calendar-order xmlns:D="http://apple.com/ns/ical/">4</D:calendar-order>
      <B:supported-calendar-component-set>
        <B:comp name="VEVENT"/>
      </B:supported-calendar-component-set>
      <D:calendar-color xmlns:D="http://apple.com/ns/ical/" symbolic-color="orange">#FF9500FF</D:calendar-color>
      <A:displayname>Travel</A:displayname>
      <B:calendar-timezone><![CDATA[BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Apple Inc.//iPhone OS 17.4//EN
CALSCALE:GREGORIAN
%s
END:VCALENDAR
]]></B:calendar-timezone>
      <B:schedule-calendar-transp>
        <B:opaque/>
      </B:schedule-calendar-transp>
    </A:prop>
  </A:set>
</B:mkcalendar>
""" % BERLIN
    r = ios.xml("MKCALENDAR", newcal, mk)
    c.status(r, 201, "MKCALENDAR as iOS sends it (calendar-timezone, schedule-calendar-transp)")
    r = ios.xml("PROPFIND", newcal, hbody, depth=0)
    got = ms(r, "PROPFIND the new calendar").get(newcal, {})
    c.check(prop_text(pok(got, "DAV:", "displayname")) == "Travel" and
            prop_text(pok(got, ICAL, "calendar-color")) == "#FF9500FF",
            "the new calendar has its name and colour", r)
    comps = pok(got, CALDAV, "supported-calendar-component-set")
    c.check(comps is not None and [x.get("name") for x in comps] == ["VEVENT"],
            "the new calendar takes VEVENT only", r)


# ---------------------------------------------------------------------------------------------
# Thunderbird (Lightning), bob's default calendar by its URL.


def thunderbird():
    c.section = "Thunderbird"
    tb = UA("Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.9.0",
            user="bob", password="bobpw")
    cal = "/caldav/calendars/bob/default/"
    ct = "text/xml; charset=utf-8"

    probe = """<?xml version="1.0" encoding="UTF-8"?>
<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <D:resourcetype/>
    <D:owner/>
    <D:current-user-principal/>
    <D:current-user-privilege-set/>
    <D:supported-report-set/>
    <C:supported-calendar-component-set/>
    <CS:getctag/>
  </D:prop>
</D:propfind>"""
    r = tb.xml("PROPFIND", cal, probe, depth=0, ct=ct)
    got = ms(r, "PROPFIND the calendar URL (Depth 0)").get(cal, {})
    rt = pok(got, "DAV:", "resourcetype")
    c.check(rt is not None and rt.find("{%s}calendar" % CALDAV) is not None, "resourcetype is a calendar", r)
    ctag0 = prop_text(pok(got, CS, "getctag"))
    c.check(bool(ctag0), "getctag", r)
    comps = pok(got, CALDAV, "supported-calendar-component-set")
    c.check(comps is not None and "VEVENT" in [x.get("name") for x in comps], "VEVENT is supported", r)
    c.check(href_in(pok(got, "DAV:", "current-user-principal")) == "/caldav/principals/bob/",
            "current-user-principal is bob", r)

    # Items put by another client: one in the past, two ahead.
    other = Client("bob", "bobpw")
    items = {}
    for summary, s, e in (("Past", "20200105T100000Z", "20200105T110000Z"),
                          ("Planning", "20300105T100000Z", "20300105T110000Z"),
                          ("Review", "20300210T100000Z", "20300210T113000Z")):
        uid = new_uid()
        href = cal + uid + ".ics"
        r = other.put(href, mozilla_event(uid, summary, s, e), CT_ICS)
        c.status(r, 201, "setup: PUT %s" % summary)
        items[summary] = (href, r.header("ETag"))

    r = tb.xml("PROPFIND", cal, probe, depth=0, ct=ct)
    ctag1 = prop_text(pok(ms(r, "PROPFIND getctag again").get(cal, {}), CS, "getctag"))
    c.check(ctag1 and ctag1 != ctag0, "getctag changed after the PUTs (Thunderbird syncs only then)", r)

    def query(time_range, comp="VEVENT"):
        tr = "\n        %s" % time_range if time_range else ""
        body = """<?xml version="1.0" encoding="UTF-8"?>
<calendar-query xmlns:D="DAV:" xmlns="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <D:getetag/>
  </D:prop>
  <filter>
    <comp-filter name="VCALENDAR">
      <comp-filter name="%s">%s
      </comp-filter>
    </comp-filter>
  </filter>
</calendar-query>""" % (comp, tr)
        return tb.xml("REPORT", cal, body, depth=1, ct=ct)

    r = query('<time-range start="20250101T000000Z"/>')
    got = ms(r, "calendar-query getetag, VEVENT, open-ended time-range (default-namespace body)")
    want = {items["Planning"][0], items["Review"][0]}
    c.check(members(got, cal) == want, "the open-ended range finds the two future events", r,
            detail=names(members(got, cal)))
    for h in want:
        c.check(prop_text(pok(got.get(h, {}), "DAV:", "getetag")) == dict(items.values())[h],
                "getetag in the query = PUT ETag", r)
    r = query(None)
    got = ms(r, "calendar-query getetag, VEVENT, no time-range")
    c.check(members(got, cal) >= {h for h, _ in items.values()}, "without a range, every event", r,
            detail=names(members(got, cal)))
    r = query('<time-range start="20300101T000000Z" end="20300201T000000Z"/>')
    got = ms(r, "calendar-query for January 2030")
    c.check(members(got, cal) == {items["Planning"][0]}, "January 2030 has the planning meeting only", r,
            detail=names(members(got, cal)))
    r = query(None, comp="VTODO")
    got = ms(r, "calendar-query VTODO")
    c.check(members(got, cal) == set(), "no todos in the calendar", r)

    body = ['<?xml version="1.0" encoding="UTF-8"?>\n<C:calendar-multiget xmlns:D="DAV:" '
            'xmlns:C="urn:ietf:params:xml:ns:caldav">\n  <D:prop>\n    <D:getetag/>\n'
            '    <C:calendar-data/>\n  </D:prop>\n']
    body += ["  <D:href>%s</D:href>\n" % h for h in sorted(want)]
    body.append("</C:calendar-multiget>")
    r = tb.xml("REPORT", cal, "".join(body), depth=1, ct=ct)
    got = ms(r, "calendar-multiget with calendar-data")
    for h in want:
        data = prop_text(pok(got.get(h, {}), CALDAV, "calendar-data")) or ""
        c.check("X-MOZ-LASTACK" in data and "BEGIN:VEVENT" in data,
                "calendar-data of %s keeps X-MOZ properties" % h[-16:], r)

    # Thunderbird's own writes.
    uid = new_uid()
    href = cal + uid + ".ics"
    r = tb.put(href, mozilla_event(uid, "Lunch", "20300301T120000Z", "20300301T130000Z"),
               "text/calendar; charset=utf-8", headers={"If-None-Match": "*"})
    c.status(r, 201, "PUT a new event with If-None-Match: *")
    etag1 = r.header("ETag")
    if not etag1:  # Thunderbird asks for the ETag when the PUT did not say it
        r2 = tb.xml("PROPFIND", href, '<?xml version="1.0" encoding="UTF-8"?>\n<D:propfind xmlns:D="DAV:">'
                    '<D:prop><D:getetag/></D:prop></D:propfind>', depth=0, ct=ct)
        etag1 = prop_text(pok(ms(r2, "PROPFIND getetag of the new event").get(href, {}), "DAV:", "getetag"))
    # Someone else changes it on the server.
    r = other.put(href, mozilla_event(uid, "Lunch with Ann", "20300301T120000Z", "20300301T133000Z"),
                  CT_ICS, headers={"If-Match": etag1 or '"none"'})
    c.status(r, (200, 204), "setup: another client updates the event")
    # Thunderbird, with the old ETag, gets a 412, reloads and retries.
    mine = mozilla_event(uid, "Lunch (moved)", "20300301T121500Z", "20300301T131500Z", generation=2)
    r = tb.put(href, mine, CT_ICS, headers={"If-Match": etag1 or '"none"'})
    c.status(r, 412, "PUT with a stale If-Match is 412")
    r = tb.get(href)
    c.status(r, 200, "re-GET after the 412")
    fresh = r.header("ETag")
    c.check(b"Lunch with Ann" in r.body and fresh and fresh != etag1,
            "the re-GET returns the other change and a new ETag", r)
    r = tb.xml("PROPFIND", href, '<?xml version="1.0" encoding="UTF-8"?>\n<D:propfind xmlns:D="DAV:">'
               '<D:prop><D:getetag/></D:prop></D:propfind>', depth=0, ct=ct)
    c.check(prop_text(pok(ms(r, "PROPFIND getetag after the 412").get(href, {}), "DAV:", "getetag")) == fresh,
            "PROPFIND getetag = GET ETag", r)
    r = tb.put(href, mine, CT_ICS, headers={"If-Match": fresh or '"none"'})
    c.status(r, (200, 204), "the retry with the fresh ETag succeeds (no 412 loop)")
    r = tb.get(href)
    c.check(r.status == 200 and r.body == mine, "the retry's data is stored byte for byte", r)

    # Older Lightning without REPORT support: PROPFIND Depth 1 for the etags.
    r = tb.xml("PROPFIND", cal, '<?xml version="1.0" encoding="UTF-8"?>\n<D:propfind xmlns:D="DAV:">'
               '<D:prop><D:getcontenttype/><D:resourcetype/><D:getetag/></D:prop></D:propfind>', depth=1, ct=ct)
    got = ms(r, "PROPFIND Depth 1 getcontenttype/resourcetype/getetag")
    c.check(members(got, cal) >= {h for h, _ in items.values()} | {href}, "every item is listed", r)
    c.check(all((prop_text(pok(got[h], "DAV:", "getcontenttype")) or "").startswith("text/calendar")
                for h in members(got, cal)), "every item is text/calendar", r)


# ---------------------------------------------------------------------------------------------
# DAVx5 (Android), user demo.


def davx5():
    c.section = "DAVx5"
    dx = UA("DAVx5/4.3.13.1-ose (2024/02/21; dav4jvm; okhttp/4.12.0) Android/14", user="demo", password="demo")
    ct = "application/xml; charset=utf-8"
    principal = "/caldav/principals/demo/"
    cal_home = "/caldav/calendars/demo/"
    ab_home = "/caldav/addressbooks/demo/"
    cal = cal_home + "default/"
    ab = ab_home + "default/"

    r = dx.xml("PROPFIND", "/caldav/", '<?xml version=\'1.0\' encoding=\'UTF-8\' ?><propfind xmlns="DAV:">'
               '<prop><resourcetype /><current-user-principal /></prop></propfind>', depth=0, ct=ct)
    got = ms(r, "PROPFIND the base URL").get("/caldav/", {})
    c.check(href_in(pok(got, "DAV:", "current-user-principal")) == principal, "current-user-principal", r)
    pbody = ('<?xml version=\'1.0\' encoding=\'UTF-8\' ?><propfind xmlns="DAV:" '
             'xmlns:CAL="urn:ietf:params:xml:ns:caldav" xmlns:CARD="urn:ietf:params:xml:ns:carddav"><prop>'
             '<CAL:calendar-home-set /><CAL:calendar-user-address-set /><group-membership />'
             '<CARD:addressbook-home-set /><displayname /><resourcetype /></prop></propfind>')
    r = dx.xml("PROPFIND", principal, pbody, depth=0, ct=ct)
    got = ms(r, "PROPFIND the principal (default namespace DAV:)").get(principal, {})
    c.check(href_in(pok(got, CALDAV, "calendar-home-set")) == cal_home, "calendar-home-set", r)
    c.check(href_in(pok(got, CARDDAV, "addressbook-home-set")) == ab_home, "addressbook-home-set", r)
    cuas = pok(got, CALDAV, "calendar-user-address-set")
    c.check(cuas is not None and len(cuas.findall("{DAV:}href")) >= 1, "calendar-user-address-set", r)
    c.check(pget(got, "DAV:", "group-membership")[0] in (200, 404), "group-membership is 200 or 404", r)

    hbody = ('<?xml version=\'1.0\' encoding=\'UTF-8\' ?><propfind xmlns="DAV:" '
             'xmlns:CAL="urn:ietf:params:xml:ns:caldav" xmlns:CARD="urn:ietf:params:xml:ns:carddav" '
             'xmlns:CS="http://calendarserver.org/ns/" xmlns:ICAL="http://apple.com/ns/ical/"><prop>'
             '<resourcetype /><displayname /><owner /><current-user-privilege-set /><ICAL:calendar-color />'
             '<CAL:calendar-description /><CAL:calendar-timezone /><CAL:supported-calendar-component-set />'
             '<CS:source /><CARD:addressbook-description /><CARD:supported-address-data />'
             '<CAL:supported-calendar-data /><CAL:max-resource-size /><CARD:max-resource-size />'
             '<sync-token /><CS:getctag /></prop></propfind>')
    r = dx.xml("PROPFIND", cal_home, hbody, depth=1, ct=ct)
    got = ms(r, "PROPFIND the calendar home (Depth 1)")
    d = got.get(cal, {})
    rt = pok(d, "DAV:", "resourcetype")
    c.check(rt is not None and rt.find("{%s}calendar" % CALDAV) is not None, "the home lists default/ as a calendar", r)
    c.check(pok(d, CALDAV, "supported-calendar-component-set") is not None, "supported-calendar-component-set", r)
    privs = pok(d, "DAV:", "current-user-privilege-set")
    c.check(privs is not None and privs.find(".//{DAV:}write-content") is not None or
            privs is not None and privs.find(".//{DAV:}write") is not None,
            "privileges allow writing (DAVx5 marks the calendar read-only otherwise)", r)
    r = dx.xml("PROPFIND", ab_home, hbody, depth=1, ct=ct)
    got = ms(r, "PROPFIND the address-book home (Depth 1)")
    d = got.get(ab, {})
    rt = pok(d, "DAV:", "resourcetype")
    c.check(rt is not None and rt.find("{%s}addressbook" % CARDDAV) is not None,
            "the home lists default/ as an address book", r)
    sad = pok(d, CARDDAV, "supported-address-data")
    versions = {x.get("version") for x in sad} if sad is not None else set()
    c.check("4.0" in versions, "supported-address-data advertises vCard 4.0 (DAVx5 then asks for 4.0)", r,
            detail=versions)

    # Calendar: five events, then a paged initial sync (2 per page).
    hrefs = {}
    for i in range(5):
        uid = new_uid()
        href = cal + uid + ".ics"
        r = dx.put(href, plain_event(uid, "Sprint %d" % i, "2030040%dT080000Z" % (i + 1),
                                     "2030040%dT090000Z" % (i + 1)), "text/calendar; charset=utf-8",
                   headers={"If-None-Match": "*"})
        c.status(r, 201, "PUT event %d" % i)
        hrefs[href] = r.header("ETag")

    def sync(token, limit=None):
        lim = "<limit><nresults>%d</nresults></limit>" % limit if limit else ""
        tok = "<sync-token>%s</sync-token>" % token if token else "<sync-token />"
        body = ('<?xml version=\'1.0\' encoding=\'UTF-8\' ?><sync-collection xmlns="DAV:" '
                'xmlns:CAL="urn:ietf:params:xml:ns:caldav">%s<sync-level>1</sync-level>%s'
                '<prop><getcontenttype /><getetag /></prop></sync-collection>' % (tok, lim))
        return dx.xml("REPORT", cal, body, depth=0, ct=ct)

    seen = {}
    token = None
    pages = 0
    truncated_pages = 0
    while pages < 12:
        pages += 1
        r = sync(token, limit=2)
        got = ms(r, "sync-collection page %d (limit 2)" % pages)
        if r.status != 207:
            break
        new_token = sync_token(r)
        c.check(bool(new_token), "page %d has a sync-token" % pages, r)
        mem = members(got, cal)
        c.check(len(mem) <= 2, "page %d has at most 2 members" % pages, r, detail=names(mem))
        for h in mem:
            seen[h] = prop_text(pok(got[h], "DAV:", "getetag"))
        trunc = response_status(got.get(cal, {})) == 507
        if not new_token or new_token == token and trunc:
            c.check(False, "paging makes progress", r)
            break
        token = new_token
        if not trunc:
            break
        truncated_pages += 1
    c.check(truncated_pages >= 1, "the initial sync was truncated with a 507 (RFC 6578 §3.6)",
            detail="pages=%d" % pages)
    c.check(pages < 12, "paging ends", detail="pages=%d" % pages)
    c.check(set(hrefs) <= set(seen), "paging delivered every event", detail=names(set(hrefs) - set(seen)))
    c.check(all(seen.get(h) == e for h, e in hrefs.items()), "with their ETags")
    r = sync(token)
    got = ms(r, "sync-collection with the last token")
    c.check(members(got, cal) == set(), "nothing changed since", r)

    # Incremental sync with a limit, after changes.
    first = sorted(hrefs)[0]
    c.status(dx.delete(first, headers={"If-Match": hrefs[first] or '"none"'}), (200, 204), "DELETE an event")
    uid = new_uid()
    added = cal + uid + ".ics"
    c.status(dx.put(added, plain_event(uid, "Retro", "20300410T080000Z", "20300410T090000Z"), CT_ICS,
                    headers={"If-None-Match": "*"}), 201, "PUT another event")
    changes = {}
    pages = 0
    while pages < 6:
        pages += 1
        r = sync(token, limit=1)
        got = ms(r, "incremental sync page %d (limit 1)" % pages)
        if r.status != 207:
            break
        for h in members(got, cal):
            changes[h] = response_status(got[h]) or 200
        token = sync_token(r) or token
        if response_status(got.get(cal, {})) != 507:
            break
    c.check(changes.get(first) == 404 and changes.get(added) == 200,
            "the paged incremental sync has the deletion and the addition", detail=changes)

    # calendar-multiget as DAVx5 sends it.
    body = ('<?xml version=\'1.0\' encoding=\'UTF-8\' ?><CAL:calendar-multiget xmlns="DAV:" '
            'xmlns:CAL="urn:ietf:params:xml:ns:caldav"><prop><getcontenttype /><getetag /><CAL:calendar-data />'
            '</prop>%s</CAL:calendar-multiget>' % "".join("<href>%s</href>" % h for h in sorted(hrefs)[1:]))
    r = dx.xml("REPORT", cal, body, depth=0, ct=ct)
    got = ms(r, "calendar-multiget (default namespace DAV:)")
    c.check(members(got, cal) == set(sorted(hrefs)[1:]), "every href answered", r)
    c.check(all("BEGIN:VEVENT" in (prop_text(pok(got.get(h, {}), CALDAV, "calendar-data")) or "")
                for h in sorted(hrefs)[1:]), "each with calendar-data", r)

    # Contacts: a vCard 3.0 and a vCard 4.0, fetched as 4.0 and as 3.0.
    cards = {}
    uid3 = new_uid()
    v3 = crlf("""BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//iPhone OS 17.4//EN
UID:%s
FN:Jos\u00e9 Garc\u00eda
N:Garc\u00eda;Jos\u00e9;;;
EMAIL;TYPE=INTERNET,HOME:jose@example.org
TEL;TYPE=CELL:+34 600 000 000
END:VCARD""" % uid3)
    uid4 = new_uid()
    v4 = crlf("""BEGIN:VCARD
VERSION:4.0
PRODID:+//IDN bitfire.at//DAVx5/4.3.13.1-ose ez-vcard/0.11.3
UID:urn:uuid:%s
FN:Mei Lin
N:Lin;Mei;;;
EMAIL;TYPE=work:mei@example.org
TEL;VALUE=uri;TYPE=cell:tel:+86-10-0000-0000
REV:20240301T101010Z
END:VCARD""" % uid4.lower())
    for uid, data in ((uid3, v3), (uid4, v4)):
        href = ab + uid + ".vcf"
        ctype = "text/vcard; charset=utf-8" if b"VERSION:3.0" in data else "text/vcard; version=4.0; charset=utf-8"
        r = dx.put(href, data, ctype, headers={"If-None-Match": "*"})
        c.status(r, 201, "PUT a vCard %s" % ("3.0" if b"VERSION:3.0" in data else "4.0"))
        cards[href] = data

    def multiget(version):
        body = ('<?xml version=\'1.0\' encoding=\'UTF-8\' ?><CARD:addressbook-multiget xmlns="DAV:" '
                'xmlns:CARD="urn:ietf:params:xml:ns:carddav"><prop><getcontenttype /><getetag />'
                '<CARD:address-data content-type="text/vcard" version="%s" /></prop>%s'
                '</CARD:addressbook-multiget>' % (version, "".join("<href>%s</href>" % h for h in sorted(cards))))
        return dx.xml("REPORT", ab, body, depth=0, ct=ct)

    for version in ("4.0", "3.0"):
        r = multiget(version)
        got = ms(r, "addressbook-multiget asking for vCard %s" % version)
        for href, data in cards.items():
            text = prop_text(pok(got.get(href, {}), CARDDAV, "address-data")) or ""
            stored = "3.0" if b"VERSION:3.0" in data else "4.0"
            c.check(("VERSION:%s" % version) in text and ("VERSION:%s" % ({"3.0": "4.0", "4.0": "3.0"}[version]))
                    not in text, "a stored vCard %s is returned as VERSION:%s" % (stored, version), r,
                    detail=text[:300])
            fn = "Jos\u00e9 Garc\u00eda" if stored == "3.0" else "Mei Lin"
            mail = "jose@example.org" if stored == "3.0" else "mei@example.org"
            c.check("FN:" + fn in text and mail in text, "the vCard %s keeps FN and EMAIL as %s" % (stored, version),
                    r, detail=text[:300])


# ---------------------------------------------------------------------------------------------
# Evolution / GNOME (evolution-data-server), alice, a calendar of its own.


def evolution():
    c.section = "Evolution"
    ev = UA("Evolution/3.50.4", extra={"Connection": "keep-alive"})
    cal = "/caldav/calendars/alice/%s/" % new_uid().lower()
    mkcalendar(Client("alice", "alicepw"), cal, displayname="Evolution")
    ct = "application/xml; charset=utf-8"

    # Items: two todos (one completed), one event.
    items = {}
    for key, data in (("open", None), ("done", None), ("event", None)):
        uid = new_uid()
        href = cal + uid + ".ics"
        if key == "open":
            data = evolution_todo(uid, "Pay rent", "20300310")
        elif key == "done":
            data = evolution_todo(uid, "File taxes", "20300201", completed=True)
        else:
            data = plain_event(uid, "Meeting", "20300310T080000Z", "20300310T090000Z",
                               prodid="-//Ximian//NONSGML Evolution Calendar//EN")
        r = ev.put(href, data, CT_ICS, headers={"If-None-Match": "*"})
        c.status(r, 201, "PUT %s" % key)
        items[key] = (href, r.header("ETag"), data)

    # The WebDAV resource browser reads OPTIONS on the home: calendar-access in DAV, MKCALENDAR in
    # Allow before it offers to create a calendar.
    r = ev.request("OPTIONS", "/caldav/calendars/alice/")
    dav = [x.strip() for x in (r.header("DAV") or "").split(",")]
    allow = [x.strip() for x in (r.header("Allow") or "").split(",")]
    c.check(r.status == 200 and "calendar-access" in dav and "MKCALENDAR" in allow,
            "OPTIONS on the calendar home: DAV has calendar-access, Allow has MKCALENDAR", r)
    r = ev.xml("PROPFIND", cal, '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:">'
               '<D:allprop/></D:propfind>', depth=0, ct=ct)
    got = ms(r, "PROPFIND allprop on the calendar (Depth 0)").get(cal, {})
    rt = pok(got, "DAV:", "resourcetype")
    c.check(rt is not None and rt.find("{%s}calendar" % CALDAV) is not None, "allprop has a calendar resourcetype", r)
    c.check(prop_text(pok(got, "DAV:", "displayname")) == "Evolution", "allprop includes the displayname", r)
    r = ev.xml("PROPFIND", cal, '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:">'
               '<D:allprop/></D:propfind>', depth=1, ct=ct)
    got = ms(r, "PROPFIND allprop on the calendar (Depth 1)")
    for key, (href, etag, data) in items.items():
        e = got.get(href, {})
        c.check(prop_text(pok(e, "DAV:", "getetag")) == etag, "allprop getetag of %s = PUT ETag" % key, r)
        c.check((prop_text(pok(e, "DAV:", "getcontenttype")) or "").startswith("text/calendar"),
                "allprop getcontenttype of %s" % key, r)
        c.check(prop_text(pok(e, "DAV:", "getcontentlength")) == str(len(data)),
                "allprop getcontentlength of %s" % key, r)

    def query(inner):
        body = ('<?xml version="1.0" encoding="utf-8"?>\n<C:calendar-query xmlns:D="DAV:" '
                'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter>'
                '<C:comp-filter name="VCALENDAR">%s</C:comp-filter></C:filter></C:calendar-query>' % inner)
        return ev.xml("REPORT", cal, body, depth=1, ct=ct)

    r = query('<C:comp-filter name="VTODO"/>')
    got = ms(r, "calendar-query VTODO")
    c.check(members(got, cal) == {items["open"][0], items["done"][0]}, "the VTODO filter finds the two todos", r,
            detail=names(members(got, cal)))
    for key in ("open", "done"):
        c.check(prop_text(pok(got.get(items[key][0], {}), "DAV:", "getetag")) == items[key][1],
                "query getetag of %s = PUT ETag" % key, r)
    r = query('<C:comp-filter name="VTODO"><C:prop-filter name="COMPLETED"><C:is-not-defined/>'
              '</C:prop-filter></C:comp-filter>')
    got = ms(r, "calendar-query VTODO without COMPLETED")
    c.check(members(got, cal) == {items["open"][0]}, "is-not-defined COMPLETED finds the open todo", r,
            detail=names(members(got, cal)))
    r = query('<C:comp-filter name="VTODO"><C:time-range start="20300301T000000Z" end="20300401T000000Z"/>'
              '</C:comp-filter>')
    got = ms(r, "calendar-query VTODO in March 2030")
    c.check(members(got, cal) == {items["open"][0]}, "the todo due in March matches the March range", r,
            detail=names(members(got, cal)))
    r = query('<C:comp-filter name="VEVENT"><C:time-range start="20300301T000000Z" end="20300401T000000Z"/>'
              '</C:comp-filter>')
    got = ms(r, "calendar-query VEVENT in March 2030")
    c.check(members(got, cal) == {items["event"][0]}, "the VEVENT filter finds only the event", r)

    # ETag agreement after an edit: PUT, GET, PROPFIND, REPORT.
    href, etag, data = items["open"]
    edited = data.replace(b"PERCENT-COMPLETE:0", b"PERCENT-COMPLETE:50")
    r = ev.put(href, edited, CT_ICS, headers={"If-Match": etag or '"none"'})
    c.status(r, (200, 204), "PUT an edited todo with If-Match")
    put_etag = r.header("ETag")
    r = ev.get(href)
    get_etag = r.header("ETag")
    c.check(r.status == 200 and r.body == edited, "GET returns the edit", r)
    r = ev.xml("PROPFIND", href, '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:prop>'
               '<D:getetag/></D:prop></D:propfind>', depth=0, ct=ct)
    pf_etag = prop_text(pok(ms(r, "PROPFIND getetag of the todo").get(href, {}), "DAV:", "getetag"))
    r = query('<C:comp-filter name="VTODO"/>')
    q_etag = prop_text(pok(ms(r, "calendar-query VTODO again").get(href, {}), "DAV:", "getetag"))
    c.check(put_etag is not None and put_etag == get_etag == pf_etag == q_etag and put_etag != etag,
            "PUT, GET, PROPFIND and REPORT agree on the new ETag",
            detail="PUT %s GET %s PROPFIND %s REPORT %s (old %s)" % (put_etag, get_etag, pf_etag, q_etag, etag))
    r = ev.request("HEAD", href)
    c.check(r.header("ETag") == get_etag, "HEAD gives the same ETag", r)
    r = ev.get(href, headers={"If-None-Match": get_etag or '"none"'})
    c.status(r, 304, "conditional GET with the current ETag is 304")

    # Free/busy of the calendar (Evolution's meeting editor, without scheduling outbox).
    fb = ('<?xml version="1.0" encoding="utf-8"?>\n<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">'
          '<C:time-range start="20300310T000000Z" end="20300311T000000Z"/></C:free-busy-query>')
    r = ev.xml("REPORT", cal, fb, depth=1, ct=ct)
    c.gap(r.status == 200 and b"FREEBUSY" in r.body and b"20300310T080000Z" in r.body,
          "free-busy-query REPORT gives the event's busy time", r)

    # Partial calendar-data: only SUMMARY and DUE of todos.
    pbody = ('<?xml version="1.0" encoding="utf-8"?>\n<C:calendar-query xmlns:D="DAV:" '
             'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data>'
             '<C:comp name="VCALENDAR"><C:prop name="VERSION"/><C:comp name="VTODO"><C:prop name="UID"/>'
             '<C:prop name="SUMMARY"/><C:prop name="DUE"/></C:comp></C:comp></C:calendar-data></D:prop><C:filter>'
             '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"/></C:comp-filter></C:filter>'
             '</C:calendar-query>')
    r = ev.xml("REPORT", cal, pbody, depth=1, ct=ct)
    got = multistatus(r) if r.status == 207 else {}
    text = prop_text(pok(got.get(items["done"][0], {}), CALDAV, "calendar-data")) or ""
    c.gap("SUMMARY:File taxes" in text and "STATUS" not in text and "CLASS" not in text,
          "calendar-data comp/prop partial retrieval (RFC 4791 §9.6.1)", r)


# ---------------------------------------------------------------------------------------------
# Firefox OS / old Basic-auth clients, bob, a calendar of its own.


def firefox_os():
    c.section = "Firefox OS"
    cal = "/caldav/calendars/bob/%s/" % new_uid().lower()
    mkcalendar(Client("bob", "bobpw"), cal, displayname="Phone")
    ua = "Mozilla/5.0 (Mobile; rv:32.0) Gecko/32.0 Firefox/32.0"

    anon = UA(ua, user=None)
    body0 = ('<?xml version="1.0" encoding="UTF-8"?>\n<N0:propfind xmlns:N0="DAV:" '
             'xmlns:N1="http://calendarserver.org/ns/" xmlns:N2="urn:ietf:params:xml:ns:caldav" '
             'xmlns:N3="http://apple.com/ns/ical/"><N0:prop><N0:resourcetype/><N0:displayname/>'
             '<N1:getctag/><N3:calendar-color/><N2:supported-calendar-component-set/>'
             '<N2:calendar-description/></N0:prop></N0:propfind>')
    r = anon.xml("PROPFIND", cal, body0, depth=0, ct="application/xml")
    c.status(r, 401, "PROPFIND without credentials")
    c.check((r.header("WWW-Authenticate") or "").lower().startswith("basic realm="),
            "the 401 challenges Basic", r)
    ff = UA(ua, user="bob", password="bobpw", extra={"Connection": "close"})
    r = ff.xml("PROPFIND", cal, body0, depth=0, ct="application/xml")
    got = ms(r, "PROPFIND with Basic credentials (N0/N1/N2 prefixes)").get(cal, {})
    c.check(prop_text(pok(got, "DAV:", "displayname")) == "Phone" and bool(prop_text(pok(got, CS, "getctag"))),
            "displayname and getctag", r)
    r = Client("bob", "wrong").propfind(cal, 0, [("DAV:", "resourcetype")])
    c.status(r, 401, "a wrong password is 401")

    # The month of March 2030.
    other = Client("bob", "bobpw")
    items = {}
    weekly_uid = new_uid()
    override = """BEGIN:VEVENT
UID:%s
DTSTAMP:20240301T101010Z
RECURRENCE-ID:20300716T070000Z
DTSTART:20300716T090000Z
DTEND:20300716T100000Z
SUMMARY:Standup (July, moved)
END:VEVENT""" % weekly_uid
    for key, uid, data in (
            ("march", None, ("Concert", "20300320T190000Z", "20300320T220000Z")),
            ("april", None, ("Trip", "20300402T080000Z", "20300402T180000Z")),
            ("allday", None, ("Birthday", "20300331", "20300401")),
            ("edge", None, ("Late", "20300228T230000Z", "20300301T000000Z")),
            ("weekly", weekly_uid, ("Standup", "20300205T070000Z", "20300205T071500Z"))):
        uid = uid or new_uid()
        href = cal + uid + ".ics"
        rr = "FREQ=WEEKLY;BYDAY=TU" if key == "weekly" else None
        ical = plain_event(uid, data[0], data[1], data[2], prodid="-//Mozilla//B2G Calendar//EN", rrule=rr,
                           extra=override + "\n" if key == "weekly" else "")
        r = other.put(href, ical, CT_ICS)
        c.status(r, 201, "setup: PUT %s" % key)
        items[key] = (href, ical)

    q = ('<?xml version="1.0" encoding="UTF-8"?>\n<N0:calendar-query xmlns:N0="urn:ietf:params:xml:ns:caldav" '
         'xmlns:N1="DAV:"><N1:prop><N1:getetag/><N0:calendar-data/></N1:prop><N0:filter>'
         '<N0:comp-filter name="VCALENDAR"><N0:comp-filter name="VEVENT"><N0:time-range start="20300301T000000Z" '
         'end="20300401T000000Z"/></N0:comp-filter></N0:comp-filter></N0:filter></N0:calendar-query>')
    r = ff.xml("REPORT", cal, q, depth=1, ct="application/xml")
    got = ms(r, "calendar-query for March 2030 with calendar-data")
    want = {items[k][0] for k in ("march", "allday", "weekly")}
    c.check(members(got, cal) == want,
            "March has the concert, the all-day birthday on the 31st and the weekly standup "
            "(not the event ending at 00:00 on the 1st, not April)", r, detail=names(members(got, cal)))
    for k in ("march", "allday", "weekly"):
        data = prop_text(pok(got.get(items[k][0], {}), CALDAV, "calendar-data")) or ""
        c.check(lf(data).strip("\n") == lf(items[k][1]).strip("\n"),
                "calendar-data of %s is the stored object" % k, r)

    mg = ('<?xml version="1.0" encoding="UTF-8"?>\n<N0:calendar-multiget xmlns:N0="urn:ietf:params:xml:ns:caldav" '
          'xmlns:N1="DAV:"><N1:prop><N1:getetag/><N0:calendar-data/></N1:prop>%s</N0:calendar-multiget>'
          % "".join("<N1:href>%s</N1:href>" % h for h in sorted(want)))
    r = ff.xml("REPORT", cal, mg, depth=1, ct="application/xml")
    got = ms(r, "calendar-multiget of the month's hrefs")
    c.check(members(got, cal) == want and all(pok(got[h], CALDAV, "calendar-data") is not None for h in want),
            "multiget answers every href with calendar-data", r)

    # Expanded instances of the series in March (Tuesdays 5, 12, 19, 26).
    ex = ('<?xml version="1.0" encoding="UTF-8"?>\n<C:calendar-query xmlns:D="DAV:" '
          'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data>'
          '<C:expand start="20300301T000000Z" end="20300401T000000Z"/></C:calendar-data></D:prop><C:filter>'
          '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20300301T000000Z" '
          'end="20300401T000000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>')
    r = ff.xml("REPORT", cal, ex, depth=1, ct="application/xml")
    got = ms(r, "calendar-query with expand")
    data = prop_text(pok(got.get(items["weekly"][0], {}), CALDAV, "calendar-data")) or ""
    rids = sorted(re.findall(r"RECURRENCE-ID[^:]*:(\S+)", data))
    c.check(rids == ["20300305T070000Z", "20300312T070000Z", "20300319T070000Z", "20300326T070000Z"]
            and "RRULE" not in data, "expand gives the four March Tuesdays without RRULE", r, detail=rids)

    # limit-recurrence-set: master plus the overrides in the range only (the July one is left out).
    lr = ex.replace('<C:expand start="20300301T000000Z" end="20300401T000000Z"/>',
                    '<C:limit-recurrence-set start="20300301T000000Z" end="20300401T000000Z"/>')
    r = ff.xml("REPORT", cal, lr, depth=1, ct="application/xml")
    got = multistatus(r) if r.status == 207 else {}
    data = prop_text(pok(got.get(items["weekly"][0], {}), CALDAV, "calendar-data")) or ""
    c.gap("RRULE" in data and "20300716" not in data,
          "limit-recurrence-set drops the override outside the range (RFC 4791 §9.6.6)", r,
          detail="calendar-data of the weekly series:\n" + lf(data))


# ---------------------------------------------------------------------------------------------
# macOS / iOS Contacts, alice's address books.


def macos_contacts():
    c.section = "macOS Contacts"
    ab_ua = UA("macOS/14.4 (23E214) AddressBookCore/2487.500.121")
    principal = "/caldav/principals/alice/"
    home = "/caldav/addressbooks/alice/"
    ab = home + "default/"

    r = ab_ua.xml("PROPFIND", "/.well-known/carddav", '<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<A:propfind xmlns:A="DAV:"><A:prop><A:current-user-principal/><A:principal-URL/>'
                  '<A:resourcetype/></A:prop></A:propfind>', depth=0)
    c.status(r, 308, "PROPFIND /.well-known/carddav is redirected with 308 (RFC 6764 §5)")
    loc = urllib.parse.urlsplit(r.header("Location") or "").path or "/caldav/"
    c.check(loc == "/caldav/", "the redirect points to /caldav/", r)
    # With a trailing slash too, and never to /caldav// (Redirect's prefix match did that).
    r2 = ab_ua.xml("PROPFIND", "/.well-known/carddav/", '<?xml version="1.0" encoding="UTF-8"?>\n'
                   '<A:propfind xmlns:A="DAV:"><A:prop><A:current-user-principal/></A:prop></A:propfind>', depth=0)
    c.status(r2, 308, "PROPFIND /.well-known/carddav/ (trailing slash) is redirected with 308")
    c.check(urllib.parse.urlsplit(r2.header("Location") or "").path == "/caldav/",
            "/.well-known/carddav/ redirects to /caldav/, not /caldav//", r2)
    r = ab_ua.xml("PROPFIND", loc, '<?xml version="1.0" encoding="UTF-8"?>\n<A:propfind xmlns:A="DAV:"><A:prop>'
                  '<A:current-user-principal/></A:prop></A:propfind>', depth=0)
    got = ms(r, "PROPFIND the redirect target").get(loc, {})
    c.check(href_in(pok(got, "DAV:", "current-user-principal")) == principal, "current-user-principal", r)
    r = ab_ua.request("OPTIONS", principal)
    c.check("addressbook" in [x.strip() for x in (r.header("DAV") or "").split(",")],
            "OPTIONS on the principal: the DAV header has addressbook (RFC 6352 §6.1; Contacts needs it)", r)
    pbody = """<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <B:addressbook-home-set xmlns:B="urn:ietf:params:xml:ns:carddav"/>
    <A:current-user-principal/>
    <B:directory-gateway xmlns:B="urn:ietf:params:xml:ns:carddav"/>
    <A:displayname/>
    <C:email-address-set xmlns:C="http://calendarserver.org/ns/"/>
    <C:me-card xmlns:C="http://calendarserver.org/ns/"/>
    <A:principal-collection-set/>
    <A:principal-URL/>
    <A:resource-id/>
  </A:prop>
</A:propfind>
"""
    r = ab_ua.xml("PROPFIND", principal, pbody, depth=0)
    got = ms(r, "PROPFIND the principal for addressbook-home-set").get(principal, {})
    c.check(href_in(pok(got, CARDDAV, "addressbook-home-set")) == home, "addressbook-home-set", r)

    # Another client made a second address book whose name sorts first.
    other = home + "aaa-" + new_uid().lower() + "/"
    mk = ('<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:R="urn:ietf:params:xml:ns:carddav">'
          '<D:set><D:prop><D:resourcetype><D:collection/><R:addressbook/></D:resourcetype>'
          '<D:displayname>Aardvarks</D:displayname></D:prop></D:set></D:mkcol>')
    r = Client("alice", "alicepw").request("MKCOL", other, body=mk, content_type="application/xml")
    c.status(r, 201, "setup: extended MKCOL of a second address book")

    hbody = """<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <A:add-member/>
    <C:bulk-requests xmlns:C="http://me.com/_namespace/"/>
    <A:current-user-privilege-set/>
    <A:displayname/>
    <C:getctag xmlns:C="http://calendarserver.org/ns/"/>
    <B:max-image-size xmlns:B="urn:ietf:params:xml:ns:carddav"/>
    <B:max-resource-size xmlns:B="urn:ietf:params:xml:ns:carddav"/>
    <C:me-card xmlns:C="http://calendarserver.org/ns/"/>
    <A:owner/>
    <C:push-transports xmlns:C="http://calendarserver.org/ns/"/>
    <C:pushkey xmlns:C="http://calendarserver.org/ns/"/>
    <A:quota-available-bytes/>
    <A:quota-used-bytes/>
    <A:resource-id/>
    <A:resourcetype/>
    <A:supported-report-set/>
    <A:sync-token/>
  </A:prop>
</A:propfind>
""".replace('C:getctag xmlns:C="http://calendarserver.org/ns/"', 'D:getctag xmlns:D="http://calendarserver.org/ns/"')
    r = ab_ua.xml("PROPFIND", home, hbody, depth=1)
    listing = ms(r, "PROPFIND the address-book home (Depth 1)")
    books = []
    for href in ms_order(r):
        rt = pok(listing.get(href, {}), "DAV:", "resourcetype")
        if rt is not None and rt.find("{%s}addressbook" % CARDDAV) is not None:
            books.append(href)
    c.check(set(books) >= {ab, other}, "both address books are listed", r, detail=books)
    c.check(books[:1] == [ab], "the default address book is listed first (macOS Contacts uses only the first)",
            r, detail=books)
    d = listing.get(ab, {})
    token0 = prop_text(pok(d, "DAV:", "sync-token"))
    c.check(bool(token0) and bool(prop_text(pok(d, CS, "getctag"))), "sync-token and getctag on default/", r)
    reports = pok(d, "DAV:", "supported-report-set")
    tags = {e.tag for e in reports.iter()} if reports is not None else set()
    c.check("{DAV:}sync-collection" in tags and "{%s}addressbook-multiget" % CARDDAV in tags,
            "supported-report-set has sync-collection and addressbook-multiget", r)

    sbody = ('<?xml version="1.0" encoding="UTF-8"?>\n<A:sync-collection xmlns:A="DAV:">\n'
             '  <A:sync-token>%s</A:sync-token>\n  <A:sync-level>1</A:sync-level>\n  <A:prop>\n'
             '    <A:getetag/>\n  </A:prop>\n</A:sync-collection>\n')
    r = ab_ua.xml("REPORT", ab, sbody % "", depth=1)
    ms(r, "initial sync-collection of the address book")
    token1 = sync_token(r)
    c.check(bool(token1), "a sync-token", r)

    # A contact with a photo and a group, as Contacts writes them.
    cuid = new_uid()
    photo = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q=="
    photo_line = "PHOTO;ENCODING=b;TYPE=JPEG:" + photo
    folded = [photo_line[:75]] + [" " + photo_line[i:i + 74] for i in range(75, len(photo_line), 74)]
    contact = crlf("""BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//macOS 14.4//EN
N:Lindqvist;Anna;;;
FN:Anna Lindqvist
ORG:Example AB;
item1.EMAIL;type=INTERNET;type=pref:anna@example.se
item1.X-ABLabel:_$!<Other>!$_
TEL;type=CELL;type=VOICE;type=pref:+46 70 000 00 00
item2.ADR;type=HOME;type=pref:;;Storgatan 1;Stockholm;;111 22;Sweden
item2.X-ABADR:se
NOTE:Met at the conference\\, 2024
%s
UID:%s
X-ABUID:%s:ABPerson
REV:2024-03-01T10:10:10Z
END:VCARD""" % ("\n".join(folded), cuid, cuid))
    guid = new_uid()
    group = crlf("""BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//macOS 14.4//EN
N:Friends
FN:Friends
X-ADDRESSBOOKSERVER-KIND:group
X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:%s
REV:2024-03-01T10:10:11Z
UID:%s
END:VCARD""" % (cuid, guid))
    chref = ab + cuid + ".vcf"
    ghref = ab + guid + ".vcf"
    r = ab_ua.put(chref, contact, "text/vcard", headers={"If-None-Match": "*"})
    c.status(r, 201, "PUT a contact with a PHOTO (If-None-Match: *)")
    cetag = r.header("ETag")
    r = ab_ua.put(ghref, group, "text/vcard", headers={"If-None-Match": "*"})
    c.status(r, 201, "PUT an Apple group (X-ADDRESSBOOKSERVER-KIND:group)")
    getag = r.header("ETag")
    c.check(bool(cetag) and bool(getag), "both PUTs answer an ETag")
    for href, data in ((chref, contact), (ghref, group)):
        r = ab_ua.get(href)
        c.check(r.status == 200 and r.body == data, "GET %s is byte for byte what was PUT" % href.rsplit("/", 1)[-1], r)
        c.check((r.header("Content-Type") or "").startswith("text/vcard"), "served as text/vcard", r)

    r = ab_ua.xml("REPORT", ab, sbody % (token1 or ""), depth=1)
    delta = ms(r, "incremental sync-collection of the address book")
    c.check(prop_text(pok(delta.get(chref, {}), "DAV:", "getetag")) == cetag and
            prop_text(pok(delta.get(ghref, {}), "DAV:", "getetag")) == getag,
            "the sync lists the contact and the group with their ETags", r, detail=names(delta))
    token2 = sync_token(r)

    mg = ('<?xml version="1.0" encoding="UTF-8"?>\n<B:addressbook-multiget xmlns:B="urn:ietf:params:xml:ns:carddav">\n'
          '  <A:prop xmlns:A="DAV:">\n    <A:getetag/>\n    <B:address-data/>\n  </A:prop>\n'
          '  <A:href xmlns:A="DAV:">%s</A:href>\n  <A:href xmlns:A="DAV:">%s</A:href>\n</B:addressbook-multiget>\n'
          % (chref, ghref))
    r = ab_ua.xml("REPORT", ab, mg, depth=1)
    got = ms(r, "addressbook-multiget of the synced hrefs")
    for href, data in ((chref, contact), (ghref, group)):
        text = prop_text(pok(got.get(href, {}), CARDDAV, "address-data")) or ""
        c.check(lf(text).strip("\n") == lf(data).strip("\n"), "address-data of %s is the stored vCard"
                % href.rsplit("/", 1)[-1], r)

    # A second member joins the group.
    group2 = group.replace(b"REV:", b"X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:%s\r\nREV:" % new_uid().encode())
    r = ab_ua.put(ghref, group2, "text/vcard", headers={"If-Match": getag or '"none"'})
    c.status(r, (200, 204), "PUT the group with a new member (If-Match)")
    r = ab_ua.xml("REPORT", ab, sbody % (token2 or ""), depth=1)
    delta = ms(r, "sync-collection after the group change")
    c.check(set(delta) - {ab} == {ghref}, "only the group changed", r, detail=names(delta))


# ---------------------------------------------------------------------------------------------
# Thunderbird CardBook, bob's default address book.


def cardbook():
    c.section = "CardBook"
    cb = UA("Thunderbird CardBook/88.7", user="bob", password="bobpw")
    ab = "/caldav/addressbooks/bob/default/"
    people = {}
    for key, fn, n, mail in (("muller", "J\u00fcrgen M\u00fcller", "M\u00fcller;J\u00fcrgen;;;", "jm@example.org"),
                             ("smith", "Sam Smith", "Smith;Sam;;;", "sam@company.test"),
                             ("noemail", "Otto Normal", "Normal;Otto;;;", None)):
        uid = new_uid().lower()
        mline = "EMAIL;TYPE=WORK:%s\n" % mail if mail else ""
        data = crlf("""BEGIN:VCARD
VERSION:4.0
PRODID:-//Thunderbird.net/NONSGML Thunderbird CardBook V88.7//EN-US
UID:%s
FN:%s
N:%s
%sREV:20240301T101010Z
END:VCARD""" % (uid, fn, n, mline))
        href = ab + uid + ".vcf"
        r = cb.put(href, data, "text/vcard; charset=utf-8", headers={"If-None-Match": "*"})
        c.status(r, 201, "PUT %s" % key)
        people[key] = (href, r.header("ETag"), data)

    r = cb.xml("PROPFIND", ab, '<?xml version="1.0" encoding="UTF-8"?>\n<D:propfind xmlns:D="DAV:"><D:prop>'
               '<D:getcontenttype/><D:getetag/></D:prop></D:propfind>', depth=1)
    got = ms(r, "PROPFIND Depth 1 getcontenttype/getetag")
    c.check(all(prop_text(pok(got.get(h, {}), "DAV:", "getetag")) == e for h, e, _ in people.values()),
            "every card with its PUT ETag", r)
    c.check(all((prop_text(pok(got.get(h, {}), "DAV:", "getcontenttype")) or "").startswith("text/vcard")
                for h, _, _ in people.values()), "every card is text/vcard", r)

    def query(filt):
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<C:addressbook-query xmlns:D="DAV:" '
                'xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop>%s</C:addressbook-query>'
                % filt)
        return cb.xml("REPORT", ab, body, depth=1)

    tm = '<C:text-match collation="i;unicode-casemap" match-type="%s">%s</C:text-match>'
    r = query('<C:filter><C:prop-filter name="FN">%s</C:prop-filter></C:filter>' % (tm % ("contains", "M\u00dcLL")))
    got = ms(r, "addressbook-query FN contains")
    c.check(members(got, ab) == {people["muller"][0]}, "FN contains 'MÜLL' finds Jürgen Müller", r,
            detail=names(members(got, ab)))
    r = query('<C:filter><C:prop-filter name="EMAIL">%s</C:prop-filter></C:filter>'
              % (tm % ("contains", "@example.org")))
    got = ms(r, "addressbook-query EMAIL contains")
    c.check(members(got, ab) == {people["muller"][0]}, "EMAIL contains '@example.org'", r,
            detail=names(members(got, ab)))
    r = query('<C:filter test="anyof"><C:prop-filter name="FN">%s</C:prop-filter><C:prop-filter name="EMAIL">'
              '%s</C:prop-filter></C:filter>' % (tm % ("contains", "otto"), tm % ("contains", "company")))
    got = ms(r, "addressbook-query anyof FN/EMAIL")
    c.check(members(got, ab) == {people["noemail"][0], people["smith"][0]}, "anyof: Otto by FN, Sam by EMAIL", r,
            detail=names(members(got, ab)))
    r = query('<C:filter test="allof"><C:prop-filter name="FN">%s</C:prop-filter><C:prop-filter name="EMAIL">'
              '%s</C:prop-filter></C:filter>' % (tm % ("starts-with", "sam"), tm % ("equals", "SAM@COMPANY.TEST")))
    got = ms(r, "addressbook-query allof FN starts-with / EMAIL equals")
    c.check(members(got, ab) == {people["smith"][0]}, "allof: Sam Smith", r, detail=names(members(got, ab)))
    r = query('<C:filter><C:prop-filter name="EMAIL"><C:is-not-defined/></C:prop-filter></C:filter>')
    got = ms(r, "addressbook-query EMAIL is-not-defined")
    c.check(members(got, ab) == {people["noemail"][0]}, "the card without EMAIL", r, detail=names(members(got, ab)))

    want = sorted(h for h, _, _ in people.values())
    mg = ('<?xml version="1.0" encoding="UTF-8"?>\n<C:addressbook-multiget xmlns:D="DAV:" '
          'xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data/></D:prop>%s'
          '</C:addressbook-multiget>' % "".join("<D:href>%s</D:href>" % h for h in want))
    r = cb.xml("REPORT", ab, mg, depth=1)
    got = ms(r, "addressbook-multiget")
    for key, (href, etag, data) in people.items():
        e = got.get(href, {})
        c.check(lf(prop_text(pok(e, CARDDAV, "address-data")) or "").strip("\n") == lf(data).strip("\n")
                and prop_text(pok(e, "DAV:", "getetag")) == etag, "multiget returns %s as stored" % key, r)


# ---------------------------------------------------------------------------------------------


def main():
    setup_well_known()
    for fn in (ios_calendar, thunderbird, davx5, evolution, firefox_os, macos_contacts, cardbook):
        try:
            fn()
        except Exception:  # noqa: BLE001 - report and go on with the next client
            c.check(False, "%s raised" % fn.__name__, detail=traceback.format_exc())
        c.section = ""
    c.finish()


if __name__ == "__main__":
    main()
