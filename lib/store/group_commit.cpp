// write_in_group: a leader thread runs the queued writes of its process in one transaction.
#include "store/group_commit.hpp"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "store/per_database_file.hpp"
#include "store/store.hpp"

namespace caldav::store {

namespace {

struct Job {
    const std::function<void(Store&)>* write;
    std::exception_ptr error;
    bool done = false;
};

// The writes of one database file waiting for a leader, and whether a leader is at work.
struct Group {
    std::mutex mutex;
    std::condition_variable finished;
    std::vector<Job*> waiting;
    bool leading = false;
};

// One transaction for the whole batch, one savepoint per write.
void run_batch(Store& store, const std::vector<Job*>& batch) {
    Database& db = store.database();
    try {
        Transaction transaction(db);
        for (Job* job : batch) {
            try {
                Transaction savepoint(db);
                (*job->write)(store);
                savepoint.commit();
            } catch (...) {
                job->error = std::current_exception();
            }
        }
        transaction.commit(Transaction::AfterCommit::leave_to_caller);
    } catch (...) {
        for (Job* job : batch)
            if (!job->error) job->error = std::current_exception();
    }
}

}  // namespace

void write_in_group(Store& store, const std::function<void(Store&)>& write) {
    Database& db = store.database();
    if (db.transaction_depth > 0) {
        write(store);
        return;
    }
    Group& group = per_database_file<Group>(db.path());
    Job mine{&write, nullptr, false};
    std::unique_lock<std::mutex> lock(group.mutex);
    group.waiting.push_back(&mine);
    while (!mine.done) {
        if (group.leading) {
            group.finished.wait(lock);
            continue;
        }
        group.leading = true;
        std::vector<Job*> batch;
        batch.swap(group.waiting);
        lock.unlock();
        run_batch(store, batch);
        lock.lock();
        for (Job* job : batch) job->done = true;
        group.leading = false;
        group.finished.notify_all();
        lock.unlock();
        db.checkpoint_if_due();  // after the others are released (see Transaction::AfterCommit)
        lock.lock();
    }
    if (mine.error) std::rethrow_exception(mine.error);
}

}  // namespace caldav::store
