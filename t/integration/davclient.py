"""davclient.py: the small HTTP/WebDAV client and check-reporting helpers shared by the
integration tests in t/integration/ (standard library only).

The tests get the server from the environment that run.sh sets: BASE_URL
(http://127.0.0.1:PORT), APACHE_DIR (its config, logs and data), APACHE_SH (apache.sh).
"""

import base64
import http.client
import os
import re
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ET

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CARDDAV = "urn:ietf:params:xml:ns:carddav"

BODY_SHOWN = 1500  # bytes of a body shown in a failure report


def base_url():
    url = os.environ.get("BASE_URL")
    if not url:
        sys.exit("BASE_URL is not set: run this test through t/integration/run.sh")
    return url.rstrip("/")


class Response:
    """One HTTP exchange: the request sent and the response received."""

    def __init__(self, method, path, req_headers, req_body, status, reason, headers, body):
        self.method = method
        self.path = path
        self.req_headers = req_headers
        self.req_body = req_body
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (name, value) as received
        self.body = body

    def header(self, name, default=None):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return default

    def text(self):
        return self.body.decode("utf-8", "replace")

    def xml(self):
        """The body parsed as XML (raises ET.ParseError)."""
        return ET.fromstring(self.body)

    def describe(self):
        """A readable transcript of the exchange, for failure reports."""
        lines = ["    > %s %s" % (self.method, self.path)]
        for k, v in self.req_headers.items():
            if k.lower() == "authorization":
                v = "Basic <%s>" % base64.b64decode(v.split()[1]).decode().split(":")[0]
            lines.append("    > %s: %s" % (k, v))
        if self.req_body:
            lines.append("    >")
            lines += ["    > " + l for l in _excerpt(self.req_body).splitlines()]
        lines.append("    < %s %s" % (self.status, self.reason))
        for k, v in self.headers:
            lines.append("    < %s: %s" % (k, v))
        if self.body:
            lines.append("    <")
            lines += ["    < " + l for l in _excerpt(self.body).splitlines()]
        return "\n".join(lines)


def _excerpt(data):
    if isinstance(data, str):
        data = data.encode()
    text = data[:BODY_SHOWN].decode("utf-8", "replace")
    if len(data) > BODY_SHOWN:
        text += "\n[... %d more bytes]" % (len(data) - BODY_SHOWN)
    return text


class Client:
    """A keep-alive HTTP client for one user (or none) against BASE_URL."""

    def __init__(self, user=None, password=None, url=None, timeout=120):
        self.url = url or base_url()
        parsed = urllib.parse.urlsplit(self.url)
        self.host = parsed.hostname
        self.port = parsed.port
        self.user = user
        self.auth = None
        if user is not None:
            token = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
            self.auth = "Basic " + token
        self.timeout = timeout
        self.conn = None

    def _connect(self):
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None, depth=None, content_type=None):
        hdrs = {}
        if self.auth:
            hdrs["Authorization"] = self.auth
        if depth is not None:
            hdrs["Depth"] = str(depth)
        if content_type:
            hdrs["Content-Type"] = content_type
        if headers:
            hdrs.update(headers)
        if isinstance(body, str):
            body = body.encode("utf-8")
        if body is not None:
            hdrs.setdefault("Content-Length", str(len(body)))
        for attempt in (1, 2):
            if self.conn is None:
                self._connect()
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
                    http.client.CannotSendRequest, http.client.ResponseNotReady):
                # The server closed an idle keep-alive connection: retry once on a new one.
                self.close()
                if attempt == 2:
                    raise
        if resp.getheader("Connection", "").lower() == "close":
            self.close()
        return Response(method, path, hdrs, body, resp.status, resp.reason,
                        resp.getheaders(), data)

    # Conveniences.
    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def put(self, path, body, content_type="text/calendar; charset=utf-8", headers=None):
        return self.request("PUT", path, body=body, content_type=content_type, headers=headers)

    def delete(self, path, headers=None):
        return self.request("DELETE", path, headers=headers)

    def mkcol(self, path):
        return self.request("MKCOL", path)

    def propfind(self, path, depth=0, props=None, body=None):
        if body is None:
            body = propfind_body(props)
        return self.request("PROPFIND", path, body=body, depth=depth,
                            content_type="application/xml; charset=utf-8")

    def proppatch(self, path, body):
        return self.request("PROPPATCH", path, body=body,
                            content_type="application/xml; charset=utf-8")

    def copy(self, src, dst, overwrite=None, depth=None, method="COPY"):
        headers = {"Destination": self.url + dst}
        if overwrite is not None:
            headers["Overwrite"] = "T" if overwrite else "F"
        return self.request(method, src, headers=headers, depth=depth)

    def move(self, src, dst, overwrite=None):
        return self.copy(src, dst, overwrite=overwrite, method="MOVE")


def propfind_body(props=None):
    """A PROPFIND body: allprop when props is None, else a prop list of (ns, name)."""
    if props is None:
        return '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'
    nss = {}
    parts = []
    for ns, name in props:
        prefix = nss.setdefault(ns, "n%d" % len(nss))
        parts.append("<%s:%s/>" % (prefix, name))
    decl = " ".join('xmlns:%s="%s"' % (p, ns) for ns, p in nss.items())
    return ('<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:" %s><D:prop>%s</D:prop></D:propfind>'
            % (decl, "".join(parts)))


def multistatus(resp):
    """Parse a 207 body into {href: {"{ns}name": (status_code, element)}} (hrefs unquoted)."""
    root = resp.xml()
    out = {}
    for r in root.findall("{DAV:}response"):
        href = r.findtext("{DAV:}href", "").strip()
        href = urllib.parse.unquote(urllib.parse.urlsplit(href).path)
        props = out.setdefault(href, {})
        status_el = r.find("{DAV:}status")
        if status_el is not None:
            props[None] = (status_code(status_el.text), None)
        for ps in r.findall("{DAV:}propstat"):
            code = status_code(ps.findtext("{DAV:}status", ""))
            prop = ps.find("{DAV:}prop")
            if prop is None:
                continue
            for p in prop:
                props[p.tag] = (code, p)
    return out


def status_code(line):
    m = re.search(r"HTTP/\d\.\d\s+(\d{3})", line or "")
    return int(m.group(1)) if m else None


def prop_text(el):
    """Text content of a property element (for getetag and the like)."""
    return "".join(el.itertext()).strip() if el is not None else None


class Checks:
    """Counts checks, prints one line per failure with the exchange that failed."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.failures = []

    def check(self, cond, what, resp=None, detail=None):
        if cond:
            self.passed += 1
            return True
        self.failed += 1
        self.failures.append(what)
        print("FAIL: %s" % what)
        if detail:
            print("    " + str(detail).replace("\n", "\n    "))
        if resp is not None:
            print(resp.describe())
        sys.stdout.flush()
        return False

    def status(self, resp, expected, what=None):
        """Check that resp has one of the expected status codes."""
        if isinstance(expected, int):
            expected = (expected,)
        what = what or "%s %s" % (resp.method, resp.path)
        return self.check(resp.status in expected,
                          "%s: expected %s, got %s" % (what, "/".join(map(str, expected)), resp.status),
                          resp)

    def info(self, msg):
        print("info: %s" % msg)
        sys.stdout.flush()

    def finish(self):
        print("%s: %d checks passed, %d failed" % (self.name, self.passed, self.failed))
        if self.failed:
            print("failed checks:")
            for f in self.failures:
                print("  - " + f)
        sys.exit(1 if self.failed else 0)


def apache_restart():
    """Restart the test's Apache (same config, port and data) through apache.sh."""
    apache_sh = os.environ["APACHE_SH"]
    res = subprocess.run(["bash", "-c", '. "$1" && apache_restart "$2"', "restart",
                          apache_sh, os.environ["APACHE_DIR"]],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        print(res.stdout)
    return res.returncode == 0


def error_log_path():
    return os.path.join(os.environ["APACHE_DIR"], "error.log")


def read_log(path, offset=0):
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def log_size(path):
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0


def ical_event(uid, summary="Test event", dtstart="20250101T100000Z", dtend="20250101T110000Z"):
    """A small valid iCalendar object with one VEVENT (CRLF line ends)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//mod_caldav//integration tests//EN",
        "BEGIN:VEVENT",
        "UID:%s" % uid,
        "DTSTAMP:20240101T000000Z",
        "DTSTART:%s" % dtstart,
        "DTEND:%s" % dtend,
        "SUMMARY:%s" % summary,
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    return "\r\n".join(lines).encode()


def vcard(uid, fn):
    """A small valid vCard 3.0 (CRLF line ends)."""
    lines = ["BEGIN:VCARD", "VERSION:3.0", "UID:%s" % uid, "FN:%s" % fn,
             "N:%s;;;;" % fn, "END:VCARD", ""]
    return "\r\n".join(lines).encode()
