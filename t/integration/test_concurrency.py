"""test_concurrency.py: many clients racing on one resource with If-Match (issue: no lost update).
Each round, 12 writers that all saw the same ETag PUT at once: exactly one wins (2xx), the others get
412, nobody gets a 5xx; readers running meanwhile only ever see one whole version. Then 12 writers
create 12 new hrefs at once with one UID (RFC 4791 §5.3.2.1): exactly one is created, the others get
409 no-uid-conflict. Concurrent PUTs of a process share a transaction (lib/store/group_commit), so
these are the checks that one writer's refusal neither leaks into nor undoes another's write.
"""

import threading

from davclient import Checks, Client, ical_event

CT = "text/calendar; charset=utf-8"
PATH = "/caldav/calendars/alice/default/race.ics"
WRITERS = 12
ROUNDS = 15

c = Checks("concurrency")
setup = Client("alice", "alicepw")
c.status(setup.put(PATH, ical_event("race@example.org", "round 0"), CT), 201, "create the raced resource")
bodies = {ical_event("race@example.org", "round 0")}

for round_number in range(1, ROUNDS + 1):
    etag = setup.get(PATH).header("ETag")
    barrier = threading.Barrier(WRITERS + 1)
    statuses = []
    lock = threading.Lock()
    seen = []

    def writer(index):
        client = Client("alice", "alicepw")
        body = ical_event("race@example.org", "round %d writer %d" % (round_number, index))
        with lock:
            bodies.add(body)
        barrier.wait()
        r = client.put(PATH, body, CT, headers={"If-Match": etag})
        with lock:
            statuses.append(r.status)

    def reader():
        client = Client("alice", "alicepw")
        barrier.wait()
        for _ in range(5):
            r = client.get(PATH)
            with lock:
                seen.append(r.body)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    threads.append(threading.Thread(target=reader))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [s for s in statuses if 200 <= s < 300]
    c.check(len(winners) == 1, "round %d: exactly one writer wins" % round_number, detail=statuses)
    c.check(all(s in (204, 412) for s in statuses), "round %d: the others get 412, nobody a 5xx" % round_number,
            detail=statuses)
    c.check(all(b in bodies for b in seen), "round %d: readers see only whole versions" % round_number)

for round_number in range(1, ROUNDS + 1):
    barrier = threading.Barrier(WRITERS)
    results = []
    lock = threading.Lock()
    uid = "shared-%d@example.org" % round_number

    def creator(index):
        client = Client("alice", "alicepw")
        path = "/caldav/calendars/alice/default/uid-race-%d-%d.ics" % (round_number, index)
        barrier.wait()
        r = client.put(path, ical_event(uid, "creator %d" % index), CT, headers={"If-None-Match": "*"})
        with lock:
            results.append((path, r.status, r.body))

    threads = [threading.Thread(target=creator, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    created = [path for path, status, _ in results if status == 201]
    c.check(len(created) == 1, "UID round %d: exactly one of the racing creators is stored" % round_number,
            detail=[s for _, s, _ in results])
    c.check(all(s == 409 and b"no-uid-conflict" in body for _, s, body in results if s != 201),
            "UID round %d: the others get 409 no-uid-conflict" % round_number, detail=[s for _, s, _ in results])
    stored = [path for path, _, _ in results if setup.get(path).status == 200]
    c.check(stored == created, "UID round %d: only the created one can be read back" % round_number, detail=stored)

c.finish()
