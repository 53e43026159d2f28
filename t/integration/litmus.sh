#!/bin/bash
# litmus.sh: runs the litmus WebDAV suites (basic copymove props locks http) against the
# running test server ($BASE_URL, started by run.sh) in alice's calendar home, and fails if
# any suite has a failure, a warning, or did not run to its summary.
#
# Environment: BASE_URL, LITMUS (default /usr/bin/litmus), LITMUS_SUITES (default the five
# above), LITMUS_URL_PATH (default /caldav/calendars/alice/), LITMUS_ALLOW_WARNINGS=1 to
# tolerate warnings. litmus writes debug.log and child.log into the current directory: this
# runs it in ./litmus-work (run.sh runs each test in its own directory) and keeps them there as
# debug-SUITE.log; on failure the HTTP exchanges of the failing tests are printed.

set -u
: "${LITMUS:=/usr/bin/litmus}"
: "${PYTHON:=/usr/bin/python3}"
: "${LITMUS_SUITES:=basic copymove props locks http}"
: "${LITMUS_URL_PATH:=/caldav/calendars/alice/}"

if [ ! -x "$LITMUS" ]; then
    echo "litmus not found ($LITMUS): skipped"
    exit 77
fi
if [ -z "${BASE_URL:-}" ]; then
    echo "BASE_URL not set: run through t/integration/run.sh" >&2
    exit 2
fi

workdir=$(pwd)/litmus-work
rm -rf "$workdir"
mkdir -p "$workdir"
cd "$workdir" || exit 2

url="$BASE_URL$LITMUS_URL_PATH"
# One litmus run per suite, so that every suite runs even when an earlier one fails, and each
# keeps its own debug log (litmus rewrites debug.log for every suite).
rc=0
: >litmus.raw
for suite in $LITMUS_SUITES; do
    echo "litmus: TESTS=$suite $LITMUS $url alice alicepw  (in $workdir)" >>litmus.raw
    TESTS="$suite" timeout 300 "$LITMUS" "$url" alice alicepw >>litmus.raw 2>&1 || rc=1
    [ -f debug.log ] && mv debug.log "debug-$suite.log"
    [ -f child.log ] && mv child.log "child-$suite.log"
done

# litmus redraws each test line with a carriage return: keep what follows the last one.
sed 's/.*\r//' litmus.raw >litmus.out
cat litmus.out
echo "litmus exit status: $rc"

# Judge the output: a summary per suite, no failure, no warning.
cat >judge.py <<'PYEOF'
import os, re, sys
suites = sys.argv[1].split()
allow_warnings = sys.argv[2] == "1"
lines = open("litmus.out", encoding="utf-8", errors="replace").read().splitlines()
bad, seen, warnings, failing = [], {}, {}, {}
current = None
for line in lines:
    m = re.match(r"-> running `(\w+)'", line)
    if m:
        current = m.group(1)
        continue
    m = re.match(r"<- summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed", line)
    if m:
        seen[m.group(1)] = (int(m.group(2)), int(m.group(3)), int(m.group(4)))
        continue
    m = re.match(r"-> (\d+) warnings? (?:was|were) issued", line)
    if m and current:
        warnings[current] = int(m.group(1))
    m = re.match(r"-> (\d+) tests? (?:was|were) skipped", line)
    if m and current:
        print("note: %s: %s tests skipped" % (current, m.group(1)))
    m = re.match(r"\s*\d+\.\s+(\w+?)\.*\s.*\b(FAIL|WARNING)", line)
    if m and current:
        failing.setdefault(current, []).append(m.group(1))
for s in suites:
    if s not in seen:
        bad.append("suite %s: no summary line (aborted or not run)" % s)
        continue
    run, passed, failed = seen[s]
    if failed:
        bad.append("suite %s: %d of %d tests failed" % (s, failed, run))
    if warnings.get(s):
        msg = "suite %s: %d warning(s)" % (s, warnings[s])
        if allow_warnings:
            print("note: " + msg + " (tolerated: LITMUS_ALLOW_WARNINGS=1)")
        else:
            bad.append(msg)
for line in lines:
    if re.search(r"\bFAIL\b|WARNING:", line):
        print("  >> " + line.strip())
for b in bad:
    print("litmus: " + b)
if not bad:
    sys.exit(0)

# Show the HTTP exchanges of the tests that failed or warned, from each suite's debug log.
budget = 900
for suite, wanted in failing.items():
    path = "debug-%s.log" % suite
    print("---- %s: %s ----" % (os.path.abspath(path), ", ".join(wanted)))
    if not os.path.exists(path):
        continue
    log = open(path, encoding="utf-8", errors="replace").read()
    for sec in re.split(r"(?m)^(?=\*+ Running test \d+: )", log):
        m = re.match(r"\*+ Running test \d+: (\w+)", sec)
        if not m or m.group(1) not in wanted or budget <= 0:
            continue
        # Keep the exchange, drop neon's chatter.
        keep = [l for l in sec.splitlines()
                if not re.match(r"(Header Name:|Running |auth: |sess: |req: |Doing DNS|Request sent|"
                                r"Sending request|HTTP session|Reading |Got \d+ bytes|End of headers|"
                                r"Request ends|Running destroy|\[hdr\] (Date|Server|Keep-Alive|Connection):|"
                                r"User-Agent:|Connection: TE|TE: trailers|Authorization:|X-Litmus:|Host:|"
                                r"\[hdr\] $|Body block|Read block)", l)]
        if len(keep) > 160:
            keep = keep[:80] + ["[... %d lines ...]" % (len(keep) - 160)] + keep[-80:]
        for l in keep:
            print("    " + l)
        budget -= len(keep)
sys.exit(1)
PYEOF
"$PYTHON" judge.py "$LITMUS_SUITES" "${LITMUS_ALLOW_WARNINGS:-0}"
