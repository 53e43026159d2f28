#!/usr/bin/python3
"""test_fail2ban.py: the shipped fail2ban filter and jail (conf/fail2ban/) against a real Apache
error log: N wrong passwords (AH01617), N unknown users (AH01618), the same two over Digest
authentication (mod_auth_digest's AH01794 and AH01790, on a /digest location this test adds) and
N refusals of bob probing alice's data (`caldav: denied`) must match exactly 5N times, all for
127.0.0.1; alice's successful requests must write no error-log line at all.

Then a real fail2ban-server (its own configuration directory, socket, pid file and log under the
test's directory: Debian's /etc/fail2ban less jail.d, plus the shipped filter and jail, pointed at
this Apache's error log and port) must ban the address: `fail2ban-client status caldav` lists it.
With nft usable, the jail's shipped banaction (nftables-multiport, in a table of the test's own)
runs: the address is in the nftables set and a new connection to Apache is refused; the table is
gone once the server stops. Without nft the ban runs with the `dummy` action (said in the log).

With FORWARDED_CLIENT set (run.sh's `fail2ban-proxy`, Apache with mod_remoteip trusting 127.0.0.1 as a
proxy), every request carries `X-Forwarded-For: FORWARDED_CLIENT`: the lines and the bans must name
that address, and one more probe from 127.0.0.2 (not a trusted proxy) with a forged header must be
banned as 127.0.0.2.

Run through t/integration/run.sh (needs BASE_URL, APACHE_DIR, top_srcdir). Exits 77 (skipped)
when fail2ban-regex is not installed.
"""

import hashlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from davclient import Checks, Client as DirectClient, apache_restart, error_log_path, ical_event, log_size, read_log

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
JAIL = os.path.join(top_srcdir, "conf", "fail2ban", "jail.d", "caldav.conf")
c = Checks("test_fail2ban")
if not c.check(os.path.exists(FILTER), "the filter %s exists" % FILTER):
    c.finish()

# ---------------------------------------------------------------------------------------
# A Digest-protected location next to /caldav (the README: any AuthType works), so that
# mod_auth_digest's failure lines land in the same error log.
DIGEST_REALM = "Calendars"
apache_dir = os.environ["APACHE_DIR"]
htdigest = os.path.join(apache_dir, "htdigest")
with open(htdigest, "w") as f:
    ha1 = hashlib.md5(("alice:%s:alicepw" % DIGEST_REALM).encode()).hexdigest()
    f.write("alice:%s:%s\n" % (DIGEST_REALM, ha1))
os.chmod(htdigest, 0o644)
with open(os.path.join(apache_dir, "httpd.conf"), "a") as f:
    f.write("""
# test_fail2ban.py: Digest authentication on /digest
LoadModule auth_digest_module /usr/lib/apache2/modules/mod_auth_digest.so
<Location /digest>
    AuthType Digest
    AuthName "%s"
    AuthDigestProvider file
    AuthUserFile "%s"
    Require valid-user
</Location>
""" % (DIGEST_REALM, htdigest))
if not c.check(apache_restart(), "Apache restarts with a Digest-protected /digest"):
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
# Digest: a wrong password (AH01794) and an unknown user (AH01790), each on a fresh connection.
try:
    import requests
    from requests.auth import HTTPDigestAuth
except ImportError:
    requests = None
if c.check(requests is not None, "python3-requests is installed (the Digest client)"):
    xff = {"X-Forwarded-For": FORWARDED_CLIENT} if FORWARDED_CLIENT else {}
    base = os.environ["BASE_URL"].rstrip("/")
    for i in range(N):
        r = requests.get(base + "/digest/", auth=HTTPDigestAuth("alice", "wrong-%d" % i), headers=xff, timeout=30)
        c.check(r.status_code == 401, "Digest: wrong password for alice: 401 (got %d)" % r.status_code)
    for i in range(N):
        r = requests.get(base + "/digest/", auth=HTTPDigestAuth("nodigestuser%d" % i, "x"), headers=xff, timeout=30)
        c.check(r.status_code == 401, "Digest: unknown user: 401 (got %d)" % r.status_code)
    r = requests.get(base + "/digest/", auth=HTTPDigestAuth("alice", "alicepw"), headers=xff, timeout=30)
    c.check(r.status_code == 404, "Digest: alice's right password gets past authentication (404, got %d)"
            % r.status_code)
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
    "AH01794": sum("AH01794:" in l for l in failures),
    "AH01790": sum("AH01790:" in l for l in failures),
    "caldav: denied": sum("caldav: denied" in l for l in failures) - untrusted,
}
for k, n in kinds.items():
    c.check(n == N, "error log has %d `%s` lines (want %d)" % (n, k, N),
            detail="\n".join(failures[-20:]))

# ---------------------------------------------------------------------------------------
# fail2ban-regex over the whole error log: exactly 5N matches, all for the real client.
cmd = [FAIL2BAN_REGEX, ERROR_LOG, FILTER]
res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
out = res.stdout
c.check(res.returncode == 0, "%s exits 0" % " ".join(cmd), detail=out[-3000:])
m = re.search(r"Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed", out)
if c.check(m is not None, "fail2ban-regex prints its Lines: summary", detail=out[-3000:]):
    total, ignored, matched, missed = map(int, m.groups())
    c.info("fail2ban-regex: %d lines, %d matched, %d missed, %d ignored" % (total, matched, missed, ignored))
    c.check(matched == 5 * N + untrusted, "fail2ban-regex matched %d lines, want exactly %d (%d of each kind)"
            % (matched, 5 * N + untrusted, N), detail=out[-3000:])
# Per failregex hits: each of the five kinds is counted N times.
hits = [int(h) for h in re.findall(r"^\|\s+\d+\) \[(\d+)\] ", out, re.M)]
c.info("hits per failregex: %s" % hits)

res = subprocess.run(cmd[:1] + ["-o", "ip"] + cmd[1:], stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, text=True)
ips = [l.strip() for l in res.stdout.splitlines() if l.strip()]
want = sorted([BANNED] * 5 * N + ["127.0.0.2"] * untrusted)
c.check(sorted(ips) == want, "every match bans %s%s (got %d: %s)"
        % (BANNED, ", the untrusted probe 127.0.0.2" if untrusted else "", len(ips), sorted(set(ips))),
        detail=res.stdout[-2000:])

# ---------------------------------------------------------------------------------------
# A running fail2ban-server with the shipped jail bans the address.
F2B_CLIENT = shutil.which("fail2ban-client") or "/usr/bin/fail2ban-client"
NFT = shutil.which("nft") or ("/usr/sbin/nft" if os.path.exists("/usr/sbin/nft") else None)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60, **kw)


def nft_usable():
    if not NFT or os.geteuid() != 0:
        return False
    return run([NFT, "list", "tables"]).returncode == 0


def connect_refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=3).close()
        return False
    except OSError:
        return True


if not os.path.exists(F2B_CLIENT) or not os.path.isdir("/etc/fail2ban"):
    c.info("fail2ban-client or /etc/fail2ban missing: the fail2ban-server ban is not tested")
    c.finish()

f2b = os.path.abspath("fail2ban")
shutil.rmtree(f2b, ignore_errors=True)
conf = os.path.join(f2b, "etc")
# Debian's configuration (jail.conf, paths-*.conf, action.d, filter.d), without jail.d (Debian's
# sshd jail) and fail2ban.d, then the shipped filter and jail as the package installs them.
shutil.copytree("/etc/fail2ban", conf, ignore=shutil.ignore_patterns("jail.d", "fail2ban.d", "*.local"))
os.makedirs(os.path.join(conf, "jail.d"))
shutil.copy(FILTER, os.path.join(conf, "filter.d", "caldav.conf"))
shutil.copy(JAIL, os.path.join(conf, "jail.d", "caldav.conf"))
sock, pidfile = os.path.join(f2b, "fail2ban.sock"), os.path.join(f2b, "fail2ban.pid")
with open(os.path.join(conf, "fail2ban.local"), "w") as f:
    f.write("[Definition]\nloglevel = INFO\nlogtarget = %s\nsocket = %s\npidfile = %s\ndbfile = :memory:\n"
            % (os.path.join(f2b, "fail2ban.log"), sock, pidfile))
port = urllib.parse.urlsplit(os.environ["BASE_URL"]).port or 80
use_nft = nft_usable()
table = "f2b-caldav-test-%d" % os.getpid()
# The test's changes to the shipped jail: this Apache's log and port, and 127.0.0.1 may be banned
# (fail2ban ignores the machine's own addresses by default). Nothing else: banaction, filter,
# maxretry and findtime are the shipped ones.
override = ("[caldav]\nenabled = true\nlogpath = %s\nport = %d\nbackend = polling\nignoreself = false\nignoreip =\n"
            % (ERROR_LOG, port))
if use_nft:
    # The shipped banaction in a table of this test's own, removed by the action when the server stops.
    with open(os.path.join(conf, "action.d", "nftables-common.local"), "w") as f:
        f.write("[Init]\ntable = %s\n" % table)
else:
    override += "banaction = dummy\nbanaction_allports = dummy\n"
    c.info("nft is not usable here: the server's ban runs with banaction = dummy")
with open(os.path.join(conf, "jail.d", "zz-test.local"), "w") as f:
    f.write(override)

f2b_cmd = [F2B_CLIENT, "-c", conf, "-s", sock, "-p", pidfile]
dump = run(f2b_cmd + ["-d"])
c.check(dump.returncode == 0, "fail2ban-client -d parses the shipped jail and filter", detail=dump.stdout[-3000:])
if use_nft:
    c.check(re.search(r"'caldav', 'action', 'nftables-multiport'", dump.stdout) is not None,
            "the caldav jail's action is the shipped banaction nftables-multiport", detail=dump.stdout[-3000:])
try:
    started = run(f2b_cmd + ["-x", "start"])
    c.check(started.returncode == 0, "fail2ban-client start (fail2ban-server in the background)",
            detail=started.stdout[-2000:])
    status = ""
    for _ in range(150):
        status = run(f2b_cmd + ["status", "caldav"]).stdout
        if re.search(r"Banned IP list:.*\b%s\b" % re.escape(BANNED), status):
            break
        time.sleep(0.2)
    c.check(re.search(r"Banned IP list:.*\b%s\b" % re.escape(BANNED), status) is not None,
            "fail2ban-client status caldav lists %s as banned" % BANNED,
            detail=status + "\n" + read_log(os.path.join(f2b, "fail2ban.log"))[-3000:])
    if use_nft:
        # The status lists the ban as soon as it is decided; the action runs right after.
        for _ in range(100):
            nft_table = run([NFT, "list", "table", "inet", table]).stdout
            if re.search(r"elements = \{[^}]*\b%s\b" % re.escape(BANNED), nft_table):
                break
            time.sleep(0.1)
        c.check(re.search(r"elements = \{[^}]*\b%s\b" % re.escape(BANNED), nft_table) is not None,
                "%s is in the nftables set of the jail (table inet %s)" % (BANNED, table),
                detail=nft_table + read_log(os.path.join(f2b, "fail2ban.log"))[-2000:])
        if not FORWARDED_CLIENT:
            c.check(connect_refused(port), "the ban holds: a new connection to Apache's port %d is refused" % port)
    c.info(status.strip())
finally:
    stopped = run(f2b_cmd + ["stop"])
    c.check(stopped.returncode == 0, "fail2ban-client stop", detail=stopped.stdout[-2000:])
    if use_nft:
        for _ in range(50):
            if run([NFT, "list", "table", "inet", table]).returncode != 0:
                break
            time.sleep(0.1)
        left = run([NFT, "list", "table", "inet", table]).returncode == 0
        c.check(not left, "the jail's nftables table is gone once fail2ban stops")
        if left:
            run([NFT, "delete", "table", "inet", table])
if use_nft and not FORWARDED_CLIENT:
    c.check(not connect_refused(port), "after the unban Apache's port accepts connections again")

c.finish()
