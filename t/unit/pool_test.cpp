// StorePool (lib/store/pool): connections lent per request, reused most recent first, closed
// after standing idle.
#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "store/pool.hpp"
#include "temp_database.hpp"

using namespace caldav::store;

TEST_CASE("a lease comes back to the pool and is lent again", "[pool]") {
    TempDatabase temp;
    StorePool pool(temp.path());
    Store* first = nullptr;
    {
        StorePool::Lease lease = pool.acquire();
        first = &*lease;
        (*lease).provision("alice");
        CHECK(pool.idle_count() == 0);
    }
    CHECK(pool.idle_count() == 1);
    StorePool::Lease again = pool.acquire();
    CHECK(&*again == first);  // the same connection, its statements already prepared
    CHECK((*again).is_provisioned("alice"));
}

TEST_CASE("concurrent leases get distinct connections, and only as many as were in use", "[pool]") {
    TempDatabase temp;
    StorePool pool(temp.path());
    {
        std::vector<StorePool::Lease> held;
        std::set<Store*> distinct;
        for (int i = 0; i < 4; ++i) {
            held.push_back(pool.acquire());
            distinct.insert(&*held.back());
        }
        CHECK(distinct.size() == 4);
    }
    CHECK(pool.idle_count() == 4);
    // Eight threads, each leasing one at a time many times: never more than eight connections.
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&pool, t] {
            for (int i = 0; i < 50; ++i) {
                StorePool::Lease lease = pool.acquire();
                (*lease).lookup("calendars/user" + std::to_string(t));
            }
        });
    for (std::thread& thread : threads) thread.join();
    CHECK(pool.idle_count() >= 4);
    CHECK(pool.idle_count() <= 8);
}

TEST_CASE("connections idle longer than the limit are closed when another comes back", "[pool]") {
    TempDatabase temp;
    StorePool pool(temp.path(), std::chrono::milliseconds(300), 0);
    {
        StorePool::Lease a = pool.acquire();
        StorePool::Lease b = pool.acquire();
    }
    CHECK(pool.idle_count() == 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    { StorePool::Lease c = pool.acquire(); }  // takes one of the two, returns it fresh
    CHECK(pool.idle_count() == 1);            // the other had stood idle too long
}

TEST_CASE("after a burst, the most recently used connections stay however long they idle", "[pool]") {
    TempDatabase temp;
    StorePool pool(temp.path(), std::chrono::milliseconds(300), 2);
    {
        std::vector<StorePool::Lease> burst;
        for (int i = 0; i < 6; ++i) burst.push_back(pool.acquire());
    }
    CHECK(pool.idle_count() == 6);
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    { StorePool::Lease one = pool.acquire(); }
    CHECK(pool.idle_count() == 2);  // the one just returned and the next most recent
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    { StorePool::Lease one = pool.acquire(); }
    CHECK(pool.idle_count() == 2);
}
