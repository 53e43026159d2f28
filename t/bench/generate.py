#!/usr/bin/python3
"""generate.py: the benchmark's deterministic data set (events, todos, vCards) and the answers the
servers must give for it (one-week calendar-query per data size, addressbook-query on FN and EMAIL).

Usage: generate.py OUTDIR --events N --cards N --new N --sizes 1000,10000 [--seed 1]
Writes OUTDIR/events/<uid>.ics (the calendar, in load order), OUTDIR/new/<uid>.ics (fresh events
for the PUT scenarios, dated after the query window but within the next five years, where servers
index them as they would a client's new event), OUTDIR/cards/<uid>.vcf
and OUTDIR/manifest.json. Expected answers are computed here by expanding the recurrences
ourselves (RFC 5545 §3.3.10 for the few rule shapes we generate), never by asking a server.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc
# A fixed "now": the data and the query window do not move with the calendar.
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SPAN_DAYS = 5 * 365  # events spread over 5 years centred on NOW
# The week every calendar-query asks for; it contains Europe's DST change (2026-03-29).
WINDOW = (datetime(2026, 3, 23, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC))

# VTIMEZONEs written by hand; their rules agree with tzdata for 2007 onwards.
VTIMEZONES = {
    "Europe/Berlin": """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
""",
    "America/New_York": """BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:20070311T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:20071104T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE
""",
}

WORDS = ("meeting review planning lunch call sync standup dentist budget offsite "
         "workshop retro demo interview training dinner gym flight train school "
         "parents football concert report invoice design release backlog").split()
FIRST = "Anna Ben Clara David Emma Felix Greta Hugo Ida Jonas Karl Lena Max Nora Otto Paula " \
        "Quentin Rosa Sven Tina Ulla Victor Wanda Xaver Yara Zoe Chloé Jürgen Łukasz".split()
LAST = "Meyer Schmidt Fischer Weber Wagner Becker Hoffmann Koch Richter Klein Wolf " \
       "Neumann Braun Lange Krause Lehmann Walter Peters König Novák".split()
# Rare tokens the addressbook-queries look for: ~1% of FNs, ~2% of EMAILs.
FN_NEEDLE, FN_NAME = "zimmer", "Zimmermann"
EMAIL_NEEDLE, EMAIL_DOMAIN = "@acme-corp.", "acme-corp.example"


def fold(line):
    """RFC 5545 §3.1: lines longer than 75 octets are folded (ASCII content here)."""
    out = []
    while len(line.encode()) > 75:
        cut = 75
        while len(line[:cut].encode()) > 75:
            cut -= 1
        out.append(line[:cut])
        line = " " + line[cut:]
    out.append(line)
    return "\r\n".join(out)


def text(rng, lo, hi):
    n = rng.randint(lo, hi)
    return " ".join(rng.choice(WORDS) for _ in range(n))


def fmt_utc(dt):
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fmt_local(dt):
    return dt.strftime("%Y%m%dT%H%M%S")


def dt_prop(name, dt, tzid):
    """DTSTART/DTEND/RECURRENCE-ID/EXDATE line for an aware datetime in tzid ('UTC' = Z form)."""
    if tzid == "UTC":
        return f"{name}:{fmt_utc(dt)}"
    return f"{name};TZID={tzid}:{fmt_local(dt)}"


def overlaps(start, end, window=WINDOW):
    """RFC 4791 §9.9 for a VEVENT with DTEND (durations here are always positive)."""
    return start < window[1] and end > window[0]


def scaled_window(n, smallest):
    """The middle smallest/n of WINDOW: at n events its answer is about the size of the one-week
    answer at `smallest` (1.7 hours of a Thursday midday at 100k), so that latency across N
    shows the cost of the calendar's size, not that of a 100 times longer answer."""
    length = (WINDOW[1] - WINDOW[0]) * smallest / n
    middle = WINDOW[0] + (WINDOW[1] - WINDOW[0]) / 2
    return (middle - length / 2, middle + length / 2)


def add_months(d, n):
    m = d.month - 1 + n
    return d.replace(year=d.year + m // 12, month=m % 12 + 1)


class Event:
    """One calendar object resource; `instances` is every (start, end) in UTC it occupies."""

    def __init__(self, uid):
        self.uid = uid
        self.lines = []
        self.tzids = set()
        self.instances = []
        self.kind = "VEVENT"


def random_start(rng, tzid, base):
    day = base + timedelta(days=rng.randrange(-SPAN_DAYS // 2, SPAN_DAYS // 2))
    # Hours 7..20 only: never inside a DST gap or repeated hour.
    local = datetime(day.year, day.month, min(day.day, 28), rng.randint(7, 20),
                     rng.choice((0, 15, 30, 45)))
    tz = UTC if tzid == "UTC" else ZoneInfo(tzid)
    return local.replace(tzinfo=tz)


def common_props(rng, ev, rich, size):
    ev.lines.append(f"SUMMARY:{text(rng, 1, 4).capitalize()}")
    ev.lines.append(f"DESCRIPTION:{text(rng, size // 14, size // 8)}")
    if rng.random() < 0.5:
        ev.lines.append(f"LOCATION:Room {rng.randint(1, 400)}")
    if rich:
        ev.lines.append("ORGANIZER;CN=Anna Meyer:mailto:anna@example.org")
        for _ in range(rng.randint(1, 6)):
            who = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            mail = who.lower().replace(" ", ".").encode("ascii", "ignore").decode()
            ev.lines.append(f"ATTENDEE;CN={who};PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;"
                            f"RSVP=TRUE:mailto:{mail}@example.org")
        ev.lines.append(f"X-BENCH-COLOR:#{rng.randrange(0xFFFFFF):06x}")
        ev.lines.append("X-MOZ-GENERATION:%d" % rng.randint(1, 9))
        ev.lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder",
                     f"TRIGGER:-PT{rng.choice((5, 10, 15, 30))}M", "END:VALARM"]


def single_event(rng, uid, base, rich):
    ev = Event(uid)
    r = rng.random()
    if r < 0.15:  # all-day: floating DATE values, evaluated as UTC days (no calendar-timezone)
        d = (base + timedelta(days=rng.randrange(-SPAN_DAYS // 2, SPAN_DAYS // 2))).date()
        days = rng.choice((1, 1, 1, 2, 3))
        ev.lines += [f"DTSTART;VALUE=DATE:{d:%Y%m%d}",
                     f"DTEND;VALUE=DATE:{d + timedelta(days=days):%Y%m%d}"]
        s = datetime(d.year, d.month, d.day, tzinfo=UTC)
        ev.instances.append((s, s + timedelta(days=days)))
    else:
        tzid = "UTC" if r < 0.40 else rng.choice(list(VTIMEZONES))
        start = random_start(rng, tzid, base)
        end = start + timedelta(minutes=rng.choice((30, 45, 60, 90, 120, 240)))
        ev.lines.append(dt_prop("DTSTART", start, tzid))
        ev.lines.append(dt_prop("DTEND", end, tzid))
        if tzid != "UTC":
            ev.tzids.add(tzid)
        ev.instances.append((start.astimezone(UTC), end.astimezone(UTC)))
    return ev


def recurring_event(rng, uid, base):
    """Weekly or monthly rule with COUNT or UNTIL, some EXDATEs and some overridden instances."""
    ev = Event(uid)
    tzid = rng.choice(["UTC"] + list(VTIMEZONES) * 2)
    start = random_start(rng, tzid, base)
    length = timedelta(minutes=rng.choice((30, 60, 90)))
    weekly = rng.random() < 0.6
    count = rng.randint(5, 30) if weekly else rng.randint(3, 24)
    # Instances are computed in local wall time (what RRULE means with a TZID).
    local = [start + timedelta(weeks=k) if weekly else add_months(start, k) for k in range(count)]
    freq = "WEEKLY" if weekly else "MONTHLY"
    if rng.random() < 0.5:
        rule = f"RRULE:FREQ={freq};COUNT={count}"
    else:  # UNTIL one hour after the last instance: unambiguous, in UTC as RFC 5545 requires
        rule = f"RRULE:FREQ={freq};UNTIL={fmt_utc(local[-1] + timedelta(hours=1))}"
    ev.lines += [dt_prop("DTSTART", start, tzid), dt_prop("DTEND", start + length, tzid), rule]
    if tzid != "UTC":
        ev.tzids.add(tzid)
    excluded = set(rng.sample(range(1, count), k=min(count - 1, rng.randint(0, 2))))
    for k in sorted(excluded):
        ev.lines.append(dt_prop("EXDATE", local[k], tzid))
    free = [k for k in range(1, count) if k not in excluded]
    overridden = set(rng.sample(free, k=min(len(free), rng.randint(0, 2))))
    common_props(rng, ev, False, rng.randint(300, 1500))
    for k in range(count):
        if k not in excluded and k not in overridden:
            ev.instances.append((local[k].astimezone(UTC), (local[k] + length).astimezone(UTC)))
    overrides = []
    for k in sorted(overridden):
        moved = local[k] + timedelta(days=rng.choice((-2, -1, 1, 3)), hours=rng.choice((-3, 2)))
        ev.instances.append((moved.astimezone(UTC), (moved + length).astimezone(UTC)))
        overrides.append([dt_prop("RECURRENCE-ID", local[k], tzid),
                          dt_prop("DTSTART", moved, tzid), dt_prop("DTEND", moved + length, tzid),
                          "SUMMARY:Moved " + text(rng, 1, 2)])
    ev.overrides = overrides
    return ev


def todo(rng, uid, base):
    ev = Event(uid)
    ev.kind = "VTODO"
    due = random_start(rng, "UTC", base)
    ev.lines += [f"DUE:{fmt_utc(due)}", f"STATUS:{rng.choice(('NEEDS-ACTION', 'COMPLETED'))}",
                 f"PRIORITY:{rng.randint(0, 9)}"]
    common_props(rng, ev, False, rng.randint(200, 800))
    return ev


def render(ev, stamp):
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//mod_caldav//bench generator//EN",
           "CALSCALE:GREGORIAN"]
    for tzid in sorted(ev.tzids):
        out += VTIMEZONES[tzid].strip().split("\n")
    out += [f"BEGIN:{ev.kind}", f"UID:{ev.uid}", f"DTSTAMP:{stamp}"] + ev.lines
    out.append(f"END:{ev.kind}")
    for ov in getattr(ev, "overrides", []):
        out += ["BEGIN:VEVENT", f"UID:{ev.uid}", f"DTSTAMP:{stamp}"] + ov + ["END:VEVENT"]
    out.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in out) + "\r\n"


def client_uid(prefix, i):
    """A UID (and resource name) shaped like a client's: a random-looking UUID, so that servers'
    name and UID indexes see the scattered inserts real clients cause, not appends in order. Derived
    from the index, so the data set stays the same from run to run; the prefix stays greppable."""
    digest = hashlib.sha256(f"{prefix}-{i}".encode()).digest()
    return f"{prefix}-{uuid.UUID(bytes=digest[:16])}"


def make_event(rng, i, prefix, base):
    uid = client_uid(prefix, i)
    r = rng.random()
    if r < 0.03:
        return todo(rng, uid, base)
    if r < 0.23:
        return recurring_event(rng, uid, base)
    ev = single_event(rng, uid, base, rich=r >= 0.90)
    common_props(rng, ev, r >= 0.90, rng.randint(300, 2500))
    return ev


def make_card(rng, i):
    uid = f"bench-c-{i:06d}"
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if rng.random() < 0.01:
        last = FN_NAME
    fn = f"{first} {last}"
    local = f"{first}.{last}".lower().encode("ascii", "ignore").decode()
    domain = EMAIL_DOMAIN if rng.random() < 0.02 else rng.choice(("example.org", "mail.example"))
    emails = [f"{local}{i}@{domain}"]
    if rng.random() < 0.3:
        emails.append(f"{local[:1]}{i}@home.example")
    v4 = rng.random() < 0.5
    lines = ["BEGIN:VCARD", "VERSION:4.0" if v4 else "VERSION:3.0", f"UID:{uid}",
             f"FN:{fn}", f"N:{last};{first};;;"]
    for k, e in enumerate(emails):
        lines.append(f"EMAIL;TYPE={'work' if k == 0 else 'home'}:{e}")
    lines.append(f"TEL;TYPE=cell:+49 {rng.randint(100, 999)} {rng.randint(100000, 9999999)}")
    if rng.random() < 0.5:
        lines.append(f"ORG:{rng.choice(LAST)} GmbH")
    lines.append(f"NOTE:{text(rng, 10, 120)}")
    if rng.random() < 0.15:  # a small PHOTO (random bytes standing in for a JPEG)
        blob = base64.b64encode(rng.randbytes(rng.randint(200, 1500))).decode()
        lines.append(f"PHOTO:data:image/jpeg;base64,{blob}" if v4 else
                     f"PHOTO;ENCODING=b;TYPE=JPEG:{blob}")
    lines.append("END:VCARD")
    card = "\r\n".join(fold(line) for line in lines) + "\r\n"
    return uid, card, fn, emails


def write(path, body):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--cards", type=int, default=5000)
    ap.add_argument("--new", type=int, default=3000)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(",") if int(s) <= args.events)
    rng = random.Random(args.seed)
    stamp = fmt_utc(NOW)
    for sub in ("events", "new", "cards"):
        os.makedirs(os.path.join(args.outdir, sub), exist_ok=True)

    events, matching = [], []
    scaled = {n: scaled_window(n, sizes[0]) for n in sizes}
    scaled_matching = {n: [] for n in sizes}
    for i in range(args.events):
        ev = make_event(rng, i, "bench-e", NOW)
        write(os.path.join(args.outdir, "events", ev.uid + ".ics"), render(ev, stamp))
        events.append(ev.uid)
        if ev.kind == "VEVENT" and any(overlaps(s, e) for s, e in ev.instances):
            matching.append(i)
            for n, window in scaled.items():
                if i < n and any(overlaps(s, e, window) for s, e in ev.instances):
                    scaled_matching[n].append(ev.uid)
    # Events for the PUT scenarios and the mixed profile: centred three years ahead, so from half
    # a year after WINDOW to five and a half years ahead. They are indexed like a client's new
    # events (a server that expands recurrences up to some horizon does so here), and never
    # change the answers to the queries, which ask for WINDOW.
    new = []
    for i in range(args.new):
        ev = make_event(rng, i, "bench-n", NOW + timedelta(days=3 * 365))
        write(os.path.join(args.outdir, "new", ev.uid + ".ics"), render(ev, stamp))
        assert not any(overlaps(s, e) for s, e in ev.instances)
        new.append(ev.uid)
    cards, fn_hits, email_hits = [], [], []
    for i in range(args.cards):
        uid, card, fn, emails = make_card(rng, i)
        write(os.path.join(args.outdir, "cards", uid + ".vcf"), card)
        cards.append(uid)
        if FN_NEEDLE in fn.casefold():
            fn_hits.append(uid)
        if any(EMAIL_NEEDLE in e.casefold() for e in emails):
            email_hits.append(uid)

    manifest = {
        "seed": args.seed,
        "now": NOW.isoformat(),
        "window": [fmt_utc(WINDOW[0]), fmt_utc(WINDOW[1])],
        "events": events,
        "new": new,
        "cards": cards,
        # For each data size N: the UIDs among the first N events a one-week query returns.
        "query_expected": {str(n): [events[i] for i in matching if i < n] for n in sizes},
        # For each N: a window inside the week with an answer about the size of the smallest N's.
        "scaled_query": {str(n): {"window": [fmt_utc(w[0]), fmt_utc(w[1])], "expected": scaled_matching[n]}
                         for n, w in scaled.items()},
        "fn_needle": FN_NEEDLE,
        "fn_expected": fn_hits,
        "email_needle": EMAIL_NEEDLE,
        "email_expected": email_hits,
    }
    with open(os.path.join(args.outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    print(f"generate.py: {len(events)} events, {len(new)} new, {len(cards)} cards; "
          + ", ".join(f"query@{n}: {len(v)}" for n, v in manifest["query_expected"].items())
          + ", scaled " + ", ".join(f"@{n}: {len(v['expected'])}" for n, v in manifest["scaled_query"].items())
          + f"; FN {len(fn_hits)}, EMAIL {len(email_hits)}")


if __name__ == "__main__":
    main()
