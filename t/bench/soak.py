"""soak.py: memory over a long run: Apache with mod_caldav (the benchmark's configuration) holding
N events, 100 simulated sync clients (load --mixed) for M minutes, the Apache tree's RSS sampled
every 30 s. Writes a markdown table and says whether memory grew after warm-up.

    soak.py --data DIR --work DIR --load BIN --out FILE.md [--minutes 10] [--server mod_caldav]
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import Bench, Server, log, tree_rss  # noqa: E402


def sample(server, seconds):
    total, nproc, largest, anon = tree_rss(server.pid)
    return {"t": seconds, "total_kb": total, "processes": nproc, "largest_kb": largest, "anon_kb": anon}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--load", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--server", default="mod_caldav")
    ap.add_argument("--events", type=int, default=10000)
    args = ap.parse_args()

    bench = Bench(argparse.Namespace(mode="quick", data=args.data, work=args.work, load=args.load))
    server = Server(args.server, args.work)
    server.start()
    if server.down:
        log("soak: server down:", server.down)
        return 1
    try:
        bench.load_events(server, args.events)
        if server.broken:
            log("soak: loading failed:", server.broken)
            return 1
        seconds = int(args.minutes * 60)
        samples = [sample(server, 0)]
        result = {}

        def run():
            result.update(bench.load(server, None, "--mixed", "--calendar", server.calendar, "--clients", "100",
                                     "--duration", str(seconds), "--think-ms", "500", timeout=seconds + 600))

        worker = threading.Thread(target=run)
        started = time.time()
        worker.start()
        while worker.is_alive():
            worker.join(timeout=30)
            now = round(time.time() - started)
            if now - samples[-1]["t"] < 5:
                continue  # the load ended just after a sample
            samples.append(sample(server, now))
            log(f"soak: {samples[-1]['t']} s: {samples[-1]['total_kb'] / 1024:.1f} MB in "
                f"{samples[-1]['processes']} processes, anonymous {samples[-1]['anon_kb'] / 1024:.1f} MB")
    finally:
        server.stop()
    write_report(args, server, samples, result)
    return 0 if result.get("errors", 1) == 0 and result.get("wrong", 1) == 0 else 1


def write_report(args, server, samples, result):
    # Growth is judged after the first two minutes (connections, caches and arenas warming up).
    warm = [s for s in samples if s["t"] >= 120] or samples
    first, last = warm[0], warm[-1]
    peak = max(s["anon_kb"] for s in warm)
    lines = [
        f"# Soak: {args.server}, {args.events} events, 100 sync clients for {args.minutes:g} minutes",
        "",
        f"Load: {result.get('requests', 0)} requests, {result.get('errors', '?')} errors, "
        f"{result.get('wrong', '?')} wrong answers, p50 {result.get('p50_ms', 0):.2f} ms, "
        f"p99 {result.get('p99_ms', 0):.2f} ms; {server.info.get('version', '')}.",
        "",
        f"After warm-up (from {first['t']} s to {last['t']} s): anonymous memory "
        f"{first['anon_kb'] / 1024:.1f} -> {last['anon_kb'] / 1024:.1f} MB "
        f"({(last['anon_kb'] - first['anon_kb']) / 1024:+.1f} MB), peak {peak / 1024:.1f} MB; "
        f"RSS {first['total_kb'] / 1024:.1f} -> {last['total_kb'] / 1024:.1f} MB.",
        "",
        "| time (s) | processes | RSS total (MB) | largest process (MB) | anonymous total (MB) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for s in samples:
        lines.append(f"| {s['t']} | {s['processes']} | {s['total_kb'] / 1024:.1f} | {s['largest_kb'] / 1024:.1f} "
                     f"| {s['anon_kb'] / 1024:.1f} |")
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump({"samples": samples, "load": result}, f, indent=1)
    log("soak: report in", args.out)


if __name__ == "__main__":
    sys.exit(main())
