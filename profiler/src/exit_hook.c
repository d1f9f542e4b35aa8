/* libworthit_exit.so: preloaded by `worthit profile` into every process of
 * the profiled tree (LD_PRELOAD). _exit and _Exit skip atexit handlers, so a
 * process leaving through them -- a forked multiprocessing worker, os._exit,
 * a C program's _exit -- would lose everything the profiler runtime recorded.
 * These wrappers let the runtime flush first, then exit for real.
 *
 * Plain C with no dependency: it is loaded into every process, also those
 * that never load the runtime (shells, compilers), and does nothing there. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef void (*worthit_exit_hook)(void);

static worthit_exit_hook g_hook;

/* The runtime registers its flush here (found with dlsym(RTLD_DEFAULT)). */
__attribute__((visibility("default"))) void worthit_exit_hook_set(worthit_exit_hook hook) {
  g_hook = hook;
}

static void run_hook(void) {
  worthit_exit_hook hook = g_hook;
  g_hook = 0; /* once, even if the flush itself ends in _exit */
  if (hook) hook();
}

__attribute__((noreturn)) static void exit_for_real(const char* name, int status) {
  void (*real)(int) = (void (*)(int))dlsym(RTLD_NEXT, name);
  if (real) real(status);
  syscall(SYS_exit_group, status);
  __builtin_unreachable();
}

__attribute__((visibility("default"), noreturn)) void _exit(int status) {
  run_hook();
  exit_for_real("_exit", status);
}

__attribute__((visibility("default"), noreturn)) void _Exit(int status) {
  run_hook();
  exit_for_real("_Exit", status);
}
