"""test_python_caldav.py: Debian's python3-caldav library (run with /usr/bin/python3) driving
discovery (from /caldav/ and, through the README's 308 redirect, from /.well-known/caldav and
/.well-known/carddav/: python-requests turns a PROPFIND redirected by a 301 into a body-less
request, the server answers allprop without current-user-principal and no calendar is found),
calendar creation, saving events and todos, time-range search with recurring events
(expanded and not), sync tokens and delete against a real Apache with the module.
"""

import datetime
import os
import sys

from davclient import Checks

try:
    import caldav
except ImportError:  # the library comes from Debian's python3-caldav
    print("python3-caldav is not installed: skipped")
    sys.exit(77)

c = Checks("python-caldav")
url = os.environ["BASE_URL"].rstrip("/") + "/caldav/"
client = caldav.DAVClient(url=url, username="alice", password="alicepw")

principal = client.principal()
c.check(str(principal.url).endswith("/caldav/principals/alice/"), "discovery finds alice's principal",
        detail=principal.url)
calendars = principal.calendars()
c.check(any(str(cal.url).endswith("/calendars/alice/default/") for cal in calendars),
        "the default calendar is listed", detail=[str(cal.url) for cal in calendars])

# RFC 6764 §5: a client given only the server finds the context path through /.well-known.
for start in ("/.well-known/caldav", "/.well-known/carddav/"):
    wk = caldav.DAVClient(url=os.environ["BASE_URL"].rstrip("/") + start, username="alice", password="alicepw")
    try:
        wk_principal = wk.principal()
        wk_calendars = wk_principal.calendars()
    except Exception as e:  # the library raises when it finds no current-user-principal
        wk_principal, wk_calendars = None, []
        c.check(False, "discovery from %s" % start, detail=repr(e))
    if wk_principal is not None:
        c.check(str(wk_principal.url).endswith("/caldav/principals/alice/"),
                "discovery from %s finds alice's principal" % start, detail=wk_principal.url)
        c.check(any(str(cal.url).endswith("/calendars/alice/default/") for cal in wk_calendars),
                "discovery from %s lists the default calendar" % start,
                detail=[str(cal.url) for cal in wk_calendars])

calendar = principal.make_calendar(name="Library test", cal_id="library")
c.check(str(calendar.url).endswith("/calendars/alice/library/"), "make_calendar (MKCALENDAR)", detail=calendar.url)

single = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//test//EN
BEGIN:VEVENT
UID:single@example.org
DTSTAMP:20240101T000000Z
DTSTART:20300310T120000Z
DTEND:20300310T130000Z
SUMMARY:Lunch
END:VEVENT
END:VCALENDAR
"""
recurring = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//test//EN
BEGIN:VEVENT
UID:standup@example.org
DTSTAMP:20240101T000000Z
DTSTART:20300301T090000Z
DTEND:20300301T091500Z
RRULE:FREQ=DAILY;COUNT=30
EXDATE:20300311T090000Z
SUMMARY:Standup
END:VEVENT
END:VCALENDAR
"""
todo = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//test//EN
BEGIN:VTODO
UID:todo@example.org
DTSTAMP:20240101T000000Z
DUE:20300312T170000Z
SUMMARY:Report
END:VTODO
END:VCALENDAR
"""
calendar.save_event(single)
calendar.save_event(recurring)
calendar.save_todo(todo)
c.check(len(calendar.events()) == 2, "two events listed")
c.check(len(calendar.todos()) == 1, "one todo listed")

start = datetime.datetime(2030, 3, 10, tzinfo=datetime.timezone.utc)
end = datetime.datetime(2030, 3, 12, tzinfo=datetime.timezone.utc)
found = calendar.date_search(start, end, expand=False)
uids = sorted(str(e.vobject_instance.vevent.uid.value) for e in found)
c.check(uids == ["single@example.org", "standup@example.org"], "time-range search finds the recurring event",
        detail=uids)
expanded = calendar.date_search(start, end, expand=True)
vevents = [v for obj in expanded for v in obj.vobject_instance.vevent_list]
c.check(len(vevents) == 2, "expanded search: lunch and the standup of the 10th (the 11th is an EXDATE)",
        detail=[v.serialize() for v in vevents])
standups = [v for v in vevents if v.uid.value == "standup@example.org"]
c.check(len(standups) == 1 and hasattr(standups[0], "recurrence_id") and not hasattr(standups[0], "rrule"),
        "RFC 4791 §9.6.5: the server expanded the series into an instance with a RECURRENCE-ID",
        detail=[v.serialize() for v in standups])

objects = calendar.objects_by_sync_token(load_objects=False)
token = objects.sync_token
c.check(len(list(objects)) == 3, "initial sync lists three objects")
calendar.event_by_uid("single@example.org").delete()
changed = calendar.objects_by_sync_token(sync_token=token, load_objects=False)
c.check(len(list(changed)) == 1, "incremental sync reports the one deletion")

calendar.delete()
c.check(all(not str(cal.url).endswith("/library/") for cal in principal.calendars()), "calendar deleted")
c.finish()
