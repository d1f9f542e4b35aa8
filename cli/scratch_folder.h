// A private folder for one verb's temporary files (bench --processes: the
// per-process results; profile: the per-process traces), removed however this
// process ends: by the destructor on return or exception, and by a small
// watchdog process when this one is killed, SIGKILL included. The watchdog
// first kills the process group it was told to watch, so a killed
// `worthit bench --processes N` takes its child bench and that child's
// workers with it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace worthit::cli {

class ScratchFolder {
 public:
  // Creates `<beside>/<prefix>XXXXXX`; throws FileError when it cannot.
  ScratchFolder(const std::filesystem::path& beside, const std::string& prefix);
  ~ScratchFolder();
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Leave the folder in place on every way out (profile --keep-parts).
  void keep();
  // Should this process die, the watchdog kills process group `pgid` (a
  // child started in its own group) before removing the folder; 0: none.
  void watch_group(pid_t pgid);

 private:
  void tell(char what, int32_t value);

  std::filesystem::path path_;
  bool keep_ = false;
  int socket_ = -1;  // our end of a socket pair; the watchdog acts at end-of-file
  pid_t watchdog_ = -1;
};

}  // namespace worthit::cli
