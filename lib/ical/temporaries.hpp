// libical's per-thread ring of temporary strings, and when to free it.
#pragma once

namespace caldav::ical {

// Marks that this thread called into libical in a way that takes temporary strings (the recurrence
// iterator does, for the zone name it hands to ICU).
void note_thread_temporaries();

// Frees the temporary strings libical kept for this thread, if note_thread_temporaries was called
// since the last time. Call it where no string libical returned is still in use (after a request).
void release_thread_temporaries();

}  // namespace caldav::ical
