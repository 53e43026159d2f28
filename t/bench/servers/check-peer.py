#!/usr/bin/python3
"""check-peer.py: checks by hand that a started benchmark server answers the benchmark's
queries right: PUT, calendar-query with time-range (incl. a weekly RRULE), multiget,
sync-collection (initial + incremental), vCard PUT + addressbook-query on FN.

Usage: check-peer.py CALENDAR_URL [ADDRESSBOOK_URL]   (Basic auth bench/bench)
Prints one PASS/FAIL line per check; exits 1 when any check fails.
"""
import base64
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

AUTH = "Basic " + base64.b64encode(b"bench:bench").decode()
NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav", "R": "urn:ietf:params:xml:ns:carddav"}
failures = 0


def request(method, url, body=None, ctype="application/xml; charset=utf-8", headers=None):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", AUTH)
    if data is not None:
        req.add_header("Content-Type", ctype)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def event(uid, start, rrule="", summary="bench event"):
    end = start[:9] + "%02d" % (int(start[9:11]) + 1) + start[11:]
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//check//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\n"
            f"{rrule}SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def names(body, status_filter=None):
    """Last path segments of the hrefs in a multistatus (optionally only those whose
    response carries a status containing status_filter)."""
    out = []
    for resp in ET.fromstring(body).findall("D:response", NS):
        href = urllib.parse.unquote(resp.find("D:href", NS).text.rstrip("/"))
        statuses = " ".join(s.text or "" for s in resp.iter("{DAV:}status"))
        if status_filter is None or status_filter in statuses:
            out.append(href.rsplit("/", 1)[-1])
    return sorted(out)


def check(label, ok, detail=""):
    global failures
    failures += 0 if ok else 1
    print(("PASS " if ok else "FAIL ") + label + (f"  ({detail})" if detail else ""))


def time_range_query(cal, start, end):
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
<C:time-range start="{start}" end="{end}"/></C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""
    code, text = request("REPORT", cal, body, headers={"Depth": "1"})
    return code, names(text) if code == 207 else text[:200]


def sync(cal, token):
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token>
<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"""
    code, text = request("REPORT", cal, body)
    if code != 207:
        return code, None, None, None
    root = ET.fromstring(text)
    tok = root.find("D:sync-token", NS)
    return code, tok.text if tok is not None else None, names(text, "200"), names(text, "404")


def check_calendar(cal):
    events = {
        "e1.ics": event("e1", "20260105T100000Z"),
        "e2.ics": event("e2", "20260120T100000Z"),
        "e3.ics": event("e3", "20251201T100000Z", "RRULE:FREQ=WEEKLY;COUNT=10\r\n"),
    }
    for name, ics in events.items():
        code, _ = request("PUT", cal + name, ics, "text/calendar; charset=utf-8")
        check(f"PUT {name}", code in (200, 201, 204), code)
    for start, end, want in (("20260104T000000Z", "20260111T000000Z", ["e1.ics", "e3.ics"]),
                             ("20260119T000000Z", "20260121T000000Z", ["e2.ics", "e3.ics"]),
                             ("20260210T000000Z", "20260220T000000Z", []),
                             ("20251208T000000Z", "20251209T000000Z", ["e3.ics"])):
        code, got = time_range_query(cal, start, end)
        check(f"calendar-query {start}..{end} = {want}", got == want, f"{code} {got}")

    path = urllib.parse.urlsplit(cal).path
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/><C:calendar-data/></D:prop>
<D:href>{path}e1.ics</D:href><D:href>{path}e3.ics</D:href></C:calendar-multiget>"""
    code, text = request("REPORT", cal, body, headers={"Depth": "1"})
    ok = code == 207 and names(text, "200") == ["e1.ics", "e3.ics"] and text.count("BEGIN:VEVENT") == 2
    check("calendar-multiget e1 e3 with calendar-data", ok, code)

    code, token, changed, gone = sync(cal, "")
    check("sync-collection initial", code == 207 and changed == sorted(events) and token,
          f"{code} {changed} token={token}")
    if code != 207 or not token:
        return
    request("PUT", cal + "e2.ics", event("e2", "20260120T110000Z", summary="moved"),
            "text/calendar; charset=utf-8")
    request("DELETE", cal + "e1.ics")
    code, token2, changed, gone = sync(cal, token)
    check("sync-collection after change of e2, delete of e1",
          code == 207 and changed == ["e2.ics"] and gone == ["e1.ics"] and token2 != token,
          f"{code} changed={changed} gone={gone}")


def check_addressbook(book):
    card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c1\r\nFN:Ada Smith\r\nN:Smith;Ada;;;\r\n"
            "EMAIL:ada@example.org\r\nEND:VCARD\r\n")
    other = card.replace("c1", "c2").replace("Ada Smith", "Bob Jones").replace("Smith;Ada", "Jones;Bob")
    for name, vcf in (("c1.vcf", card), ("c2.vcf", other)):
        code, _ = request("PUT", book + name, vcf, "text/vcard; charset=utf-8")
        check(f"PUT {name}", code in (200, 201, 204), code)
    body = """<?xml version="1.0" encoding="utf-8"?>
<R:addressbook-query xmlns:D="DAV:" xmlns:R="urn:ietf:params:xml:ns:carddav">
<D:prop><D:getetag/><R:address-data/></D:prop>
<R:filter><R:prop-filter name="FN"><R:text-match collation="i;unicode-casemap"
 match-type="contains">smith</R:text-match></R:prop-filter></R:filter></R:addressbook-query>"""
    code, text = request("REPORT", book, body, headers={"Depth": "1"})
    got = names(text) if code == 207 else text[:200]
    check("addressbook-query FN contains smith = [c1.vcf]", got == ["c1.vcf"], f"{code} {got}")


if __name__ == "__main__":
    check_calendar(sys.argv[1])
    if len(sys.argv) > 2:
        check_addressbook(sys.argv[2])
    sys.exit(1 if failures else 0)
