// Group commit (lib/store/group_commit): concurrent writers of a process share one transaction,
// and each one's failure stays its own.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "store/group_commit.hpp"
#include "store/store.hpp"
#include "temp_database.hpp"

using namespace caldav::store;

namespace {

std::string event_path(int i) {
    return "calendars/alice/default/e" + std::to_string(i) + ".ics";
}

void put_event(Store& store, int i) {
    store.put(event_path(i), "text/calendar", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" + std::to_string(i));
}

}  // namespace

TEST_CASE("writes submitted together by many threads are all committed", "[group_commit]") {
    TempDatabase temp;
    Store(temp.path()).provision("alice");
    constexpr int threads = 8, writes_per_thread = 25;
    std::vector<std::thread> workers;
    workers.reserve(threads);
    std::atomic<int> failures{0};
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            Store store(temp.path());  // a connection per thread, as the pool lends them
            for (int w = 0; w < writes_per_thread; ++w) {
                try {
                    write_in_group(store, [&](Store& leader) { put_event(leader, t * 100 + w); });
                } catch (...) {
                    ++failures;
                }
            }
        });
    }
    for (std::thread& worker : workers) worker.join();
    CHECK(failures == 0);
    Store reader(temp.path());
    for (int t = 0; t < threads; ++t)
        for (int w = 0; w < writes_per_thread; ++w) CHECK(reader.lookup(event_path(t * 100 + w)).exists());
}

TEST_CASE("a write that fails in a group is rolled back alone and its error goes to its thread", "[group_commit]") {
    TempDatabase temp;
    Store(temp.path()).provision("alice");
    // The first writer holds the group until the other two wait, so that they form the next group.
    std::atomic<bool> release{false};
    std::thread first([&] {
        Store store(temp.path());
        write_in_group(store, [&](Store& leader) {
            put_event(leader, 1);
            while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::thread::id ran_on_for_good{}, ran_on_for_bad{};
    bool bad_threw = false;
    std::thread good([&] {
        Store store(temp.path());
        write_in_group(store, [&](Store& leader) {
            ran_on_for_good = std::this_thread::get_id();
            put_event(leader, 2);
        });
    });
    std::thread bad([&] {
        Store store(temp.path());
        try {
            write_in_group(store, [&](Store& leader) {
                ran_on_for_bad = std::this_thread::get_id();
                put_event(leader, 3);  // written, then undone with the savepoint
                throw Error(ErrorKind::conflict, "refused");
            });
        } catch (const Error& error) {
            bad_threw = error.kind() == ErrorKind::conflict;
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    release = true;
    first.join();
    good.join();
    bad.join();
    CHECK(ran_on_for_good == ran_on_for_bad);  // one group: both ran on its leader's thread
    CHECK(bad_threw);
    Store reader(temp.path());
    CHECK(reader.lookup(event_path(1)).exists());
    CHECK(reader.lookup(event_path(2)).exists());
    CHECK_FALSE(reader.lookup(event_path(3)).exists());
}

TEST_CASE("inside a transaction already, a write simply runs there", "[group_commit]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    {
        Transaction outer(store.database());
        write_in_group(store, [&](Store& same) {
            CHECK(&same == &store);
            put_event(same, 1);
        });
        // Not committed: rolled back with the outer transaction.
    }
    CHECK_FALSE(store.lookup(event_path(1)).exists());
}
