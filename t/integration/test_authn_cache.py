#!/usr/bin/python3
"""test_authn_cache.py: the caldav_cache authn provider (AuthBasicProvider caldav_cache, the README's
setup; run.sh sets CalDAVAuthnCacheTimeout 3 for this test): a password AuthUserFile verified is
trusted for the timeout, then checked again; a new password works at once; a wrong one never; the
entry of one <Location> (its own AuthUserFile) opens no other; and with the cache a GET costs the
server far less CPU than bcrypt on every request (the reason it exists).

Run through t/integration/run.sh (needs BASE_URL, APACHE_DIR, APACHE_SH).
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from davclient import Checks, Client, apache_restart

TIMEOUT = 3
c = Checks("authn-cache")
apache_dir = os.environ["APACHE_DIR"]
htpasswd = os.path.join(apache_dir, "htpasswd")


def set_password(path, user, password, create=False):
    subprocess.run(["htpasswd", "-B", "-b"] + (["-c"] if create else []) + [path, user, password],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.chmod(path, 0o644)


def status(user, password, path="/caldav/"):
    client = Client(user, password)
    r = client.request("PROPFIND", path, depth=0) if path.startswith("/caldav") else client.request("GET", path)
    client.close()
    return r.status


# A second section with a password file of its own, where alice has another password.
other = os.path.join(apache_dir, "other.htpasswd")
set_password(other, "alice", "other-secret", create=True)
with open(os.path.join(apache_dir, "httpd.conf"), "a") as f:
    f.write("""
# test_authn_cache.py: another section, another password file
<Location /other>
    AuthType Basic
    AuthName "mod_caldav test"
    AuthBasicProvider caldav_cache
    AuthUserFile "%s"
    Require valid-user
</Location>
""" % other)
if not c.check(apache_restart(), "Apache restarts with a second section using caldav_cache"):
    c.finish()

c.check(status("alice", "alicepw") == 207, "alice's password: 207 (now cached)")
c.check(status("alice", "wrong") == 401, "a wrong password for alice: 401, cached entry or not")
c.check(status("nobody", "alicepw") == 401, "alice's password for another user name: 401")
# The entry of /caldav opens nothing else, even for the same user and realm.
c.check(status("alice", "alicepw", "/other/") == 401, "alice's /caldav password on /other (its own file): 401")
c.check(status("alice", "other-secret", "/other/") == 404, "alice's /other password on /other: past auth (404)")
c.check(status("alice", "other-secret") == 401, "alice's /other password on /caldav: 401")

# The trade: a changed password keeps working until its entry expires; the new one at once.
set_password(htpasswd, "alice", "newpw")
changed_at = time.monotonic()
c.check(status("alice", "alicepw") == 207, "after the change, the old password still works while cached")
c.check(status("alice", "newpw") == 207, "the new password works at once")
c.check(status("bob", "bobpw") == 207, "bob is not affected")
time.sleep(max(0.0, TIMEOUT + 0.5 - (time.monotonic() - changed_at)))
c.check(status("alice", "alicepw") == 401, "the old password is refused once its entry expired (%d s)" % TIMEOUT)
c.check(status("alice", "newpw") == 207, "the new password still works")

# Why: with the cache, keep-alive GETs cost the server no bcrypt. 200 requests on one connection,
# server CPU from /proc (the one child and the parent), against the same with a cache lifetime of 0.
def cpu_ms_per_request(n=200):
    def ticks():
        total = 0
        pid = open(os.path.join(apache_dir, "httpd.pid")).read().strip()
        kids = subprocess.run(["ps", "--ppid", pid, "-o", "pid="], stdout=subprocess.PIPE, text=True).stdout.split()
        for p in [pid] + kids:
            try:
                fields = open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                pass
        return total
    client = Client("alice", "newpw")
    client.request("PROPFIND", "/caldav/", depth=0)
    before = ticks()
    for _ in range(n):
        client.request("PROPFIND", "/caldav/", depth=0)
    after = ticks()
    client.close()
    return (after - before) * 1000.0 / os.sysconf("SC_CLK_TCK") / n


cached = cpu_ms_per_request()
conf = os.path.join(apache_dir, "httpd.conf")
text = open(conf).read()
open(conf, "w").write(text.replace("CalDAVAuthnCacheTimeout %d" % TIMEOUT, "CalDAVAuthnCacheTimeout 0"))
if c.check(apache_restart(), "Apache restarts with CalDAVAuthnCacheTimeout 0 (no cache)"):
    c.check(status("alice", "alicepw") == 401 and status("alice", "newpw") == 207,
            "without the cache the file decides every request")
    uncached = cpu_ms_per_request()
    c.info("server CPU per PROPFIND: %.3f ms with the cache, %.3f ms with bcrypt on every request"
           % (cached, uncached))
    c.check(cached * 3 < uncached, "the cache saves the bcrypt check: %.3f ms against %.3f ms per request"
            % (cached, uncached))
c.finish()
