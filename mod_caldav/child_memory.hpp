// How an Apache child process holds on to memory: glibc's malloc arenas, tuned once per child.
#pragma once

namespace caldav::module {

// Runs in child_init, before the worker threads start (see child_memory.cpp for the figures).
void tune_child_memory();
// Runs after each request: now and then gives the heaps' free pages back to the OS.
void release_free_memory();

}  // namespace caldav::module
