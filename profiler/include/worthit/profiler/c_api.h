/* A small C ABI of the profiler runtime (libworthit_profiler.so) for callers
 * that cannot use C++: Python's worthit.scope loads it through ctypes. */
#ifndef WORTHIT_PROFILER_C_API_H
#define WORTHIT_PROFILER_C_API_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when recording (under `worthit profile` or after enable), else 0. */
int worthit_profiler_enabled(void);
/* A stable handle for a name; pass it to begin. */
const char* worthit_profiler_intern(const char* name);
/* Opens a slice on the calling thread; end closes the innermost one. */
void worthit_profiler_begin(const char* interned_name);
void worthit_profiler_end(void);
void worthit_profiler_mark(const char* name);
void worthit_profiler_counter(const char* name, double value);
void worthit_profiler_thread_name(const char* name);
/* A note in the trace: an instant event of category "worthit" on the calling
 * thread whose args are `json_args` (a JSON object; kept as a string when it
 * does not parse). How a process was captured goes here. */
void worthit_profiler_note(const char* name, const char* json_args);
/* Writes the trace now; returns 0 on success. */
int worthit_profiler_flush(void);

#ifdef __cplusplus
}
#endif

#endif
