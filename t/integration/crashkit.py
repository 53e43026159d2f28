"""crashkit.py: what the crash tests share: SIGKILL of Apache and all its children (as a power cut
of the web server, not of the OS: what SQLite's synchronous=NORMAL in WAL mode must survive), and the
checks of the database the kill left behind."""

import os
import shutil
import signal
import subprocess
import time


def process_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def apache_pids():
    pidfile = os.path.join(os.environ["APACHE_DIR"], "httpd.pid")
    try:
        with open(pidfile) as f:
            root = int(f.read().strip())
    except (OSError, ValueError):
        return []
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        out = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid="], stdout=subprocess.PIPE, text=True).stdout
        todo += [int(x) for x in out.split()]
    return pids


def kill_apache(c):
    pids = apache_pids()
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    end = time.time() + 10
    while time.time() < end and any(process_alive(p) for p in pids):
        time.sleep(0.02)
    c.check(not any(process_alive(p) for p in pids), "SIGKILL ends Apache and its children", detail=pids)
    # The pid file names a dead process now: apache.sh's stop would wait for it otherwise.
    try:
        os.unlink(os.path.join(os.environ["APACHE_DIR"], "httpd.pid"))
    except FileNotFoundError:
        pass
    return len(pids)


def database_path():
    candidate = os.path.join(os.environ["APACHE_DIR"], "data", "caldav.sqlite")
    if os.path.exists(candidate):
        return candidate
    for root, _, files in os.walk(os.environ["APACHE_DIR"]):
        for f in files:
            if f.endswith(".sqlite"):
                return os.path.join(root, f)
    return candidate


def sqlite(db, sql, as_owner=True):
    cmd = ["sqlite3", "-batch", "-cmd", ".timeout 10000", db, sql]
    if as_owner and os.getuid() == 0:
        owner = os.stat(db).st_uid
        if owner != 0:
            import pwd
            cmd = ["runuser", "-u", pwd.getpwuid(owner).pw_name, "--"] + cmd
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return res.returncode, res.stdout.strip()


def check_crash_image(c, scratch, round_no):
    """PRAGMA integrity_check on a copy of the files the kill left behind (database and WAL)."""
    db = database_path()
    dst = os.path.join(scratch, "image.sqlite")
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(dst + suffix)
        except FileNotFoundError:
            pass
    for suffix in ("", "-wal"):
        if os.path.exists(db + suffix):
            shutil.copyfile(db + suffix, dst + suffix)
    rc, out = sqlite(dst, "PRAGMA integrity_check", as_owner=False)
    c.check(rc == 0 and out == "ok", "kill %d: integrity_check of the database left by the kill" % round_no,
            detail="sqlite3 exit %d: %s" % (rc, out[:2000]))
    rc, out = sqlite(dst, "PRAGMA foreign_key_check", as_owner=False)
    c.check(rc == 0 and out == "", "kill %d: foreign_key_check of the database left by the kill" % round_no,
            detail="sqlite3 exit %d: %s" % (rc, out[:2000]))
