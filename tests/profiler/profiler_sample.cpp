// A program the profiler tests run in a child process: NVTX calls (captured
// through injection), WORTHIT_SCOPE loops (for SIGTERM), forks, exit codes.
//   profiler_sample nvtx [exit_code]   nested/domain/start-end/registered/W ranges
//   profiler_sample loop               scopes forever; prints "ready" once recording
//   profiler_sample fork [exit_code]   ranges in a parent and a forked child
//   profiler_sample fork-exit N        N forked children, 200 ranges each, leave by _exit
//   profiler_sample killed-child       a forked child records, then dies by SIGKILL
// Built without NVTX headers (the cpu-only preset), `nvtx` is refused and
// `fork` marks its ranges with WORTHIT_SCOPE instead.
#ifdef WORTHIT_SAMPLE_NVTX
#include <nvtx3/nvToolsExt.h>
#endif
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "worthit/profiler/profiler.h"

namespace {

void busy_for(std::chrono::microseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) {
  }
}

// A named range around some work: through NVTX when the build has its
// headers (captured by the injection library), else the runtime's own scope.
void range(const char* name, std::chrono::microseconds work) {
#ifdef WORTHIT_SAMPLE_NVTX
  nvtxRangePushA(name);
  busy_for(work);
  nvtxRangePop();
#else
  WORTHIT_SCOPE(name);
  busy_for(work);
#endif
}

#ifdef WORTHIT_SAMPLE_NVTX
void nvtx_program() {
  nvtxNameOsThreadA(static_cast<uint32_t>(::gettid()), "sample main");
  nvtxRangePushA("outer");
  busy_for(std::chrono::microseconds(200));
  nvtxRangePushA("inner");
  busy_for(std::chrono::microseconds(100));
  nvtxMarkA("checkpoint");
  nvtxRangePop();
  nvtxRangePushW(L"wide \u00e9");
  nvtxRangePop();
  nvtxRangePop();

  nvtxDomainHandle_t domain = nvtxDomainCreateA("mydomain");
  nvtxStringHandle_t reg = nvtxDomainRegisterStringA(domain, "registered name");
  nvtxEventAttributes_t attr{};
  attr.version = NVTX_VERSION;
  attr.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
  attr.messageType = NVTX_MESSAGE_TYPE_REGISTERED;
  attr.message.registered = reg;
  nvtxDomainRangePushEx(domain, &attr);
  busy_for(std::chrono::microseconds(50));
  attr.messageType = NVTX_MESSAGE_TYPE_ASCII;
  attr.message.ascii = "domain mark";
  nvtxDomainMarkEx(domain, &attr);
  nvtxDomainRangePop(domain);

  // Start/end ranges may cross threads and overlap.
  nvtxRangeId_t a = nvtxRangeStartA("async a");
  nvtxRangeId_t b = nvtxRangeStartA("async b");
  std::thread([a] {
    busy_for(std::chrono::microseconds(50));
    nvtxRangeEnd(a);
  }).join();
  nvtxRangeEnd(b);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 64;
  const int code = argc > 2 ? std::atoi(argv[2]) : 0;
  if (!std::strcmp(argv[1], "nvtx")) {
#ifdef WORTHIT_SAMPLE_NVTX
    nvtx_program();
    return code;
#else
    std::fprintf(stderr, "profiler_sample: built without NVTX headers\n");
    return 65;
#endif
  }
  if (!std::strcmp(argv[1], "loop")) {
    for (long i = 0;; ++i) {
      WORTHIT_SCOPE("loop iteration");
      {
        WORTHIT_SCOPE("loop body");
        busy_for(std::chrono::microseconds(1));
      }
      if (i == 1000) {
        std::printf("ready\n");
        std::fflush(stdout);
      }
    }
  }
  if (!std::strcmp(argv[1], "fork")) {
    range("parent before fork", std::chrono::microseconds(0));
    const pid_t child = ::fork();
    if (child == 0) {
      range("in child", std::chrono::microseconds(100));
      std::exit(0);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    range("parent after fork", std::chrono::microseconds(0));
    return code;
  }
  if (!std::strcmp(argv[1], "fork-exit")) {
    // _exit skips atexit: only the preloaded exit hook saves these records.
    range("parent", std::chrono::microseconds(0));
    const int children = code;
    for (int c = 0; c < children; ++c)
      if (::fork() == 0) {
        for (int i = 0; i < 200; ++i) range("child range", std::chrono::microseconds(0));
        ::_exit(0);
      }
    for (int c = 0; c < children; ++c) ::wait(nullptr);
    return 0;
  }
  if (!std::strcmp(argv[1], "killed-child")) {
    range("parent", std::chrono::microseconds(0));
    const pid_t child = ::fork();
    if (child == 0) {
      range("doomed", std::chrono::microseconds(0));
      ::raise(SIGKILL);
    }
    ::waitpid(child, nullptr, 0);
    return 0;
  }
  return 64;
}
