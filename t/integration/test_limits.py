"""test_limits.py: resource limits against a real Apache started by run.sh with `CalDAVQuota 64K`, a
small CalDAVMaxResourceSize and mod_reqtimeout (`RequestReadTimeout header=2-4,MinRate=500
body=3,MinRate=500`).

- The per-user quota (RFC 4331): DAV:quota-used-bytes / quota-available-bytes on the user's
  collections; a PUT, vCard or COPY that would pass the quota gets 507 with DAV:quota-not-exceeded and
  stores nothing; DELETE frees space; a smaller replacement is allowed while full; another user has
  their own quota.
- Apache keeps serving other users while one client holds connections with slow headers, a slow
  body, or several oversized uploads: bob's requests are answered quickly throughout, the slow
  connections are cut by RequestReadTimeout, the oversized ones get 413, and nothing is stored.
"""

import os
import socket
import threading
import time

from davclient import CALDAV, Checks, Client, multistatus, prop_text, ical_event, vcard

QUOTA = 64 * 1024
MAX_SIZE = 200 * 1024  # CalDAVMaxResourceSize in run.sh
CAL = "/caldav/calendars/alice/default/"
AB = "/caldav/addressbooks/alice/default/"
BOB_CAL = "/caldav/calendars/bob/default/"
QUOTA_PROPS = [("DAV:", "quota-available-bytes"), ("DAV:", "quota-used-bytes")]

c = Checks("limits")
alice = Client("alice", "alicepw", timeout=30)
bob = Client("bob", "bobpw", timeout=30)
HOST, PORT = alice.host, alice.port


def event(uid, size):
    """An event of about `size` bytes: a DESCRIPTION of x's, folded at 70 octets (RFC 5545 §3.1)."""
    body = ical_event(uid, "Quota test")
    padding = max(0, size - len(body) - 20)
    text = b"\r\n ".join(b"x" * min(70, padding - at) for at in range(0, padding, 70))
    return body.replace(b"SUMMARY:", b"DESCRIPTION:" + text + b"\r\nSUMMARY:", 1)


def quota(client, path):
    r = client.propfind(path, 0, QUOTA_PROPS)
    got = multistatus(r).get(path, {}) if r.status == 207 else {}
    values = {}
    for _, name in QUOTA_PROPS:
        status, element = got.get("{DAV:}" + name, (None, None))
        values[name] = int(prop_text(element)) if status == 200 and prop_text(element).isdigit() else None
    return r, values


def sync_token(client, path):
    r = client.propfind(path, 0, [("DAV:", "sync-token")])
    return prop_text(multistatus(r).get(path, {}).get("{DAV:}sync-token", (None, None))[1])


# ---- RFC 4331 quota ---------------------------------------------------------------------------------

r, q = quota(alice, CAL)
c.check(q == {"quota-available-bytes": QUOTA, "quota-used-bytes": 0},
        "RFC 4331 §3, §4: a fresh user's calendar reports the whole quota available and nothing used (got %s)" % q, r)
r, q = quota(alice, "/caldav/calendars/alice/")
c.check(q["quota-used-bytes"] == 0, "the calendar home reports the quota too (got %s)" % q, r)
r = alice.propfind(CAL, 0)
c.check(r.status == 207 and b"quota-available-bytes" not in r.body,
        "RFC 4331 §3: the quota properties are not in allprop", r)

stored = []
refused = None
for i in range(40):  # 40 x 4 KB > 64 KB
    path = CAL + "fill-%d.ics" % i
    r = alice.put(path, event("fill-%d@example.org" % i, 4096))
    if r.status == 201:
        stored.append(path)
        continue
    refused = (path, r)
    break
c.check(refused is not None and refused[1].status == 507,
        "a PUT past the quota is refused with 507 (stored %d events first)" % len(stored),
        refused[1] if refused else None)
if refused:
    path, r = refused
    c.check(b"quota-not-exceeded" in r.body, "RFC 4331 §6: the 507 names DAV:quota-not-exceeded", r)
    c.status(alice.get(path), 404, "the refused PUT stored nothing")
r, q = quota(alice, CAL)
used = q["quota-used-bytes"]
c.check(used is not None and QUOTA - 4096 < used <= QUOTA and q["quota-available-bytes"] == QUOTA - used,
        "after filling: used is within one event of the quota and available = quota - used (got %s)" % q, r)

token = sync_token(alice, CAL)
r = alice.put(AB + "card.vcf", vcard("quota-card@example.org", "Q" * 8000), content_type="text/vcard")
c.status(r, 507, "a vCard past the quota (the same quota covers address books)")
r = alice.copy(CAL, "/caldav/calendars/alice/copy/", depth="infinity")
c.status(r, 507, "COPY of the calendar past the quota")
c.check(b"quota-not-exceeded" in r.body, "the COPY's 507 names DAV:quota-not-exceeded", r)
c.status(alice.get("/caldav/calendars/alice/copy/"), 404, "the refused COPY left nothing")
c.check(sync_token(alice, CAL) == token, "the refused writes did not move the sync token")

if stored:
    r = alice.put(stored[0], event("fill-0@example.org", 1024))
    c.status(r, 204, "replacing an event with a smaller one is allowed while at the quota")
    r = alice.delete(stored[1])
    c.status(r, 204, "DELETE while at the quota")
    r, after = quota(alice, CAL)
    c.check(after["quota-used-bytes"] is not None and after["quota-used-bytes"] < used - 6000,
            "DELETE and the smaller replacement free space (used %s -> %s)" % (used, after["quota-used-bytes"]), r)
    r = alice.put(CAL + "after-delete.ics", event("after-delete@example.org", 4096))
    c.status(r, 201, "a PUT fits again once space was freed")

r = bob.put(BOB_CAL + "bob.ics", event("bob@example.org", 4096))
c.status(r, 201, "another user has their own quota")
r, q = quota(bob, BOB_CAL)
c.check(q["quota-used-bytes"] == len(event("bob@example.org", 4096)),
        "bob's usage counts only bob's bytes (got %s)" % q, r)


# ---- other users keep being served while one client is slow or huge -----------------------------------

def raw(head):
    s = socket.create_connection((HOST, PORT), timeout=30)
    s.sendall(head.encode())
    return s


def slow_headers(results, index):
    """Sends the request line, then one header byte a second (a slowloris)."""
    s = raw("PROPFIND %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\n" % (CAL, alice.auth))
    start = time.time()
    try:
        for ch in "X-Slow: " + "y" * 30:
            s.sendall(ch.encode())
            time.sleep(1)
        results[index] = ("never cut", time.time() - start)
    except OSError:
        results[index] = ("cut", time.time() - start)
    finally:
        s.close()


def slow_body(results, index):
    """A PUT announcing 100 KB and sending 100 bytes a second: (seconds until the server gave up, its answer)."""
    s = raw("PUT %s%s.ics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\nContent-Type: text/calendar\r\n"
            "Content-Length: 102400\r\n\r\n" % (CAL, index, alice.auth))
    start = time.time()
    answer = b""
    try:
        for _ in range(30):
            s.sendall(b"x" * 100)
            time.sleep(1)
            s.settimeout(0.01)
            try:
                answer += s.recv(4096)
            except socket.timeout:
                continue
            finally:
                s.settimeout(30)
            break  # an answer, or the server closed the connection
    except OSError:
        pass
    finally:
        s.close()
    results[index] = (time.time() - start, answer.split(b"\r\n", 1)[0].decode("latin-1"))


def oversized(results, index):
    """A chunked PUT that would never end: it must get 413 once CalDAVMaxResourceSize is passed."""
    s = raw("PUT %s%s.ics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\nContent-Type: text/calendar\r\n"
            "Transfer-Encoding: chunked\r\n\r\n" % (CAL, index, alice.auth))
    chunk = b"x" * 65536
    answer = b""
    try:
        for _ in range(400):  # up to 25 MB
            s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        s.settimeout(5)
        answer = s.recv(4096)
    except OSError:
        try:
            s.settimeout(5)
            answer = s.recv(4096)
        except OSError:
            pass
    finally:
        s.close()
    results[index] = answer.split(b"\r\n", 1)[0].decode("latin-1")


def bob_latencies(stop, latencies, errors):
    client = Client("bob", "bobpw", timeout=30)
    while not stop.is_set():
        start = time.time()
        r = client.propfind(BOB_CAL, 1, [("DAV:", "getetag")])
        latencies.append(time.time() - start)
        if r.status != 207:
            errors.append(r.status)
        time.sleep(0.05)


results = {}
threads = [threading.Thread(target=slow_headers, args=(results, "headers-%d" % i)) for i in range(4)]
threads += [threading.Thread(target=slow_body, args=(results, "body-%d" % i)) for i in range(2)]
threads += [threading.Thread(target=oversized, args=(results, "huge-%d" % i)) for i in range(3)]
stop, latencies, errors = threading.Event(), [], []
watcher = threading.Thread(target=bob_latencies, args=(stop, latencies, errors))
watcher.start()
for t in threads:
    t.start()
for t in threads:
    t.join(60)
stop.set()
watcher.join(30)

latencies.sort()
worst = latencies[-1] if latencies else None
if latencies:
    c.info("bob during the slow and huge clients: %d PROPFINDs, median %.1f ms, worst %.1f ms"
           % (len(latencies), 1000 * latencies[len(latencies) // 2], 1000 * worst))
c.info("slow and huge clients: %s" % sorted(results.items()))
c.check(len(latencies) >= 20 and not errors and worst < 2.0,
        "bob is served throughout (%d PROPFINDs, worst %.2f s, errors %s)"
        % (len(latencies), worst or -1, errors[:5]))
for name, value in sorted(results.items()):
    if name.startswith("headers"):
        c.check(value[0] == "cut" and value[1] < 10,
                "%s: RequestReadTimeout cuts a slowloris (%s after %.1f s)" % (name, value[0], value[1]))
    elif name.startswith("body"):
        c.check(value[0] < 10 and (value[1] == "" or " 408 " in value[1] + " "),
                "%s: RequestReadTimeout cuts a slow body (after %.1f s, answer %r)" % (name, value[0], value[1]))
    else:
        c.check(" 413 " in value + " ", "%s: an endless chunked PUT gets 413 (got %r)" % (name, value))
c.check(len(results) == len(threads), "every slow or huge client finished (%d of %d)" % (len(results), len(threads)))
for i in range(3):
    c.status(alice.get(CAL + "huge-%d.ics" % i), 404, "the oversized PUT %d stored nothing" % i)
for i in range(2):
    c.status(alice.get(CAL + "body-%d.ics" % i), 404, "the slow PUT %d stored nothing" % i)
c.status(alice.propfind(CAL, 0), 207, "alice is still served at the end")
c.finish()
