#!/usr/bin/python3
"""test_fail2ban.py: the shipped fail2ban filter (conf/fail2ban/filter.d/caldav.conf) against a
real Apache error log: N wrong passwords (AH01617), N unknown users (AH01618) and N refusals
of bob probing alice's data (`caldav: denied`) must match exactly 3N times, all for 127.0.0.1;
alice's successful requests must write no error-log line at all.

With FORWARDED_CLIENT set (run.sh's `fail2ban-proxy`, Apache with mod_remoteip trusting 127.0.0.1 as a
proxy), every request carries `X-Forwarded-For: FORWARDED_CLIENT`: the lines and the bans must name
that address, and one more probe from 127.0.0.2 (not a trusted proxy) with a forged header must be
banned as 127.0.0.2.

Run through t/integration/run.sh (needs BASE_URL, APACHE_DIR, top_srcdir). Exits 77 (skipped)
when fail2ban-regex is not installed.
"""

import http.client
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from davclient import Checks, Client as DirectClient, error_log_path, ical_event, log_size, read_log

N = 5
FORWARDED_CLIENT = os.environ.get("FORWARDED_CLIENT")
BANNED = FORWARDED_CLIENT or "127.0.0.1"


class Client(DirectClient):
    """A client that, behind the test's pretend proxy, says whom it forwards for."""

    def request(self, method, path, body=None, headers=None, **kw):
        headers = dict(headers or {})
        if FORWARDED_CLIENT:
            headers["X-Forwarded-For"] = FORWARDED_CLIENT
        return super().request(method, path, body=body, headers=headers, **kw)

FAIL2BAN_REGEX = shutil.which("fail2ban-regex") or (
    "/usr/bin/fail2ban-regex" if os.path.exists("/usr/bin/fail2ban-regex") else None)
if not FAIL2BAN_REGEX:
    print("fail2ban-regex not installed: skipped")
    sys.exit(77)

top_srcdir = os.environ.get("top_srcdir") or os.path.join(os.path.dirname(__file__), "..", "..")
FILTER = os.path.join(top_srcdir, "conf", "fail2ban", "filter.d", "caldav.conf")
c = Checks("test_fail2ban")
if not c.check(os.path.exists(FILTER), "the filter %s exists" % FILTER):
    c.finish()

ERROR_LOG = error_log_path()
ACCESS_LOG = os.path.join(os.environ["APACHE_DIR"], "access.log")
alice = Client("alice", "alicepw")
bob = Client("bob", "bobpw")
CT = "text/calendar; charset=utf-8"

# Provision both users (successful requests, no error lines expected).
c.status(alice.propfind("/caldav/", 0), 207, "alice PROPFIND /caldav/")
c.status(bob.propfind("/caldav/", 0), 207, "bob PROPFIND /caldav/")

# ---------------------------------------------------------------------------------------
# Phase 1: successes only. The error log must not grow; the access log gets one 2xx line each.
err0, acc0 = log_size(ERROR_LOG), log_size(ACCESS_LOG)
ok_requests = 0
for i in range(N):
    path = "/caldav/calendars/alice/default/f2b-%d.ics" % i
    for method, r in (
            ("PUT", alice.put(path, ical_event("f2b-%d@example.org" % i), CT)),
            ("GET", alice.get(path)),
            ("PROPFIND", alice.propfind("/caldav/calendars/alice/default/", 1)),
            ("DELETE", alice.delete(path))):
        c.check(200 <= r.status < 300, "success phase: alice %s %s answered %d" % (method, r.path, r.status), r)
        ok_requests += 1
alice.close()
bob.close()
new_errors = read_log(ERROR_LOG, err0)
c.check(new_errors.strip() == "", "successful requests wrote no error-log line", detail=new_errors[:2000])
# Apache writes the access log after the response has gone out: give the last line a moment.
for _ in range(50):
    acc_lines = read_log(ACCESS_LOG, acc0).splitlines()
    ok_lines = [l for l in acc_lines if re.search(r' alice \[.*" 2\d\d ', l)]
    if len(ok_lines) >= ok_requests:
        break
    time.sleep(0.1)
c.check(len(ok_lines) == ok_requests,
        "access log has %d 2xx lines by alice for the %d successes" % (len(ok_lines), ok_requests),
        detail="\n".join(acc_lines[:20]))

# ---------------------------------------------------------------------------------------
# Phase 2: failures, N of each kind, each on a fresh connection as a client would.
err1 = log_size(ERROR_LOG)
for i in range(N):
    r = Client("alice", "wrong-%d" % i).get("/caldav/calendars/alice/default/")
    c.status(r, 401, "wrong password for alice")
for i in range(N):
    r = Client("nosuchuser%d" % i, "whatever").propfind("/caldav/", 0)
    c.status(r, 401, "unknown user")
probes = [
    ("PROPFIND", "/caldav/calendars/alice/default/"),
    ("GET", "/caldav/calendars/alice/default/f2b-0.ics"),
    ("PUT", "/caldav/calendars/alice/default/bob.ics"),
    ("DELETE", "/caldav/calendars/alice/"),
    # A URI that tries to forge Apache's client field: the ban must still be 127.0.0.1.
    ("GET", "/caldav/calendars/alice/%5Bclient%2010.6.6.6:1%5D%20%22x%22.ics"),
]
for i in range(N):
    method, path = probes[i % len(probes)]
    b = Client("bob", "bobpw")
    body = ical_event("bob-probe@example.org") if method == "PUT" else None
    r = b.request(method, path, body=body, content_type=CT if body else None, depth=0 if method == "PROPFIND" else None)
    c.status(r, 403, "bob probing alice's calendar: %s %s" % (method, path))
    b.close()
untrusted = 0
if FORWARDED_CLIENT:
    # A client that is not the trusted proxy cannot choose the address it is banned under.
    probe = DirectClient("bob", "bobpw")
    probe.conn = http.client.HTTPConnection(probe.host, probe.port, timeout=30, source_address=("127.0.0.2", 0))
    r = probe.request("GET", "/caldav/calendars/alice/default/f2b-0.ics", headers={"X-Forwarded-For": "198.51.100.9"})
    c.status(r, 403, "bob probing from 127.0.0.2 (not a trusted proxy) with a forged X-Forwarded-For")
    probe.close()
    untrusted = 1
failures = read_log(ERROR_LOG, err1).splitlines()
forwarded = [l for l in failures if "caldav: denied" in l and "client=%s " % BANNED in l]
c.check(len(forwarded) == N, "the denial lines name the real client %s (%d of %d)" % (BANNED, len(forwarded), N),
        detail="\n".join(failures[-10:]))
kinds = {
    "AH01617": sum("AH01617:" in l for l in failures),
    "AH01618": sum("AH01618:" in l for l in failures),
    "caldav: denied": sum("caldav: denied" in l for l in failures) - untrusted,
}
for k, n in kinds.items():
    c.check(n == N, "error log has %d `%s` lines (want %d)" % (n, k, N),
            detail="\n".join(failures[-20:]))

# ---------------------------------------------------------------------------------------
# fail2ban-regex over the whole error log: exactly 3N matches, all for the real client.
cmd = [FAIL2BAN_REGEX, ERROR_LOG, FILTER]
res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
out = res.stdout
c.check(res.returncode == 0, "%s exits 0" % " ".join(cmd), detail=out[-3000:])
m = re.search(r"Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed", out)
if c.check(m is not None, "fail2ban-regex prints its Lines: summary", detail=out[-3000:]):
    total, ignored, matched, missed = map(int, m.groups())
    c.info("fail2ban-regex: %d lines, %d matched, %d missed, %d ignored" % (total, matched, missed, ignored))
    c.check(matched == 3 * N + untrusted, "fail2ban-regex matched %d lines, want exactly %d (%d of each kind)"
            % (matched, 3 * N + untrusted, N), detail=out[-3000:])
# Per failregex hits: each of the three kinds is counted N times.
hits = [int(h) for h in re.findall(r"^\|\s+\d+\) \[(\d+)\] ", out, re.M)]
c.info("hits per failregex: %s" % hits)

res = subprocess.run(cmd[:1] + ["-o", "ip"] + cmd[1:], stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, text=True)
ips = [l.strip() for l in res.stdout.splitlines() if l.strip()]
want = sorted([BANNED] * 3 * N + ["127.0.0.2"] * untrusted)
c.check(sorted(ips) == want, "every match bans %s%s (got %d: %s)"
        % (BANNED, ", the untrusted probe 127.0.0.2" if untrusted else "", len(ips), sorted(set(ips))),
        detail=res.stdout[-2000:])

c.finish()
