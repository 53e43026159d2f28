#!/usr/bin/python3
"""bench.py: the benchmark's driver (run.sh calls it). Starts every selected server, loads the
generated data and runs each scenario on all servers in turn (interleaved), then writes raw JSON.

Usage: bench.py --mode smoke|quick|full --servers a,b --data DIR --work DIR --load BIN --out FILE
A server that fails to start, a scenario it does not support, or data it could not load in time
is recorded as n/a with the reason. Any error or wrong answer makes the exit status non-zero
(after the JSON is written); in smoke mode so does a server that did not start or a scenario
mod_caldav could not run.
"""

import argparse
import base64
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
AUTH = "Basic " + base64.b64encode(b"bench:bench").decode()
XML = "Content-Type: application/xml; charset=utf-8"

# Per mode: data sizes, seconds per timed scenario, counts for PUT, mixed-profile shape.
MODES = {
    "smoke": dict(sizes=[250, 600], cards=200, new=300, seconds=1, put1=50, put8=200,
                  mixed_clients=10, mixed_seconds=3, load_cap=60),
    "quick": dict(sizes=[1000, 10000], cards=5000, new=3000, seconds=4, put1=300, put8=1500,
                  mixed_clients=100, mixed_seconds=15, load_cap=45),
    "full": dict(sizes=[1000, 10000, 100000], cards=5000, new=8000, seconds=10, put1=1000,
                 put8=5000, mixed_clients=100, mixed_seconds=60, load_cap=300),
}


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class NA(Exception):
    """A scenario that does not apply to (or could not run on) a server: 'n/a' in the table."""


# ---- process accounting ---------------------------------------------------------------------

def process_tree(root):
    """PIDs of root and all its descendants, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def cpu_ticks(root):
    """utime+stime (+ reaped children's) of the whole tree, in clock ticks."""
    total = 0
    for p in process_tree(root):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])
        except (OSError, IndexError, ValueError):
            pass
    return total


def tree_rss(root):
    """(total KB, number of processes, largest process KB, total RssAnon KB) from /proc.
    RssAnon leaves out shared file pages (the binary, libraries, mapped files)."""
    sizes, anon = [], 0
    for p in process_tree(root):
        try:
            with open(f"/proc/{p}/status") as f:
                status = f.read()
        except OSError:
            continue
        m = re.search(r"^VmRSS:\s+(\d+)", status, re.M)
        sizes.append(int(m.group(1)) if m else 0)
        m = re.search(r"^RssAnon:\s+(\d+)", status, re.M)
        anon += int(m.group(1)) if m else 0
    return sum(sizes), len(sizes), max(sizes, default=0), anon


# ---- servers --------------------------------------------------------------------------------

class Server:
    def __init__(self, name, work):
        self.name = name
        self.script = os.path.join(HERE, "servers", name + ".sh")
        self.dir = os.path.join(work, name)
        self.info = {}
        self.down = None  # reason when it could not start
        self.loaded = 0  # events of the data set loaded, in order
        self.items = 0  # objects stored in all
        self.broken = None  # reason when loading failed: later calendar scenarios are n/a

    def start(self):
        if not os.path.exists(self.script):
            self.down = "no script servers/%s.sh" % self.name
            return
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        port = free_port()
        try:
            p = subprocess.run(["bash", self.script, "start", self.dir, str(port)],
                               capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            self.down = "start timed out"
            return
        if p.returncode != 0:
            self.down = "start failed: " + (p.stderr.strip().splitlines() or ["?"])[-1][:200]
            log(self.name, "failed to start:\n" + p.stderr[-2000:])
            return
        for line in p.stdout.splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                self.info[k.strip()] = v.strip()
        if "calendar" not in self.info or "pid" not in self.info:
            self.down = "start printed no calendar= or pid="
            return
        u = urlsplit(self.info["calendar"])
        self.host, self.port = u.hostname, u.port or 80
        self.calendar = u.path if u.path.endswith("/") else u.path + "/"
        ab = self.info.get("addressbook")
        self.addressbook = None
        if ab:
            ab = urlsplit(ab).path
            self.addressbook = ab if ab.endswith("/") else ab + "/"
        self.plain = "files" in self.info  # plain WebDAV: no REPORTs
        with open(self.script) as f:  # peers may offer `load DIR SRCDIR` (their on-disk format)
            self.bulk = re.search(r"^\s*load\)", f.read(), re.M) is not None
        self.pid = int(self.info["pid"])
        log(self.name, "up on port", self.port, self.info.get("version", ""))

    def stop(self):
        if os.path.exists(self.script) and not self.down:
            subprocess.run(["bash", self.script, "stop", self.dir], timeout=120,
                           capture_output=True)

    def script_rss(self):
        p = subprocess.run(["bash", self.script, "rss", self.dir], capture_output=True,
                           text=True, timeout=60)
        try:
            return int(p.stdout.split()[0])
        except (IndexError, ValueError):
            return None

    def request(self, method, path, body=b"", headers=None):
        """One request from Python, for setup steps (tokens, the 10 changes)."""
        c = http.client.HTTPConnection(self.host, self.port, timeout=300)
        h = {"Authorization": AUTH}
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data


# ---- the load client ------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.cfg = MODES[args.mode]
        with open(os.path.join(args.data, "manifest.json")) as f:
            self.m = json.load(f)
        self.work = args.work
        self.results = {}
        self.order = []
        self.rng = random.Random(7)

    def write_list(self, srv, tag, lines):
        path = os.path.join(srv.dir + ".lists", tag + ".txt")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            for fields in lines:
                f.write("\t".join(fields) + "\n")
        return path

    def write_file(self, srv, name, text):
        path = os.path.join(srv.dir + ".lists", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def load(self, srv, listfile, *opts, timeout=None):
        """Run the load client against srv; adds server CPU per request to its JSON."""
        cmd = [self.args.load, "--host", srv.host, "--port", str(srv.port), *opts]
        if listfile:
            cmd += ["--list", listfile]
        before = cpu_ticks(srv.pid)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout or 7200)
        after = cpu_ticks(srv.pid)
        if p.returncode != 0:
            raise NA("load client failed: " + p.stderr.strip()[:200])
        res = json.loads(p.stdout)
        ms_per_tick = 1000.0 / os.sysconf("SC_CLK_TCK")
        res["cpu_ms_per_req"] = (after - before) * ms_per_tick / max(res["requests"], 1)
        return res

    def put_lines(self, srv, kind, uids):
        base, sub, ext, ctype = ((srv.calendar, "events", ".ics", "text/calendar; charset=utf-8")
                                 if kind != "cards" else
                                 (srv.addressbook, "cards", ".vcf", "text/vcard; charset=utf-8"))
        sub = "new" if kind == "new" else sub
        return [["PUT", base + u + ext, "201,204", os.path.join(self.args.data, sub, u + ext), "-",
                 "Content-Type: " + ctype] for u in uids]

    # ---- scenario plumbing ----

    def scenario(self, key, title, fn, servers):
        """Run fn(srv) on every server in turn; record result or n/a."""
        self.order.append((key, title))
        self.results[key] = {}
        for srv in servers:
            if srv.down:
                self.results[key][srv.name] = {"na": srv.down}
                continue
            try:
                res = fn(srv)
            except NA as e:
                res = {"na": str(e)}
            except (subprocess.TimeoutExpired, OSError, ValueError) as e:
                res = {"na": "harness error: %s" % e}
            if ("na" not in res and res["requests"] and res["errors"] == res["requests"]
                    and re.search(r"status (403|405|501)\b", res["first_error"])
                    and "REPORT" in res["first_error"]):
                # Every request refused as unsupported: the server lacks the feature.
                res = {"na": "not supported: " + res["first_error"][:160]}
            self.results[key][srv.name] = res
            if "na" in res:
                log(f"{key} {srv.name}: n/a ({res['na']})")
            else:
                log(f"{key} {srv.name}: {res['rps']:.1f} req/s p50 {res['p50_ms']:.2f} ms "
                    f"p99 {res['p99_ms']:.2f} ms errors {res['errors']} wrong {res['wrong']}"
                    + (f" [{res['first_error'] or res['first_wrong']}]"
                       if res['errors'] or res['wrong'] else ""))

    def need_caldav(self, srv, n=None):
        if srv.plain:
            raise NA("plain WebDAV: no CalDAV REPORTs")
        self.need_loaded(srv, n)

    def need_loaded(self, srv, n):
        if srv.broken:
            raise NA(srv.broken)
        if n is not None and srv.loaded < n:
            raise NA(f"only {srv.loaded} events loaded")

    # ---- scenarios ----

    def load_events(self, srv, n):
        """PUT events[loaded:n] with 4 connections (also a figure of its own)."""
        self.need_loaded(srv, None)
        todo = self.m["events"][srv.loaded:n]
        if not todo:
            raise NA("nothing to load")
        lst = self.write_list(srv, f"load-{n}", self.put_lines(srv, "events", todo))
        res = self.load(srv, lst, "--conns", "4", "--max-seconds", str(self.cfg["load_cap"]))
        # Requests are started in list order and each started one completes, so the first
        # res["requests"] events are the ones sent.
        done = res["requests"] - res["errors"]
        srv.items += done
        if res["errors"]:
            srv.broken = "loading failed: " + res["first_error"][:150]
        elif res["requests"] < len(todo):
            rest = todo[res["requests"]:]
            if self.bulk_load(srv, "load", "events", ".ics", rest):
                res["note"] = (f"{res['requests']} by PUT within {self.cfg['load_cap']} s, "
                               f"{len(rest)} more written to its storage directly")
                srv.items += len(rest)
                srv.loaded = n
            else:
                srv.broken = (f"loading {n} events took over {self.cfg['load_cap']} s "
                              f"({srv.loaded + done} loaded)")
                srv.loaded += done
        else:
            srv.loaded = n
        return res

    def too_slow_for(self, srv, big, mid):
        """A server whose query at `mid` already takes over 2 s would need minutes per request
        at `big`: skip it there rather than stall the whole run."""
        r = self.results.get(f"query_{mid}", {}).get(srv.name, {})
        if "na" not in r and r.get("p50_ms", 0) > 2000:
            raise NA(f"skipped at {big}: calendar-query at {mid} already took "
                     f"{r['p50_ms'] / 1000:.1f} s")

    def bulk_load(self, srv, command, sub, ext, uids):
        """The peer script's `load`/`load-cards DIR SRCDIR` (its on-disk format), for data that
        PUT could not load in time; SRCDIR holds hard links to just these objects."""
        if not srv.bulk:
            return False
        stage = os.path.join(srv.dir + ".lists", f"stage-{command}-{len(uids)}-{srv.loaded}")
        shutil.rmtree(stage, ignore_errors=True)
        os.makedirs(stage)
        for u in uids:
            os.link(os.path.join(self.args.data, sub, u + ext), os.path.join(stage, u + ext))
        log(f"{srv.name}: bulk-loading {len(uids)} {sub} through its script")
        p = subprocess.run(["bash", srv.script, command, srv.dir, stage], capture_output=True,
                           text=True, timeout=3600)
        if p.returncode != 0:
            log(f"{srv.name}: bulk load failed: {p.stderr.strip()[-300:]}")
            return False
        return True

    def query_body(self, window):
        start, end = window
        return ('<?xml version="1.0" encoding="utf-8"?>\n<C:calendar-query xmlns:D="DAV:" '
                'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter>'
                '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
                f'<C:time-range start="{start}" end="{end}"/></C:comp-filter></C:comp-filter>'
                '</C:filter></C:calendar-query>')

    def timed(self, srv, tag, lines, conns=1, extra=()):
        lst = self.write_list(srv, tag, lines)
        # One untimed request first (its answer still counts): a slow server's first request
        # can fill caches for seconds, which would otherwise be most of a short run's samples.
        warm = self.load(srv, lst, "--count", "1")
        res = self.load(srv, lst, "--conns", str(conns), "--duration", str(self.cfg["seconds"]),
                        *extra)
        res["errors"] += warm["errors"]
        res["wrong"] += warm["wrong"]
        res["first_error"] = res["first_error"] or warm["first_error"]
        res["first_wrong"] = res["first_wrong"] or warm["first_wrong"]
        res["warmup_ms"] = warm["p50_ms"]
        return res

    def calendar_query(self, srv, n, scaled=False):
        """The one-week query at n events; scaled: the window whose answer at n is about the
        size of the one-week answer at the smallest n (generate.py's scaled_window)."""
        self.need_caldav(srv, n)
        if scaled:
            scaled_query = self.m["scaled_query"][str(n)]
            tag, window, expected = f"scaled-{n}", scaled_query["window"], scaled_query["expected"]
        else:
            tag, window, expected = f"query-{n}", self.m["window"], self.m["query_expected"][str(n)]
        body = self.write_file(srv, tag + ".xml", self.query_body(window))
        want = self.write_file(srv, tag + ".hrefs", "".join(srv.calendar + u + ".ics\n" for u in expected))
        res = self.timed(srv, tag, [["REPORT", srv.calendar, "207", body, want, "Depth: 1", XML]])
        res["matches"] = len(expected)
        return res

    def loaded_hrefs(self, srv):
        return [srv.calendar + u + ".ics" for u in self.m["events"][:srv.loaded]]

    def propfind(self, srv, n):
        self.need_loaded(srv, n)
        body = self.write_file(srv, "propfind.xml",
                               '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:">'
                               '<D:prop><D:getetag/><D:getcontenttype/><D:getcontentlength/>'
                               '</D:prop></D:propfind>')
        want = self.write_file(srv, "propfind.hrefs",
                               "\n".join([srv.calendar] + self.loaded_hrefs(srv)) + "\n")
        return self.timed(srv, "propfind", [["PROPFIND", srv.calendar, "207", body, want,
                                             "Depth: 1", XML]])

    def multiget(self, srv, n):
        self.need_caldav(srv, n)
        hrefs = self.loaded_hrefs(srv)
        lines = []
        for i in range(20):  # 20 different sets of 100 hrefs, cycled
            pick = self.rng.sample(hrefs, min(100, len(hrefs)))
            body = self.write_file(srv, f"multiget-{i}.xml",
                                   '<?xml version="1.0" encoding="utf-8"?>\n<C:calendar-multiget '
                                   'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>'
                                   '<D:getetag/><C:calendar-data/></D:prop>'
                                   + "".join(f"<D:href>{h}</D:href>" for h in pick)
                                   + "</C:calendar-multiget>")
            want = self.write_file(srv, f"multiget-{i}.hrefs", "\n".join(pick) + "\n")
            lines.append(["REPORT", srv.calendar, "207", body, want, "Depth: 1", XML])
        return self.timed(srv, "multiget", lines)

    @staticmethod
    def sync_body(token):
        return ('<?xml version="1.0" encoding="utf-8"?>\n<D:sync-collection xmlns:D="DAV:">'
                f'<D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>'
                '<D:prop><D:getetag/></D:prop></D:sync-collection>')

    def sync_initial(self, srv, n):
        self.need_caldav(srv, n)
        body = self.write_file(srv, "sync-initial.xml", self.sync_body(""))
        want = self.write_file(srv, "sync-initial.hrefs", "\n".join(self.loaded_hrefs(srv)) + "\n")
        return self.timed(srv, "sync-initial", [["REPORT", srv.calendar, "207", body, want,
                                                 "Depth: 1", XML]])

    def sync_incremental(self, srv, n):
        """Token from an initial sync, then 10 events changed; the answer must be those 10."""
        self.need_caldav(srv, n)
        status, data = srv.request("REPORT", srv.calendar, self.sync_body("").encode(),
                                   {"Depth": "1", "Content-Type": "application/xml"})
        tokens = re.findall(rb"<(?:\w+:)?sync-token>([^<]+)<", data)
        if status != 207 or not tokens:
            raise NA(f"initial sync-collection gave {status} without a token")
        changed = self.rng.sample(self.m["events"][:srv.loaded], 10)
        for uid in changed:
            with open(os.path.join(self.args.data, "events", uid + ".ics"), "rb") as f:
                ics = f.read().replace(b"SUMMARY:", b"SUMMARY:Changed ", 1)
            st, _ = srv.request("PUT", srv.calendar + uid + ".ics", ics,
                                {"Content-Type": "text/calendar; charset=utf-8"})
            if st not in (200, 201, 204):
                raise NA(f"changing {uid} gave {st}")
        body = self.write_file(srv, "sync-incr.xml", self.sync_body(tokens[-1].decode()))
        want = self.write_file(srv, "sync-incr.hrefs",
                               "".join(srv.calendar + u + ".ics\n" for u in changed))
        return self.timed(srv, "sync-incr", [["REPORT", srv.calendar, "207", body, want,
                                              "Depth: 1", XML]])

    def get(self, srv, n):
        self.need_loaded(srv, n)
        lines = [["GET", h, "200", "-", "-"] for h in self.loaded_hrefs(srv)]
        return self.timed(srv, "get", lines, conns=8, extra=("--random",))

    def put(self, srv, first, count, conns):
        self.need_loaded(srv, None)
        uids = self.m["new"][first:first + count]
        lst = self.write_list(srv, f"put-{conns}", self.put_lines(srv, "new", uids))
        res = self.load(srv, lst, "--conns", str(conns), "--max-seconds",
                        str(max(20, self.cfg["seconds"] * 5)))
        srv.items += res["requests"] - res["errors"]
        return res

    def load_cards(self, srv):
        if not srv.addressbook:
            raise NA("no address book")
        lst = self.write_list(srv, "cards", self.put_lines(srv, "cards", self.m["cards"]))
        res = self.load(srv, lst, "--conns", "4", "--max-seconds", str(self.cfg["load_cap"]))
        srv.items += res["requests"] - res["errors"]
        srv.cards_ok = res["errors"] == 0 and res["requests"] == len(self.m["cards"])
        if res["errors"] == 0 and not srv.cards_ok:
            rest = self.m["cards"][res["requests"]:]
            srv.cards_ok = self.bulk_load(srv, "load-cards", "cards", ".vcf", rest)
            if srv.cards_ok:
                srv.items += len(rest)
                res["note"] = (f"{res['requests']} by PUT within {self.cfg['load_cap']} s, "
                               f"{len(rest)} more written to its storage directly")
        return res

    def abquery(self, srv, prop, needle, expected):
        if not srv.addressbook or not getattr(srv, "cards_ok", False):
            raise NA("no address book" if not srv.addressbook else "cards not loaded")
        body = self.write_file(srv, f"ab-{prop}.xml",
                               '<?xml version="1.0" encoding="utf-8"?>\n<C:addressbook-query '
                               'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop>'
                               f'<D:getetag/></D:prop><C:filter><C:prop-filter name="{prop}">'
                               '<C:text-match collation="i;unicode-casemap" match-type="contains">'
                               f'{needle}</C:text-match></C:prop-filter></C:filter>'
                               '</C:addressbook-query>')
        want = self.write_file(srv, f"ab-{prop}.hrefs",
                               "".join(srv.addressbook + u + ".vcf\n" for u in expected))
        res = self.timed(srv, f"ab-{prop}", [["REPORT", srv.addressbook, "207", body, want,
                                              "Depth: 1", XML]])
        res["matches"] = len(expected)
        return res

    def mixed(self, srv):
        self.need_caldav(srv, None)
        return self.load(srv, None, "--mixed", "--calendar", srv.calendar, "--clients",
                         str(self.cfg["mixed_clients"]), "--duration",
                         str(self.cfg["mixed_seconds"]), "--think-ms", "500",
                         "--put-percent", "10")

    def scaled_title(self, n):
        start, end = (datetime.strptime(t, "%Y%m%dT%H%M%SZ") for t in self.m["scaled_query"][str(n)]["window"])
        return (f"calendar-query at {n}, answer the size of the one-week one at {self.cfg['sizes'][0]} "
                f"({(end - start).total_seconds() / 3600:.1f}-hour window)")

    # ---- the whole run ----

    def run(self, servers):
        sizes = self.cfg["sizes"]
        small, mid = sizes[0], sizes[1]
        S = self.scenario
        S(f"load_{small}", f"Load {small} events (PUT, 4 conns)", lambda s: self.load_events(s, small), servers)
        S(f"query_{small}", f"calendar-query one week at {small}", lambda s: self.calendar_query(s, small), servers)
        S(f"load_{mid}", f"Load up to {mid} events (PUT, 4 conns)", lambda s: self.load_events(s, mid), servers)
        S(f"query_{mid}", f"calendar-query one week at {mid}", lambda s: self.calendar_query(s, mid), servers)
        S(f"scaled_query_{mid}", self.scaled_title(mid), lambda s: self.calendar_query(s, mid, True), servers)
        S("propfind", f"PROPFIND Depth 1 on {mid} (getetag, getcontenttype, getcontentlength)", lambda s: self.propfind(s, mid), servers)
        S("multiget", "calendar-multiget of 100 hrefs", lambda s: self.multiget(s, mid), servers)
        S("sync_initial", f"sync-collection initial at {mid}", lambda s: self.sync_initial(s, mid), servers)
        S("sync_incremental", "sync-collection incremental after 10 changes", lambda s: self.sync_incremental(s, mid), servers)
        S("get_8", "GET random events, 8 conns", lambda s: self.get(s, mid), servers)
        p1, p8 = self.cfg["put1"], self.cfg["put8"]
        S("put_1", f"PUT {p1} new events, 1 conn", lambda s: self.put(s, 0, p1, 1), servers)
        S("put_8", f"PUT {p8} new events, 8 conns", lambda s: self.put(s, p1, p8, 8), servers)
        if len(sizes) > 2:
            big = sizes[2]
            S(f"load_{big}", f"Load up to {big} events (PUT, 4 conns)",
              lambda s: self.too_slow_for(s, big, mid) or self.load_events(s, big), servers)
            S(f"query_{big}", f"calendar-query one week at {big}", lambda s: self.calendar_query(s, big), servers)
            S(f"scaled_query_{big}", self.scaled_title(big), lambda s: self.calendar_query(s, big, True), servers)
        S("load_cards", f"Load {len(self.m['cards'])} vCards (PUT, 4 conns)", self.load_cards, servers)
        S("abquery_fn", f"addressbook-query FN contains '{self.m['fn_needle']}'",
          lambda s: self.abquery(s, "FN", self.m["fn_needle"], self.m["fn_expected"]), servers)
        S("abquery_email", f"addressbook-query EMAIL contains '{self.m['email_needle']}'",
          lambda s: self.abquery(s, "EMAIL", self.m["email_needle"], self.m["email_expected"]), servers)
        S("mixed", f"Mixed profile: {self.cfg['mixed_clients']} sync clients, {self.cfg['mixed_seconds']} s",
          self.mixed, servers)


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            model = m.group(1) if m else model
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": os.uname().release}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=MODES, default="quick")
    ap.add_argument("--servers", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--load", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    bench = Bench(args)
    servers = [Server(n, args.work) for n in args.servers.split(",") if n]
    try:
        for s in servers:
            s.start()
        bench.run(servers)
        info = {}
        for s in servers:
            if s.down:
                info[s.name] = {"na": s.down}
                continue
            total, nproc, largest, anon = tree_rss(s.pid)
            du = subprocess.run(["du", "-sk", s.dir], capture_output=True, text=True)
            kb = int(du.stdout.split()[0]) if du.returncode == 0 else None
            info[s.name] = {"version": s.info.get("version", "?"), "rss_kb": s.script_rss(),
                            "tree_rss_kb": total, "processes": nproc, "largest_kb": largest,
                            "anon_kb": anon,
                            "storage_kb": kb, "items": s.items,
                            "broken": s.broken}
    finally:
        for s in servers:
            s.stop()
    out = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "mode": args.mode,
           "machine": machine(), "config": MODES[args.mode], "servers": info,
           "scenarios": [{"key": k, "title": t, "results": bench.results[k]}
                         for k, t in bench.order]}
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
    bad = [(sc["key"], n, r) for sc in out["scenarios"] for n, r in sc["results"].items()
           if "na" not in r and (r["errors"] or r["wrong"])]
    for key, name, r in bad:
        log(f"FAILED {key} on {name}: {r['errors']} errors, {r['wrong']} wrong answers: "
            f"{r['first_error'] or r['first_wrong']}")
    if args.mode == "smoke":
        for sc in out["scenarios"]:
            for name, r in sc["results"].items():
                if "na" in r and (name == "mod_caldav" or r["na"] in info.get(name, {}).get("na", "")):
                    log(f"FAILED {sc['key']} on {name}: n/a ({r['na']})")
                    bad.append(sc["key"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
