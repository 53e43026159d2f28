// Group commit: the writes that threads of one process submit while another write is committing
// share that thread's next transaction, so N concurrent PUTs write the pages they have in common
// (B-tree interiors, the collection's row, the change log's last page) and commit once.
#pragma once

#include <functional>

namespace caldav::store {

class Store;

// Runs `write` in a transaction shared with the writes other threads of this process submit
// meanwhile: on `store`, or on the connection of the thread that leads the group (so `write` must
// use only the Store it is given). Returns once the group has committed, with the durability of
// any commit. A write that throws is rolled back alone (it runs in a savepoint) and its exception
// is rethrown here; if the commit itself fails, every write of the group gets that error.
// Inside a transaction already, simply runs `write` on `store`.
void write_in_group(Store& store, const std::function<void(Store&)>& write);

}  // namespace caldav::store
