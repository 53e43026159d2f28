#!/usr/bin/python3
"""test_propfind_memory.py: a Depth:1 PROPFIND streams: the server's memory while answering it
does not grow with the number of members. Fills one calendar with N1 (1,000) then N2 (10,000)
events by HTTP PUT, and at each size measures the peak RSS growth of the Apache child during
the PROPFIND (VmHWM after resetting it through /proc/PID/clear_refs, minus VmRSS before), 3 runs
after 2 warm-up runs per server thread; the peak growth at N2 may exceed the one at N1 by at most
MEM_BOUND_KB (1024, i.e. about 115 bytes per extra member; stock mod_dav_fs needs ~200). Also
checks that each response lists N+1 hrefs in well-formed XML, and that the RSS does not creep
over the measured runs (a per-request leak).

Run through t/integration/run.sh (needs BASE_URL, APACHE_DIR). MEM_N1, MEM_N2, MEM_BOUND_KB,
MEM_THREADS override the defaults.
"""

import http.client
import os
import queue
import sys
import threading
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from davclient import Checks, Client, error_log_path, ical_event, log_size, read_log

N1 = int(os.environ.get("MEM_N1", "1000"))
N2 = int(os.environ.get("MEM_N2", "10000"))
BOUND_KB = int(os.environ.get("MEM_BOUND_KB", "1024"))
THREADS = int(os.environ.get("MEM_THREADS", "6"))
RUNS = 3

c = Checks("test_propfind_memory")
COL = "/caldav/calendars/alice/default/"
CT = "text/calendar; charset=utf-8"
PIDFILE = os.path.join(os.environ["APACHE_DIR"], "httpd.pid")


def server_threads():
    with open(os.path.join(os.environ["APACHE_DIR"], "httpd.conf")) as f:
        for line in f:
            if line.startswith("ThreadsPerChild"):
                return int(line.split()[1])
    return 25


# Each worker thread has its own SQLite connection and page cache (bounded by cache_size, not
# by N): warm them all up before measuring, so that only per-request memory is measured.
WARMUPS = int(os.environ.get("MEM_WARMUPS", str(2 * server_threads())))
log_start = log_size(error_log_path())

alice = Client("alice", "alicepw")
c.status(alice.propfind("/caldav/", 0), 207, "alice PROPFIND /caldav/ (provisioning)")
alice.close()


# ---------------------------------------------------------------------------------------
def fill(start, end):
    """PUT members start..end-1 from THREADS keep-alive connections; returns the failures."""
    todo = queue.Queue()
    for i in range(start, end):
        todo.put(i)
    failures = []
    lock = threading.Lock()

    def worker():
        cl = Client("alice", "alicepw")
        while True:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                break
            try:
                r = cl.put(COL + "m%05d.ics" % i, ical_event("mem-%05d@example.org" % i, "m%d" % i), CT)
                ok = r.status == 201
            except (OSError, http.client.HTTPException) as e:
                r, ok = e, False
                cl.close()
            if not ok:
                with lock:
                    failures.append(r)
        cl.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failures


def children():
    """Pids of the Apache parent's children (the processes that serve requests)."""
    with open(PIDFILE) as f:
        parent = f.read().strip()
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == parent:
            kids.append(int(d))
    return sorted(kids)


def status_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rss(pids):
    return sum(status_kb(p, "VmRSS") for p in pids)


def hwm(pids):
    return sum(status_kb(p, "VmHWM") for p in pids)


def reset_hwm(pids):
    """Reset the peak RSS (VmHWM) to the current RSS; False if not permitted."""
    try:
        for p in pids:
            with open("/proc/%d/clear_refs" % p, "w") as f:
                f.write("5")
        return True
    except OSError:
        return False


PROPFIND = ('<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:prop>'
            '<D:resourcetype/><D:getetag/><D:getcontenttype/><D:getcontentlength/>'
            '<D:getlastmodified/></D:prop></D:propfind>').encode()


def propfind_count():
    """One Depth:1 PROPFIND on COL, on a fresh connection, parsed as it streams in.
    Returns (status, number of responses, number of distinct hrefs, error or None, seconds)."""
    cl = Client("alice", "alicepw")
    t0 = time.time()
    cl._connect()
    cl.conn.request("PROPFIND", COL, body=PROPFIND,
                    headers={"Authorization": cl.auth, "Depth": "1",
                             "Content-Type": "application/xml; charset=utf-8"})
    resp = cl.conn.getresponse()
    parser = ET.XMLPullParser(events=("end",))
    nresp, hrefs, err = 0, set(), None
    try:
        while True:
            chunk = resp.read(65536)
            if not chunk:
                break
            parser.feed(chunk)
            for _, el in parser.read_events():
                if el.tag == "{DAV:}href":
                    hrefs.add(el.text)
                elif el.tag == "{DAV:}response":
                    nresp += 1
                    el.clear()
        parser.close()
    except ET.ParseError as e:
        err = "not well-formed XML: %s" % e
    cl.close()
    return resp.status, nresp, len(hrefs), err, time.time() - t0


def measure(n):
    """Warm up, then RUNS measured PROPFINDs; returns (max peak growth KB, creep KB)."""
    pids = children()
    c.check(len(pids) >= 1, "found the Apache child processes (%s)" % pids)
    # The first PROPFIND at this size, before any warm-up: for information (it includes
    # filling a thread's page cache).
    can_reset = reset_hwm(pids)
    before = rss(pids)
    st, nresp, nhref, err, secs = propfind_count()
    print("N=%5d first PROPFIND: status %d in %.2fs; RSS before %d KB, peak +%d KB, after %d KB"
          % (n, st, secs, before, (hwm(pids) if can_reset else rss(pids)) - before, rss(pids)))
    for _ in range(WARMUPS):
        st, nresp, nhref, err, secs = propfind_count()
    c.check(st == 207 and err is None and nresp == n + 1 and nhref == n + 1,
            "PROPFIND Depth:1 of %d members: 207, well-formed, %d responses (got %s, %d responses, "
            "%d hrefs, %s)" % (n, n + 1, st, nresp, nhref, err))
    peaks = []
    rss_first = rss(pids)
    for run in range(RUNS):
        can_reset = reset_hwm(pids)
        before = rss(pids)
        st, nresp, nhref, err, secs = propfind_count()
        peak = hwm(pids) - before if can_reset else rss(pids) - before
        after = rss(pids)
        peaks.append(peak)
        print("N=%5d run %d: status %d, %d responses in %.2fs; RSS before %d KB, peak +%d KB, "
              "after %d KB%s" % (n, run + 1, st, nresp, secs, before, peak, after,
                                 "" if can_reset else " (VmHWM reset not permitted: RSS delta)"))
        c.check(st == 207 and err is None and nresp == n + 1,
                "measured PROPFIND of %d members answered in full (%s, %d responses, %s)" % (n, st, nresp, err))
    creep = rss(pids) - rss_first
    c.check(children() == pids, "the Apache child was not replaced (crash?) during the runs (%s -> %s)"
            % (pids, children()))
    return max(peaks), creep


# ---------------------------------------------------------------------------------------
t0 = time.time()
fails = fill(0, N1)
print("PUT %d members in %.1fs" % (N1, time.time() - t0))
if not c.check(not fails, "all %d PUTs answered 201 (%d failed)" % (N1, len(fails)),
               resp=fails[0] if fails and hasattr(fails[0], "describe") else None,
               detail=None if not fails or hasattr(fails[0], "describe") else repr(fails[0])):
    c.finish()
peak1, creep1 = measure(N1)

t0 = time.time()
fails = fill(N1, N2)
print("PUT %d more members in %.1fs" % (N2 - N1, time.time() - t0))
if not c.check(not fails, "all %d PUTs answered 201 (%d failed)" % (N2 - N1, len(fails)),
               resp=fails[0] if fails and hasattr(fails[0], "describe") else None,
               detail=None if not fails or hasattr(fails[0], "describe") else repr(fails[0])):
    c.finish()
peak2, creep2 = measure(N2)

print("peak RSS growth during a Depth:1 PROPFIND: %d KB at %d members, %d KB at %d members "
      "(difference %d KB, bound %d KB; %.0f bytes per extra member)"
      % (peak1, N1, peak2, N2, peak2 - peak1, BOUND_KB, (peak2 - peak1) * 1024.0 / (N2 - N1)))
print("RSS creep over %d runs: %d KB at %d members, %d KB at %d members" % (RUNS, creep1, N1, creep2, N2))
c.check(peak2 - peak1 <= BOUND_KB,
        "peak memory of a Depth:1 PROPFIND does not grow with the collection: +%d KB at %d members "
        "vs +%d KB at %d members (allowed difference %d KB)" % (peak2, N2, peak1, N1, BOUND_KB))
c.check(creep2 <= BOUND_KB, "RSS does not creep over repeated PROPFINDs of %d members (+%d KB)" % (N2, creep2))
crashes = [l for l in read_log(error_log_path(), log_start).splitlines()
           if "exit signal" in l or "AH00052" in l]
c.check(not crashes, "no child crashed", detail="\n".join(crashes))
c.finish()
