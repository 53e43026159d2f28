"""test_crash_large.py: acknowledged writes survive a kill of Apache after transactions larger than
SQLite's page cache (256 KB per connection). Each round, alice fills a calendar with events of about
300 KB, then one operation whose transaction spills pages to the log before COMMIT: DELETE, MOVE or
COPY of that calendar, or a PUT of a 2-4 MB event. Bob then PUTs five small events that the other
child acknowledges (Apache runs two, run.sh's APACHE_CHILDREN; pids.log tells which served what), or
nothing, so that the large transaction is the last one. Apache and its children are killed with SIGKILL right after the last 2xx, or after
the process has been idle for a few seconds. After the restart every acknowledged write is there,
byte for byte, and the deleted calendar stays deleted (ARCHITECTURE.md's invariant: an acknowledged
write survives a kill at any moment, whatever the size of the transaction).
Every combination of operation, who writes last and kill timing runs once by default (16 rounds);
CALDAV_SOAK=1 runs them three times.
"""

import itertools
import os
import random
import tempfile
import time
import uuid

from crashkit import check_crash_image, kill_apache
from davclient import Checks, Client, apache_restart

SOAK = os.environ.get("CALDAV_SOAK", "0") not in ("", "0")
IDLE_SECONDS = 3
CT_ICS = "text/calendar; charset=utf-8"

c = Checks("crash-large")
rng = random.Random(int(os.environ.get("CRASH_SEED", "7")))
scratch = tempfile.mkdtemp(prefix="crash-large-image.", dir=os.getcwd())
acknowledged = {"PUT small": 0, "PUT large": 0, "MKCALENDAR": 0, "DELETE calendar": 0, "MOVE calendar": 0,
                "COPY calendar": 0}
bytes_acknowledged = [0]
losses = [0]


def event(uid, size):
    """A VEVENT whose DESCRIPTION makes the object about `size` bytes (RFC 5545 §3.1 folding)."""
    text = rng.randbytes(size // 2 + 1).hex()[:size]
    folded = "\r\n ".join(text[i:i + 74] for i in range(0, len(text), 74))
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mod_caldav//crash-large//EN\r\nBEGIN:VEVENT\r\n"
            "UID:%s\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250310T100000Z\r\nDTEND:20250310T110000Z\r\n"
            "SUMMARY:%s\r\nDESCRIPTION:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n" % (uid, uid, folded)).encode()


def acknowledge(kind, resp, expected, what):
    ok = c.status(resp, expected, what)
    if ok:
        acknowledged[kind] += 1
        if resp.req_body:
            bytes_acknowledged[0] += len(resp.req_body)
    return ok


def fill_calendar(alice, path, count):
    """MKCALENDAR and `count` events of about 300 KB: {href: body}."""
    acknowledge("MKCALENDAR", alice.request("MKCALENDAR", path), 201, "MKCALENDAR %s" % path)
    events = {}
    for i in range(count):
        href = "%sbig-%d.ics" % (path, i)
        body = event(str(uuid.uuid4()), rng.randint(250000, 350000))
        if acknowledge("PUT large", alice.put(href, body), 201, "PUT %s (%d bytes)" % (href, len(body))):
            events[href] = body
    return events


PIDS_LOG = os.path.join(os.environ["APACHE_DIR"], "pids.log")


def served_by(method, path):
    """The pid of the child that served the last `method path` (run.sh's pids.log: Apache writes
    the line just after the answer), or None."""
    for _ in range(50):
        try:
            with open(PIDS_LOG) as f:
                lines = [line.split() for line in f if " %s %s " % (method, path) in line]
        except FileNotFoundError:
            lines = []
        if lines:
            return lines[-1][0]
        time.sleep(0.02)
    return None


def connections_to_other_child(alice_child, count=5):
    """Keep-alive connections of bob's that the child which did not serve alice accepted (a
    connection stays with the child that accepted it). Opened before alice's write: a request that
    alice's child served after it would run on her pooled connection and flush anything it held.
    Opened in bursts: connections made one after another mostly go to the same child."""
    kept = []
    for _ in range(20):
        if len(kept) >= count:
            break
        burst = [Client("bob", "bobpw", timeout=60) for _ in range(12)]
        for bob in burst:
            bob._connect()
            bob.conn.connect()
        for bob in burst:
            probe = "/caldav/calendars/bob/default/probe-%s" % uuid.uuid4().hex
            bob.request("HEAD", probe)
            if len(kept) < count and served_by("HEAD", probe) not in (None, alice_child):
                kept.append(bob)
            else:
                bob.close()
    c.check(len(kept) == count, "bob: %d connections to the other child (%d)" % (count, len(kept)))
    return kept


def bob_writes(round_no, connections, alice_child):
    """A small event on each connection, each acknowledged by the other child: {href: body}."""
    written = {}
    for i, bob in enumerate(connections):
        href = "/caldav/calendars/bob/default/r%d-%d-%s.ics" % (round_no, i, uuid.uuid4().hex[:8])
        body = event(str(uuid.uuid4()), rng.randint(300, 3000))
        if acknowledge("PUT small", bob.put(href, body), 201, "bob: PUT %s" % href):
            written[href] = body
            c.check(served_by("PUT", href) != alice_child, "bob: PUT %s was served by the other child" % href)
        bob.close()
    return written


def large_operation(alice, op, round_no):
    """Runs `op` on a calendar of about 3 MB; updates `expected` ({href: body or None}). Returns the
    pid of the child that served it."""
    source = "/caldav/calendars/alice/big-%d/" % round_no
    if op == "PUT large":
        href = "/caldav/calendars/alice/default/huge-%d.ics" % round_no
        body = event(str(uuid.uuid4()), rng.randint(2000000, 4000000))
        if acknowledge("PUT large", alice.put(href, body), 201, "PUT %s (%d bytes)" % (href, len(body))):
            expected[href] = body
        return served_by("PUT", href)
    events = fill_calendar(alice, source, 10)
    expected.update(events)
    if op == "DELETE calendar":
        if acknowledge(op, alice.delete(source), 204, "DELETE %s" % source):
            expected.update({href: None for href in events})
            expected[source] = None
        return served_by("DELETE", source)
    method = op.split()[0]
    target = "/caldav/calendars/alice/big-%d-%s/" % (round_no, method.lower())
    resp = alice.copy(source, target, overwrite=False, method=method)
    if acknowledge(op, resp, 201, "%s %s -> %s" % (method, source, target)):
        expected.update({href.replace(source, target): body for href, body in events.items()})
        if op == "MOVE calendar":
            expected.update({href: None for href in events})
            expected[source] = None
    return served_by(method, source)


def verify(reader, expected, label):
    for href, body in sorted(expected.items()):
        resp = reader.get(href) if not href.endswith("/") else reader.propfind(href, 0)
        if body is None:
            kept = c.check(resp.status == 404, "%s: %s stays deleted (acknowledged), GET/PROPFIND says %d"
                           % (label, href, resp.status), resp)
        else:
            kept = c.check(resp.status == 200 and resp.body == body,
                           "%s: %s holds the %d bytes acknowledged (GET says %d, %d bytes)"
                           % (label, href, len(body), resp.status, len(resp.body)))
        losses[0] += not kept


combinations = list(itertools.product(("DELETE calendar", "MOVE calendar", "COPY calendar", "PUT large"),
                                      ("bob writes after", "large is last"), ("right after the 2xx", "idle")))
rounds = combinations * (3 if SOAK else 1)
expected = {}
t0 = time.time()
for round_no, (op, order, timing) in enumerate(rounds, 1):
    label = "round %d (%s, %s, kill %s)" % (round_no, op, order, timing)
    alice = Client("alice", "alicepw", timeout=120)
    probe = "/caldav/calendars/alice/probe-%s" % uuid.uuid4().hex
    alice.request("HEAD", probe)
    alice_child = served_by("HEAD", probe)
    others = connections_to_other_child(alice_child) if order == "bob writes after" else []
    c.check(large_operation(alice, op, round_no) == alice_child, "%s: alice's connection stayed with her child" % label)
    if others:
        expected.update(bob_writes(round_no, others, alice_child))
    alice.close()
    if timing == "idle":
        time.sleep(IDLE_SECONDS)
    kill_apache(c)
    check_crash_image(c, scratch, round_no)
    if not c.check(apache_restart(), "%s: Apache restarts" % label):
        break
    reader = Client("alice", "alicepw", timeout=120)
    verify(reader, {h: b for h, b in expected.items() if "/bob/" not in h}, label)
    reader.close()
    bob_reader = Client("bob", "bobpw", timeout=60)
    verify(bob_reader, {h: b for h, b in expected.items() if "/bob/" in h}, label)
    bob_reader.close()
    c.info("%s: %d paths verified" % (label, len(expected)))

print("summary: %d kills in %.1f s; acknowledged writes: %s; %.1f MB acknowledged; %d paths verified after "
      "each kill at the end; losses: %d" % (len(rounds), time.time() - t0,
                                             ", ".join("%s %d" % kv for kv in acknowledged.items()),
                                             bytes_acknowledged[0] / 1e6, len(expected), losses[0]))
c.finish()
