"""test_crash.py: crash safety. Client threads PUT (new and replace), DELETE, MOVE and GET events in
alice's default calendar and plain files in a plain collection while Apache and all its children
(two, run.sh's APACHE_CHILDREN) are killed with SIGKILL at random moments and restarted. One PUT in
25 is of 0.3-3 MB, a transaction larger than SQLite's page cache (test_crash_large.py kills at
chosen moments after such transactions). Every request is recorded as acknowledged
(an answer), unknown (the connection broke after the request was sent) or not sent (connection
refused); each thread keeps a model of the possible contents of each of its paths. After every
restart:
  - every path holds one of the states the model allows, byte for byte (an acknowledged PUT is
    there unless an acknowledged DELETE/MOVE came after it; an unknown request may or may not have
    happened, but never half of it);
  - acknowledged DELETEs stay deleted; the members listed by PROPFIND are exactly the modelled ones;
  - the database left by the kill passes PRAGMA integrity_check (checked on a copy);
  - an incremental sync-collection from a token taken before the first kill, and from the token of
    the previous round, answers 207 and (old state + reported changes - reported deletions) equals
    the current members with their ETags (no lost change); the token moves when something changed.
Default 8 kills (well under 90 s on 2 cores); CALDAV_SOAK=1 makes it 40, CRASH_ROUNDS=N sets N;
CRASH_SEED=N replays a run's random choices (the load itself is timing dependent).
"""

import http.client
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse

from crashkit import check_crash_image, database_path, kill_apache, sqlite
from davclient import (Checks, Client, Response, apache_restart, base_url, error_log_path, multistatus,
                       prop_text, read_log)

CAL = "/caldav/calendars/alice/default/"
FILES = "/caldav/calendars/alice/crashfiles/"
CT_ICS = "text/calendar; charset=utf-8"
CT_BIN = "application/octet-stream"
THREADS = 5
SOAK = os.environ.get("CALDAV_SOAK", "0") not in ("", "0")
ROUNDS = int(os.environ.get("CRASH_ROUNDS", "40" if SOAK else "8"))
SEED = int(os.environ.get("CRASH_SEED", str(int(time.time() * 1000) % 1000000)))
MAX_LIVE = 40  # paths a thread keeps alive before it prefers DELETE and MOVE
DEADLINE = time.time() + (3000 if SOAK else 200)

c = Checks("crash")
c.info("seed %d (CRASH_SEED=%d replays the random choices), %d kills, %d threads" % (SEED, SEED, ROUNDS, THREADS))
URL = base_url()
_parsed = urllib.parse.urlsplit(URL)
HOST, PORT = _parsed.hostname, _parsed.port
AUTH = Client("alice", "alicepw").auth
lock = threading.Lock()


# ---- requests: one connection each, so that a failure is attributed to exactly one request ------

def send(method, path, body=None, headers=None, timeout=20):
    """('sent', Response) when answered; ('unknown', error) when the connection broke after the
    request may have reached the server; ('notsent', error) when no connection could be made."""
    hdrs = {"Authorization": AUTH}
    if headers:
        hdrs.update(headers)
    if body is not None:
        hdrs["Content-Length"] = str(len(body))
    conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        try:
            conn.connect()
        except OSError as e:
            return "notsent", e
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as e:
            return "unknown", e
        return "sent", Response(method, path, hdrs, body, resp.status, resp.reason, resp.getheaders(), data)
    finally:
        conn.close()


def fold(line):
    """RFC 5545 §3.1 line folding at 75 octets (ASCII content)."""
    out = [line[:75]]
    rest = line[75:]
    while rest:
        out.append(" " + rest[:74])
        rest = rest[74:]
    return "\r\n".join(out)


def event_body(rng, uid, version, big=False):
    """An event of 0.1-6 KB, or with `big` of 0.3-3 MB: a transaction larger than SQLite's page
    cache (256 KB per connection), whose pages spill to the log before COMMIT."""
    size = rng.randint(300000, 3000000) if big else rng.randint(50, 6000)
    desc = rng.randbytes(size // 2).hex()[:size]
    day = rng.randint(1, 28)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//mod_caldav//crash test//EN", "BEGIN:VEVENT",
             "UID:" + uid, "DTSTAMP:20240101T000000Z", "DTSTART:202503%02dT100000Z" % day,
             "DTEND:202503%02dT110000Z" % day, "SUMMARY:%s version %d" % (uid, version),
             fold("DESCRIPTION:" + desc), "END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines).encode()


def file_body(rng, name, version):
    head = ("%s version %d\n" % (name, version)).encode()
    return head + rng.randbytes(rng.randint(300000, 2000000) if rng.random() < 0.04 else rng.randint(0, 40000))


# ---- the model --------------------------------------------------------------------------------

class Entry:
    def __init__(self, path, kind, uid):
        self.path = path
        self.kind = kind  # "ics" or "file"
        self.uid = uid
        self.possible = {None}  # the states the path may be in: None (absent) or a body
        self.retired = False  # no more writes to this path (still verified)
        self.version = 0


class Stats:
    def __init__(self):
        self.acked = 0
        self.answered_other = 0
        self.unknown = 0
        self.notsent = 0
        self.server_errors = []
        self.by_method = {}


stats = Stats()
running = threading.Event()  # set: the workers may send requests
stop = threading.Event()
in_flight = [0]
in_flight_cv = threading.Condition()


def describe_states(states):
    return ", ".join("absent" if s is None else "%d bytes %r..." % (len(s), s[:60]) for s in states)


class Worker(threading.Thread):
    def __init__(self, idx):
        super().__init__(daemon=True)
        self.idx = idx
        self.rng = random.Random(SEED * 100 + idx)
        self.entries = {}
        self.counter = 0
        self.error = None

    def fresh(self, kind):
        self.counter += 1
        if kind == "ics":
            name = "t%d-%d-%d.ics" % (self.idx, SEED, self.counter)
            e = Entry(CAL + name, kind, "crash-%d-%d-%d@example.org" % (self.idx, SEED, self.counter))
        else:
            e = Entry(FILES + "t%d-%d-%d.bin" % (self.idx, SEED, self.counter), kind, None)
        self.entries[e.path] = e
        return e

    def body_for(self, e):
        e.version += 1
        if e.kind == "ics":
            return event_body(self.rng, e.uid, e.version, big=self.rng.random() < 0.04), CT_ICS
        return file_body(self.rng, e.path, e.version), CT_BIN

    def record(self, method, outcome, resp):
        with lock:
            m = stats.by_method.setdefault(method, [0, 0, 0, 0])
            if outcome == "notsent":
                stats.notsent += 1
                m[3] += 1
            elif outcome == "unknown":
                stats.unknown += 1
                m[2] += 1
            elif resp.status >= 500:
                stats.unknown += 1
                m[2] += 1
                stats.server_errors.append(resp)
            elif 200 <= resp.status < 300:
                stats.acked += 1
                m[0] += 1
            else:
                stats.answered_other += 1
                m[1] += 1

    def unexpected(self, what, resp):
        c.check(False, "thread %d: %s: unexpected answer %d" % (self.idx, what, resp.status), resp)

    def run(self):
        try:
            while not stop.is_set():
                if not running.wait(0.2):
                    continue
                with in_flight_cv:
                    if not running.is_set():
                        continue
                    in_flight[0] += 1
                try:
                    self.step()
                finally:
                    with in_flight_cv:
                        in_flight[0] -= 1
                        in_flight_cv.notify_all()
        except Exception as e:  # a bug in the test itself: report it
            import traceback
            self.error = traceback.format_exc()
            c.check(False, "thread %d crashed: %r" % (self.idx, e), detail=self.error)

    def step(self):
        rng = self.rng
        live = [e for e in self.entries.values()
                if not e.retired and any(s is not None for s in e.possible)]
        r = rng.random()
        p_new = 0.35 if len(live) < MAX_LIVE else 0.05
        if len(live) < 3 or r < p_new:
            self.do_put(self.fresh(rng.choice(("ics", "file"))))
        elif r < 0.62:
            self.do_put(rng.choice(live))
        elif r < 0.76:
            self.do_delete(rng.choice(live))
        elif r < 0.90:
            self.do_move(rng.choice(live))
        else:
            self.do_get(rng.choice(live))

    def do_put(self, e):
        body, ct = self.body_for(e)
        outcome, resp = send("PUT", e.path, body, {"Content-Type": ct})
        self.record("PUT", outcome, resp)
        if outcome == "notsent":
            return
        if outcome == "unknown" or resp.status >= 500:
            e.possible.add(body)
        elif resp.status in (200, 201, 204):
            e.possible = {body}
        else:
            self.unexpected("PUT %s" % e.path, resp)

    def do_delete(self, e):
        outcome, resp = send("DELETE", e.path)
        self.record("DELETE", outcome, resp)
        if outcome == "notsent":
            return
        if outcome == "unknown" or resp.status >= 500:
            e.possible.add(None)
            e.retired = True
        elif resp.status in (200, 204):
            e.possible = {None}
            e.retired = True
        elif resp.status == 404:
            c.check(None in e.possible, "thread %d: DELETE %s says 404 but the resource must exist (%s)"
                    % (self.idx, e.path, describe_states(e.possible)), resp)
            e.possible = {None}
            e.retired = True
        else:
            self.unexpected("DELETE %s" % e.path, resp)

    def do_move(self, e):
        dst = self.fresh(e.kind)
        dst.uid = e.uid
        dst.version = e.version
        outcome, resp = send("MOVE", e.path, None, {"Destination": URL + dst.path, "Overwrite": "F"})
        self.record("MOVE", outcome, resp)
        moved = {s for s in e.possible if s is not None}
        if outcome == "notsent":
            del self.entries[dst.path]
            return
        if outcome == "unknown" or resp.status >= 500:
            dst.possible = moved | {None}
            e.possible.add(None)
            e.retired = dst.retired = True
        elif resp.status in (201, 204):
            dst.possible = moved
            e.possible = {None}
            e.retired = True
        elif resp.status == 404:
            c.check(None in e.possible, "thread %d: MOVE %s says 404 but the resource must exist (%s)"
                    % (self.idx, e.path, describe_states(e.possible)), resp)
            e.possible = {None}
            e.retired = True
            del self.entries[dst.path]
        else:
            self.unexpected("MOVE %s -> %s" % (e.path, dst.path), resp)
            e.retired = dst.retired = True
            dst.possible = moved | {None}
            e.possible.add(None)

    def do_get(self, e):
        outcome, resp = send("GET", e.path)
        self.record("GET", outcome, resp)
        if outcome != "sent" or resp.status >= 500:
            return
        if resp.status == 200:
            c.check(resp.body in e.possible, "thread %d: GET %s returns a body the model does not allow (%d bytes;"
                    " allowed: %s)" % (self.idx, e.path, len(resp.body), describe_states(e.possible)))
        elif resp.status == 404:
            c.check(None in e.possible, "thread %d: GET %s is 404 but an acknowledged PUT put it there (%s)"
                    % (self.idx, e.path, describe_states(e.possible)), resp)
        else:
            self.unexpected("GET %s" % e.path, resp)


scratch = tempfile.mkdtemp(prefix="crash-image.", dir=os.getcwd())


reader = Client("alice", "alicepw", timeout=60)


def members(coll):
    """{href: etag} of the members of a collection (PROPFIND Depth 1)."""
    r = reader.propfind(coll, 1, [("DAV:", "getetag")])
    if not c.status(r, 207, "PROPFIND Depth 1 %s" % coll):
        return None
    out = {}
    for href, props in multistatus(r).items():
        if href.rstrip("/") == coll.rstrip("/"):
            continue
        entry = props.get("{DAV:}getetag")
        out[href] = prop_text(entry[1]) if entry and entry[0] == 200 else None
    return out


def sync_body(token):
    return ('<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>%s'
            '</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>'
            % token)


def sync(coll, token, what):
    """Follow a sync-collection to its end: ({href: etag} changed, {hrefs} deleted, new token), or None."""
    changed, deleted = {}, set()
    for _ in range(100):
        r = reader.request("REPORT", coll, body=sync_body(token), content_type="application/xml; charset=utf-8")
        if not c.status(r, 207, what):
            return None
        m = re.search(rb"<(?:\w+:)?sync-token>([^<]*)</(?:\w+:)?sync-token>", r.body)
        if not c.check(m is not None, "%s: the answer has a sync-token" % what, r):
            return None
        token = m.group(1).decode()
        truncated = False
        for href, props in multistatus(r).items():
            if href.rstrip("/") == coll.rstrip("/"):
                truncated = props.get(None, (None,))[0] == 507
                continue
            if props.get(None, (None,))[0] == 404:
                deleted.add(href)
                changed.pop(href, None)
            else:
                entry = props.get("{DAV:}getetag")
                changed[href] = prop_text(entry[1]) if entry and entry[0] == 200 else None
                deleted.discard(href)
        if not truncated:
            return changed, deleted, token
    c.check(False, "%s: the sync ends" % what)
    return None


def check_sync(coll, old_token, old_state, now, what):
    """The incremental sync from old_token explains the move from old_state to now."""
    res = sync(coll, old_token, what)
    if res is None:
        return None
    changed, deleted, token = res
    rebuilt = {h: e for h, e in old_state.items() if h not in deleted}
    rebuilt.update(changed)
    missing = {h: e for h, e in now.items() if rebuilt.get(h) != e}
    extra = sorted(h for h in rebuilt if h not in now)
    c.check(not missing and not extra, "%s: old state + reported changes = current members" % what,
            detail="members not reported (or with an old ETag): %s\nreported or kept but gone: %s\n"
                   "(%d changed, %d deleted reported; %d before, %d now)"
                   % (sorted(missing.items())[:20], extra[:20], len(changed), len(deleted), len(old_state), len(now)))
    if now != old_state:
        c.check(token != old_token, "%s: the sync token moves when the collection changed" % what,
                detail="old %s new %s" % (old_token, token))
    return token


workers = [Worker(i) for i in range(THREADS)]


def verify(label):
    """Compare the server with every thread's model; collapse the model to what was observed."""
    now = {coll: members(coll) for coll in (CAL, FILES)}
    if now[CAL] is None or now[FILES] is None:
        return None
    modelled = set()
    checked = lost = partial = 0
    for w in workers:
        for e in list(w.entries.values()):
            modelled.add(e.path)
            coll = CAL if e.kind == "ics" else FILES
            listed = e.path in now[coll]
            if listed:
                r = reader.get(e.path)
                checked += 1
                if r.status != 200:
                    c.check(False, "%s: %s is listed by PROPFIND but GET says %d" % (label, e.path, r.status), r)
                    continue
                ok = r.body in e.possible
                if not ok:
                    if any(s is not None and (s.startswith(r.body) or r.body.startswith(s[:len(r.body)]))
                           for s in e.possible):
                        partial += 1
                    c.check(False, "%s: %s holds a body no request sent or acknowledged (%d bytes %r...)"
                            % (label, e.path, len(r.body), r.body[:80]),
                            detail="allowed: " + describe_states(e.possible))
                    continue
                e.possible = {r.body}
            else:
                if None not in e.possible:
                    lost += 1
                    c.check(False, "%s: %s is gone, though an acknowledged request put it there and none "
                            "acknowledged removed it" % (label, e.path),
                            detail="allowed: " + describe_states(e.possible))
                    continue
                e.possible = {None}
    for w in workers:
        for e in w.entries.values():
            coll = CAL if e.kind == "ics" else FILES
            if e.possible == {None} and w.rng.random() < 0.1:
                r = reader.get(e.path)
                c.check(r.status == 404, "%s: %s is not listed, GET agrees (404)" % (label, e.path), r)
    strangers = [h for coll in (CAL, FILES) for h in now[coll] if h not in modelled and h not in seeded]
    c.check(not strangers, "%s: no member the clients did not create" % label, detail=strangers[:20])
    c.check(not partial, "%s: no partially written body" % label)
    return now, checked, lost


# ---- setup ----------------------------------------------------------------------------------------

r = reader.request("MKCOL", FILES)
c.status(r, 201, "MKCOL the plain collection %s" % FILES)
seeded = set()
seed_rng = random.Random(SEED)
for i in range(4):
    path = CAL + "seed-%d.ics" % i
    c.status(reader.put(path, event_body(seed_rng, "seed-%d-%d@example.org" % (i, SEED), 1), CT_ICS), 201,
             "seed event %d" % i)
    seeded.add(path)
    path = FILES + "seed-%d.bin" % i
    c.status(reader.put(path, file_body(seed_rng, path, 1), CT_BIN), 201, "seed file %d" % i)
    seeded.add(path)

start_state = {coll: members(coll) for coll in (CAL, FILES)}
start_token = {}
for coll in (CAL, FILES):
    res = sync(coll, "", "initial sync-collection of %s" % coll)
    if res is None or start_state[coll] is None:
        c.finish()
    changed, _, start_token[coll] = res
    c.check(changed == start_state[coll], "initial sync-collection of %s lists the members with their ETags" % coll,
            detail="sync %s\nPROPFIND %s" % (sorted(changed.items()), sorted(start_state[coll].items())))
prev_token = dict(start_token)
prev_state = dict(start_state)
db = database_path()
if not shutil.which("sqlite3"):
    print("sqlite3 not installed")
    sys.exit(77)
log_start = os.path.getsize(error_log_path())

for w in workers:
    w.start()

kills = 0
total_checked = 0
t0 = time.time()
for round_no in range(1, ROUNDS + 1):
    if time.time() > DEADLINE:
        c.info("stopping after %d kills: time budget used" % kills)
        break
    before = stats.acked + stats.unknown + stats.answered_other
    running.set()
    time.sleep(random.Random(SEED + round_no).uniform(0.3, 1.5))
    kill_apache(c)
    kills += 1
    with in_flight_cv:
        running.clear()
        in_flight_cv.wait_for(lambda: in_flight[0] == 0, timeout=60)
    c.check(in_flight[0] == 0, "kill %d: the clients' requests end after the kill" % round_no)
    check_crash_image(c, scratch, round_no)
    if not c.check(apache_restart(), "kill %d: Apache restarts" % round_no):
        break
    res = verify("after kill %d" % round_no)
    if res is None:
        break
    now, checked, lost = res
    total_checked += checked
    for coll in (CAL, FILES):
        short = "calendar" if coll == CAL else "plain collection"
        check_sync(coll, start_token[coll], start_state[coll], now[coll],
                   "after kill %d: sync-collection of the %s from the token before the kills" % (round_no, short))
        tok = check_sync(coll, prev_token[coll], prev_state[coll], now[coll],
                         "after kill %d: sync-collection of the %s from the previous round's token" % (round_no, short))
        if tok is not None:
            prev_token[coll] = tok
            prev_state[coll] = now[coll]
    c.info("kill %d: %d requests this round; %d members now; %d bodies compared"
           % (round_no, stats.acked + stats.unknown + stats.answered_other - before,
              len(now[CAL]) + len(now[FILES]), checked))

stop.set()
running.clear()
for w in workers:
    w.join(30)

rc, out = sqlite(db, "PRAGMA integrity_check")
c.check(rc == 0 and out == "ok", "integrity_check of the live database at the end", detail=out[:2000])
log = read_log(error_log_path(), log_start)
crashes = [l for l in log.splitlines() if "exit signal" in l or "Segmentation" in l or "AH00060" in l]
c.check(not crashes, "no child crashed on its own (error.log)", detail="\n".join(crashes[:10]))
c.check(not stats.server_errors, "no 5xx answers (%d)" % len(stats.server_errors),
        detail="\n".join(r.describe() for r in stats.server_errors[:3]))
c.check(stats.acked > 50 * kills, "the load was real: more than 50 acknowledged requests per kill")

print("summary: %d kills in %.1f s; %d requests acknowledged (2xx), %d answered otherwise (4xx), "
      "%d unknown (connection broken after sending, or 5xx), %d not sent (server down); %d bodies compared"
      % (kills, time.time() - t0, stats.acked, stats.answered_other, stats.unknown, stats.notsent, total_checked))
for m, (a, o, u, n) in sorted(stats.by_method.items()):
    print("  %-6s acknowledged %5d  other %4d  unknown %4d  not sent %4d" % (m, a, o, u, n))
shutil.rmtree(scratch, ignore_errors=True)
c.finish()
