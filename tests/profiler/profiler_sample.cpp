// A program the profiler tests run in a child process: NVTX calls (captured
// through injection), WORTHIT_SCOPE loops (for SIGTERM), forks, exit codes.
//   profiler_sample nvtx [exit_code]   nested/domain/start-end/registered/W ranges
//   profiler_sample loop               scopes forever; prints "ready" once recording
//   profiler_sample fork [exit_code]   nvtx ranges in a parent and a forked child
#include <nvtx3/nvToolsExt.h>
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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 64;
  const int code = argc > 2 ? std::atoi(argv[2]) : 0;
  if (!std::strcmp(argv[1], "nvtx")) {
    nvtx_program();
    return code;
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
    nvtxRangePushA("parent before fork");
    nvtxRangePop();
    const pid_t child = ::fork();
    if (child == 0) {
      nvtxRangePushA("in child");
      busy_for(std::chrono::microseconds(100));
      nvtxRangePop();
      std::exit(0);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    nvtxRangePushA("parent after fork");
    nvtxRangePop();
    return code;
  }
  return 64;
}
