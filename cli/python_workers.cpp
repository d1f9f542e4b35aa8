#include "python_workers.h"

#include "build_config.h"
#include "exec_image.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "worthit/results/results_json.h"
#include "worthit/results/stats.h"

namespace worthit::cli {
namespace {

using nlohmann::json;

// The Python backends of python/worthit/backends/, listed when the Python side
// cannot even start, so the gap is visible rather than silent.
struct KnownBackend {
  const char* backend;
  bool framework;
  const char* group;
};
constexpr std::array<KnownBackend, 9> kKnownBackends{{{"torch", true, "torch"},
                                                      {"torch.compile", true, "torch"},
                                                      {"torch.jit", true, "torch"},
                                                      {"tensorflow", true, "tensorflow"},
                                                      {"tensorflow-xla", true, "tensorflow"},
                                                      {"numpy", true, "native"},
                                                      {"python", false, "native"},
                                                      {"cython", false, "native"},
                                                      {"capi", false, "native"}}};
constexpr std::array<const char*, 4> kBuiltinWorkloads{
    {"gelu", "bias_residual_layernorm", "matmul", "linear_recurrence"}};
constexpr double kDefaultTimeoutS = 300;
constexpr int kMaxRestarts = 8;
constexpr size_t kLogKeep = 16 << 10;  // bytes of a candidate's own output kept for its row

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Why the Python side cannot run, or empty.
std::string python_unavailable_reason(std::string& python, std::string& package_dir) {
  python = env_or("WORTHIT_PYTHON", configured_python());
  package_dir = env_or("WORTHIT_PYTHON_PACKAGE_DIR", configured_python_package_dir());
  if (package_dir.empty())
    return "built without the Python package (configure with pybind11 and WORTHIT_PYTHON; "
           "WORTHIT_WITH_PYTHON)";
  if (python.empty()) return "no Python interpreter (set WORTHIT_PYTHON)";
  if (::access(python.c_str(), X_OK) != 0)
    return "Python interpreter '" + python + "' is not executable";
  return "";
}

std::string python_path(const std::string& package_dir) {
  std::string p = package_dir;
  if (const char* old = std::getenv("PYTHONPATH"); old && *old) p += std::string(":") + old;
  return p;
}

// Runs a shell command and returns its stdout; stderr passes through.
int run_capture(const std::string& command, std::string& out) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  if (status == -1) return -1;
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string signal_text(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    return "killed by signal " + (abbrev ? "SIG" + std::string(abbrev) : std::to_string(sig));
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "ended";
}

// The last few non-empty lines a candidate printed, for a one-line reason.
// After a crash, Python's faulthandler adds a stack of its own: the reason
// keeps the candidate's lines before it and its first line ("Fatal Python
// error: Segmentation fault"); the row's detail has it all.
std::string tail_lines(const std::string& text, size_t lines = 3, size_t chars = 600) {
  std::vector<std::string> all;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string l = text.substr(start, end - start);
    if (l.find_first_not_of(" \t\r") != std::string::npos) {
      if (l.rfind("Fatal Python error: ", 0) == 0) {
        if (all.size() > lines - 1) all.erase(all.begin(), all.end() - long(lines - 1));
        all.push_back(l);
        lines = all.size();
        break;
      }
      all.push_back(l);
    }
    start = end + 1;
  }
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += (out.empty() ? "" : " | ") + all[i];
  return out.size() > chars ? out.substr(out.size() - chars) : out;
}

bool wanted(const std::vector<std::string>& globs, const std::string& a,
            const std::string& b = "") {
  for (const auto& g : globs)
    if (glob_match(g, a) || (!b.empty() && glob_match(g, b))) return true;
  return false;
}

BenchResult failure_row(const std::string& workload, const std::string& backend, bool framework,
                        int threads, ResultStatus status, const std::string& reason) {
  BenchResult r;
  r.workload = workload;
  r.size = "-";
  r.candidate = workload + "/" + backend;
  r.backend = backend;
  r.framework = framework;
  r.language = "python";
  r.threads = threads;
  r.status = status;
  r.reason = reason;
  return r;
}

// The known built-in Python backends the globs select, as rows saying why
// they did not run.
std::vector<BenchResult> known_rows(const BenchOptions& o, const std::string& group,
                                    ResultStatus status, const std::string& reason) {
  std::vector<BenchResult> rows;
  for (const char* w : kBuiltinWorkloads) {
    if (!wanted(o.workload_globs, w)) continue;
    for (const auto& b : kKnownBackends)
      if ((group.empty() || group == b.group) &&
          wanted(o.backend_globs, b.backend, std::string(w) + "/" + b.backend))
        rows.push_back(failure_row(w, b.backend, b.framework, o.threads, status, reason));
  }
  return rows;
}

// ---- One worker process ---------------------------------------------------

struct WorkerDied : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A running `python -m worthit.worker --serve 3 4`: commands on its fd 3,
// replies and events on its fd 4, its stdout and stderr on one more pipe.
class WorkerProcess {
 public:
  struct Config {
    std::string python, package_dir, group;
    int threads = 1;
    double timeout_s = kDefaultTimeoutS;
    bool verbose = false;
  };

  explicit WorkerProcess(const Config& c) : config_(c) { spawn(); }
  ~WorkerProcess() { kill(); }

  // Sends one command and reads events until its reply. `on_event` sees
  // every event ("begin", "end", "progress"); each "begin" starts a new
  // stretch of the candidate's own output. Throws WorkerDied (the worker is
  // gone: crashed, exited or killed after `timeout_s` without an event).
  json request(const json& cmd, const std::function<void(const json&)>& on_event = {},
               double timeout_s = 0) {
    send(cmd);
    return await_reply(on_event, timeout_s);
  }

  // The two halves of request(), for a command the worker may work on while
  // this process does something else: send now, await the reply later.
  void send(const json& cmd) {
    if (pid_ <= 0) throw WorkerDied("the worker is not running");
    const std::string line = cmd.dump() + "\n";
    if (!write_all(line)) throw WorkerDied(died_text());
  }

  json await_reply(const std::function<void(const json&)>& on_event = {}, double timeout_s = 0) {
    if (timeout_s <= 0) timeout_s = config_.timeout_s;
    if (pid_ <= 0) throw WorkerDied("the worker is not running");
    auto last = std::chrono::steady_clock::now();
    for (;;) {
      std::string msg;
      while (next_line(msg)) {
        last = std::chrono::steady_clock::now();
        json j;
        try {
          j = json::parse(msg);
        } catch (const json::exception&) {
          continue;  // not ours
        }
        if (j.value("reply", false)) return j;
        if (on_event) on_event(j);
      }
      const double idle =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - last).count();
      if (idle > timeout_s) {
        kill();
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", timeout_s);
        throw WorkerDied(std::string("timed out: no progress for ") + buf + " s");
      }
      if (!wait_readable(std::min(1.0, timeout_s - idle + 0.01))) {
        // End of the reply pipe: the worker is gone. Keep what it printed.
        drain_log(0.5);
        own_output_ += pending_;
        pending_.clear();
        throw WorkerDied(died_text());
      }
    }
  }

  // What the worker printed since the start of the current command or of
  // the candidate phase it is in: the worker writes a mark into its output
  // at each, so the order of the one output pipe decides.
  const std::string& own_output() const { return own_output_; }
  bool alive() const { return pid_ > 0; }

  void kill() {
    if (pid_ > 0) {
      ::killpg(pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      status_ = status;
      pid_ = -1;
    }
    for (int* fd : {&cmd_fd_, &reply_fd_, &log_fd_})
      if (*fd >= 0) ::close(*fd), *fd = -1;
  }

 private:
  void spawn() {
    const std::string threads = std::to_string(config_.threads);
    EnvChanges env;
    env.set = {{"PYTHONPATH", python_path(config_.package_dir)},
               {"PYTHONUNBUFFERED", "1"},
               {"OMP_NUM_THREADS", threads},
               {"MKL_NUM_THREADS", threads},
               {"OPENBLAS_NUM_THREADS", threads},
               {"TF_NUM_INTRAOP_THREADS", threads},
               // One compile process: no pool of inductor workers
               // competing for the cores or outliving their worker.
               {"TORCHINDUCTOR_COMPILE_THREADS", "1"}};
    if (config_.group == "torch")
      env.set.emplace_back("WORTHIT_NATIVE_TORCH", "1");
    else
      env.unset.push_back("WORTHIT_NATIVE_TORCH");
    env.fallback = {{"TF_NUM_INTEROP_THREADS", "1"}, {"TF_CPP_MIN_LOG_LEVEL", "2"}};
    const ExecImage image({config_.python, "-m", "worthit.worker", "--serve", "3", "4"}, env,
                          "worthit bench: Python worker");
    int cmd[2], reply[2], log[2];
    if (::pipe2(cmd, O_CLOEXEC) || ::pipe2(reply, O_CLOEXEC) || ::pipe2(log, O_CLOEXEC))
      throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      // The worker and anything it starts form one process group, killed as
      // one; the worker dies with the bench even when the bench is killed -9.
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);
      ::signal(SIGPIPE, SIG_DFL);
      const int in = ::fcntl(cmd[0], F_DUPFD, 10), out = ::fcntl(reply[1], F_DUPFD, 10);
      const int logw = log[1];
      ::dup2(in, 3);
      ::dup2(out, 4);
      ::dup2(logw, 1);
      ::dup2(logw, 2);
      const int devnull = ::open("/dev/null", O_RDONLY);
      if (devnull >= 0) ::dup2(devnull, 0);
      image.exec();
    }
    ::close(cmd[0]);
    ::close(reply[1]);
    ::close(log[1]);
    ::setpgid(pid, pid);  // also here: no window in which killpg misses it
    pid_ = pid;
    cmd_fd_ = cmd[1];
    reply_fd_ = reply[0];
    log_fd_ = log[0];
    ::fcntl(reply_fd_, F_SETFL, O_NONBLOCK);
    ::fcntl(log_fd_, F_SETFL, O_NONBLOCK);
  }

  bool write_all(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      const ssize_t n = ::write(cmd_fd_, s.data() + off, s.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      off += size_t(n);
    }
    return true;
  }

  // One complete line from the reply pipe, if buffered.
  bool next_line(std::string& line) {
    const size_t nl = reply_buf_.find('\n');
    if (nl == std::string::npos) return false;
    line = reply_buf_.substr(0, nl);
    reply_buf_.erase(0, nl + 1);
    return true;
  }

  void take_log(const char* data, size_t n) {
    static const std::string mark = "\x1eworthit-mark\n";
    pending_.append(data, n);
    // Whole lines only, so a mark split across two reads is still seen.
    size_t done = 0;
    for (size_t nl; (nl = pending_.find('\n', done)) != std::string::npos; done = nl + 1) {
      const std::string line = pending_.substr(done, nl + 1 - done);
      if (line == mark) {
        own_output_.clear();
        continue;
      }
      own_output_ += line;
      if (config_.verbose)
        std::cerr << "[python:" << config_.group << "] " << line.substr(0, line.size() - 1) << "\n";
    }
    pending_.erase(0, done);
    if (pending_.size() > kLogKeep) {  // a long line without an end: keep its tail
      own_output_ += pending_;
      pending_.clear();
    }
    if (own_output_.size() > 2 * kLogKeep) own_output_.erase(0, own_output_.size() - kLogKeep);
  }

  // Waits up to `seconds` for replies or output; false when the reply pipe ended.
  bool wait_readable(double seconds) {
    pollfd fds[2] = {{reply_fd_, POLLIN, 0}, {log_fd_, POLLIN, 0}};
    const int n = ::poll(fds, 2, static_cast<int>(std::max(0.0, seconds) * 1000));
    if (n < 0 && errno != EINTR) return false;
    std::array<char, 8192> buf{};
    if (fds[1].revents & (POLLIN | POLLHUP)) {
      ssize_t k;
      while ((k = ::read(log_fd_, buf.data(), buf.size())) > 0) take_log(buf.data(), size_t(k));
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      ssize_t k;
      bool any = false;
      while ((k = ::read(reply_fd_, buf.data(), buf.size())) > 0) {
        reply_buf_.append(buf.data(), size_t(k));
        any = true;
      }
      if (k == 0 && !any) return false;  // end of file
    }
    return true;
  }

  void drain_log(double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    std::array<char, 8192> buf{};
    while (std::chrono::steady_clock::now() < until) {
      pollfd fd{log_fd_, POLLIN, 0};
      if (::poll(&fd, 1, 50) <= 0) continue;
      const ssize_t k = ::read(log_fd_, buf.data(), buf.size());
      if (k <= 0) break;
      take_log(buf.data(), size_t(k));
    }
  }

  std::string died_text() {
    int status = 0;
    if (pid_ > 0) {
      ::killpg(pid_, SIGKILL);  // its children too
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      pid_ = -1;
      for (int* fd : {&cmd_fd_, &reply_fd_}) ::close(*fd), *fd = -1;
      status_ = status;
    }
    return "worker " + signal_text(status_);
  }

  Config config_;
  pid_t pid_ = -1;
  int cmd_fd_ = -1, reply_fd_ = -1, log_fd_ = -1;
  int status_ = 0;
  std::string reply_buf_, own_output_, pending_;
};

}  // namespace

// ---- One worker group as a schedule participant ----------------------------

class WorkerGroup final : public Participant {
 public:
  WorkerGroup(const std::string& group, const BenchOptions& options, const std::string& python,
              const std::string& package_dir, const ProgressFn& progress)
      : options_(options), progress_(progress) {
    config_.python = python;
    config_.package_dir = package_dir;
    config_.group = group;
    config_.threads = options.threads;
    config_.verbose = options.verbose;
    if (const char* t = std::getenv("WORTHIT_WORKER_TIMEOUT"); t && *t)
      config_.timeout_s = std::max(0.1, std::atof(t));
  }

  std::string name() const override { return "python:" + config_.group; }

  // Starts the process and loads the group: done for every group before the
  // first case, so the imports overlap and no timing competes with them.
  void launch() {
    try {
      proc_ = std::make_unique<WorkerProcess>(config_);
    } catch (const std::exception& e) {
      fatal_ = e.what();
    }
  }

  void finish_start() {
    if (!proc_) return;
    try {
      json start = {{"cmd", "start"},
                    {"group", config_.group},
                    {"threads", options_.threads},
                    {"seed", options_.seed},
                    {"plugins", json::array()}};
      for (const auto& p : options_.plugins)
        start["plugins"].push_back(std::filesystem::absolute(p).string());
      if (!options_.trace_ops.empty())
        start["trace_ops"] = std::filesystem::absolute(options_.trace_ops).string();
      // Importing a framework is slow on a busy machine; the candidate timeout
      // is for candidates.
      const double startup = std::max(config_.timeout_s, kDefaultTimeoutS);
      const json r = proc_->request(start, {}, startup);
      if (r.contains("fatal")) throw WorkerDied(r["fatal"].get<std::string>());
      for (const auto& e : r.value("plugin_errors", json::array()))
        plugin_errors_.push_back(
            {e.value("plugin", ""), e.value("error", ""), e.value("detail", "")});
      const json p = proc_->request(plan_command(), {}, startup);
      if (p.contains("fatal")) throw WorkerDied(p["fatal"].get<std::string>());
      for (const auto& c : p.at("cases")) {
        CaseKey k{c.at("workload"), c.at("size"),
                  c.value("params", std::map<std::string, int64_t>{})};
        cases_.push_back(k);
        case_candidates_[key(k)] = c.value("candidates", std::vector<std::string>{});
      }
    } catch (const std::exception& e) {
      fatal_ = std::string(e.what()) + (proc_ ? tail(proc_->own_output()) : "");
      proc_.reset();
    }
  }

  const std::string& fatal() const { return fatal_; }
  const std::vector<PluginError>& plugin_errors() const { return plugin_errors_; }
  const std::string& group() const { return config_.group; }

  std::vector<CaseKey> cases() override { return cases_; }

  // The worker starts on the case now and prepare() collects its reply: the
  // workers' inputs, references, gates and compiles overlap with each other
  // and with the C++ candidates' (seconds each at large sizes). The request is
  // sent from this thread, as every fork of a worker must be: a worker dies
  // with the thread that started it (PR_SET_PDEATHSIG).
  void begin_prepare(const CaseKey& c) override {
    sent_prepare_.clear();
    try {
      ensure_running();
      proc_->send(prepare_command(c));
      sent_prepare_ = key(c);
    } catch (const std::exception&) {
      // prepare() starts it again and reports what goes wrong
    }
  }

  PreparedCase prepare(const CaseKey& c,
                       const std::function<void(const std::string&)>& say) override {
    const bool sent = sent_prepare_ == key(c);
    sent_prepare_.clear();
    current_ = c;
    say_ = say;
    // Counts belong to a case: a size 64 times larger must not run the
    // iterations that filled min_time at the smaller one.
    iterations_.clear();
    repetition_.clear();
    PreparedCase out;
    for (int attempt = 0;; ++attempt) {
      json reply;
      std::string phase, candidate;
      try {
        const auto on_event = [&](const json& ev) {
          const std::string kind = ev.value("event", "");
          if (kind == "begin") {
            candidate = ev.value("candidate", "");
            phase = ev.value("phase", "");
          } else if (kind == "end") {
            candidate.clear();
          } else if (kind == "progress") {
            say(ev.value("line", ""));
          }
        };
        if (sent && attempt == 0 && proc_ && proc_->alive()) {
          reply = proc_->await_reply(on_event);
        } else {
          ensure_running();
          reply = proc_->request(prepare_command(c), on_event);
        }
      } catch (const WorkerDied& e) {
        const std::string output = proc_ ? proc_->own_output() : "";
        proc_.reset();
        if (candidate.empty() || attempt >= kMaxRestarts)  // the group gives up on this case
          return give_up(c, std::string(e.what()) + " outside any candidate" + tail(output));
        const std::string reason = std::string(e.what()) + " in " + phase + " of " + candidate +
                                   " at " + c.size + tail(output);
        if (phase == "inputs")  // the workload's own inputs failed: no candidate can run
          return give_up(c, reason);
        say(candidate.substr(candidate.find('/') + 1) + " error: " + reason);
        crashed_[candidate] = {c.size, reason, output};
        continue;  // a fresh worker, the crashed candidate excluded
      }
      if (reply.contains("fatal"))
        return give_up(
            c, "the " + config_.group + " worker failed: " + reply["fatal"].get<std::string>());
      for (const auto& row : reply.at("rows")) {
        BenchResult r = pending_result_from_json(row);
        if (auto it = crashed_.find(r.candidate); it != crashed_.end() && it->second.size == c.size)
          r.detail = it->second.detail;
        out.rows.push_back(std::move(r));
      }
      ids_.clear();
      for (const auto& t : reply.at("timed")) {
        const std::string name = t.at("candidate");
        const int row = t.value("row", -1);
        ids_[name] = t.at("id").get<int>();
        out.source_row.push_back(row);
        out.sources.push_back({name, bind(name)});
        if (!t.value("twin_of", json()).is_null()) twin_of_[name] = t["twin_of"];
      }
      prepared_here_ = true;
      return out;
    }
  }

  void finish(const CaseKey& c, PreparedCase& prepared,
              const std::vector<SampledSeries>& series) override {
    // Numbers derived from two series: the C++ twin's median beside torch eager's.
    for (size_t i = 0; i < prepared.sources.size(); ++i) {
      auto twin = twin_of_.find(prepared.sources[i].name);
      if (twin == twin_of_.end() || series[i].samples_ns.empty()) continue;
      for (auto& r : prepared.rows)
        if (r.candidate == twin->second && r.status == ResultStatus::ok && r.stats.median > 0) {
          const double cpp = median(series[i].samples_ns);
          r.extra["cpp_twin_median_ns"] = cpp;
          r.extra["python_overhead_us"] = (r.stats.median - cpp) / 1000.0;
          char line[256];
          std::snprintf(line, sizeof line,
                        "python overhead: %s %s: %s %.1f us vs libtorch from C++ %.1f us: %+.1f us "
                        "per call",
                        c.workload.c_str(), c.size.c_str(), r.backend.c_str(), r.stats.median / 1e3,
                        cpp / 1e3, (r.stats.median - cpp) / 1e3);
          if (progress_) progress_(line);
        }
    }
    for (auto& r : prepared.rows) {
      auto d = measure_detail_.find(r.candidate);
      if (d != measure_detail_.end() && r.status == ResultStatus::error) r.detail = d->second;
    }
    measure_detail_.clear();
    twin_of_.clear();
  }

  void release(const CaseKey&) override {
    ids_.clear();
    current_.reset();
    if (proc_ && proc_->alive() && prepared_here_) {
      try {
        proc_->request({{"cmd", "release"}});
      } catch (const WorkerDied&) {
        proc_.reset();
      }
    }
    prepared_here_ = false;
  }

  std::map<std::string, std::string> quit() {
    std::map<std::string, std::string> versions;
    if (!proc_ || !proc_->alive()) return versions;
    try {
      const json r = proc_->request({{"cmd", "quit"}});
      const json libraries = r.value("libraries", json::object());
      for (const auto& [k, v] : libraries.items())
        if (v.is_string()) versions[k] = v.get<std::string>();
    } catch (const WorkerDied&) {
    }
    proc_.reset();
    return versions;
  }

 private:
  struct Crash {
    std::string size;    // where it happened
    std::string reason;  // the row's reason there
    std::string detail;  // the candidate's own output
  };

  static std::string key(const CaseKey& c) { return c.workload + "\n" + c.size; }

  static std::string tail(const std::string& output) {
    const std::string t = tail_lines(output);
    return t.empty() ? "" : ": " + t;
  }

  json plan_command() const {
    return {{"cmd", "plan"},
            {"workload_globs", options_.workload_globs},
            {"backend_globs", options_.backend_globs},
            {"sizes", options_.sizes},
            {"quick", options_.quick}};
  }

  // Candidates that crashed or hung a worker are never run again in this
  // bench: their row at that size says what happened, later ones point there.
  json prepare_command(const CaseKey& c) const {
    json exclude = json::object();
    for (const auto& [candidate, crash] : crashed_)
      exclude[candidate] = crash.size == c.size
                               ? crash.reason
                               : "not run: it stopped the " + config_.group + " worker at " +
                                     crash.size + " (see that row)";
    return {{"cmd", "prepare"}, {"workload", c.workload}, {"size", c.size}, {"exclude", exclude}};
  }

  void ensure_running() {
    if (proc_ && proc_->alive()) return;
    if (restarts_++ >= kMaxRestarts)
      throw WorkerDied("the " + config_.group + " worker failed " + std::to_string(restarts_) +
                       " times");
    if (progress_) progress_("python: restarting the " + config_.group + " worker");
    const std::vector<CaseKey> keep = cases_;
    proc_.reset();
    cases_.clear();
    launch();
    finish_start();
    cases_ = keep;
    if (!proc_) throw WorkerDied(fatal_);
  }

  PreparedCase give_up(const CaseKey& c, const std::string& reason) {
    PreparedCase out;
    if (say_) say_("the " + config_.group + " worker gave up: " + reason);
    for (const auto& name : case_candidates_[key(c)]) {
      BenchResult r;
      r.workload = c.workload;
      r.size = c.size;
      r.params = c.params;
      r.candidate = name;
      r.backend = name.substr(name.find('/') + 1);
      r.language = "python";
      r.threads = options_.threads;
      r.status = ResultStatus::error;
      r.reason = reason;
      out.rows.push_back(std::move(r));
    }
    proc_.reset();
    return out;
  }

  // One repetition of `name` in the worker. A worker that dies takes only
  // this candidate down: the next source's turn re-prepares the case in a
  // fresh worker without it.
  std::function<Measurement()> bind(const std::string& name) {
    return [this, name] {
      auto& iterations = iterations_[name];
      if (!proc_ || !proc_->alive() || ids_.empty()) reprepare();
      const auto it = ids_.find(name);
      if (it == ids_.end()) throw std::runtime_error("not run: the worker's fresh gate dropped it");
      const int rep = static_cast<int>(++repetition_[name]);
      json r;
      try {
        r = proc_->request({{"cmd", "measure"},
                            {"id", it->second},
                            {"min_time_s", options_.min_time_s},
                            {"warmup_s", options_.warmup_s},
                            {"iterations", iterations}});
      } catch (const WorkerDied& e) {
        const std::string output = proc_ ? proc_->own_output() : "";
        const std::string reason = std::string(e.what()) + " in repetition " + std::to_string(rep) +
                                   " of " + name + " at " + current_->size + tail(output);
        crashed_[name] = {current_->size, reason, output};
        measure_detail_[name] = output;
        proc_.reset();
        ids_.clear();
        throw std::runtime_error(reason);
      }
      if (r.contains("error")) {
        measure_detail_[name] = r.value("detail", "");
        throw std::runtime_error(r["error"].get<std::string>());
      }
      if (r.contains("fatal")) throw std::runtime_error(r["fatal"].get<std::string>());
      iterations = r.value("iterations", int64_t{0});
      return Measurement{r.value("ns", 0.0), iterations};
    };
  }

  // A fresh worker for the rest of the case after a crash: the case gated
  // again without the candidates that crashed.
  void reprepare() {
    ids_.clear();
    if (!current_) return;
    try {
      ensure_running();
      const json reply = proc_->request(prepare_command(*current_));
      for (const auto& t : reply.value("timed", json::array()))
        ids_[t.at("candidate").get<std::string>()] = t.at("id").get<int>();
      prepared_here_ = true;
    } catch (const WorkerDied& e) {
      proc_.reset();
      throw std::runtime_error(std::string("not run further: a fresh ") + config_.group +
                               " worker failed to prepare the case again: " + e.what());
    }
  }

  BenchOptions options_;
  ProgressFn progress_;
  WorkerProcess::Config config_;
  std::unique_ptr<WorkerProcess> proc_;
  std::string fatal_;
  std::vector<PluginError> plugin_errors_;
  std::vector<CaseKey> cases_;
  std::map<std::string, std::vector<std::string>> case_candidates_;
  std::optional<CaseKey> current_;
  std::function<void(const std::string&)> say_;
  std::string sent_prepare_;  // key() of the case begin_prepare sent, until prepare() collects it
  std::map<std::string, int> ids_;
  std::map<std::string, int64_t> iterations_;
  std::map<std::string, int64_t> repetition_;
  std::map<std::string, std::string> twin_of_;
  std::map<std::string, std::string> measure_detail_;
  std::map<std::string, Crash> crashed_;
  int restarts_ = 0;
  bool prepared_here_ = false;
};

// ---- Listing and the groups of one run --------------------------------------

PythonSide resolve_python_side() {
  PythonSide side;
  side.unavailable_reason = python_unavailable_reason(side.python, side.package_dir);
  return side;
}

PythonListing list_python_backends(const std::vector<std::string>& plugins, bool verbose,
                                   const std::string& trace_ops) {
  PythonListing out;
  std::string python, package_dir;
  std::string why = python_unavailable_reason(python, package_dir);
  if (why.empty()) {
    std::string cmd = "PYTHONPATH=" + shell_quote(python_path(package_dir)) + " " +
                      shell_quote(python) + " -m worthit.workers list";
    if (verbose) cmd += " --verbose";
    for (const auto& p : plugins) cmd += " --plugin " + shell_quote(p);
    if (!trace_ops.empty()) cmd += " --trace-ops " + shell_quote(trace_ops);
    std::string text;
    const int rc = run_capture(cmd, text);
    try {
      if (rc != 0)
        throw std::runtime_error("'python -m worthit.workers list' exited with status " +
                                 std::to_string(rc));
      const json j = json::parse(text);
      for (const auto& c : j.at("candidates"))
        out.backends.push_back({c.at("workload"), c.at("backend"), c.at("framework"),
                                c.value("group", ""), c.value("unavailable_reason", "")});
      for (const auto& e : j.value("plugin_errors", json::array()))
        out.plugin_errors.push_back(
            {e.value("plugin", ""), e.value("error", ""), e.value("detail", "")});
      return out;
    } catch (const std::exception& e) {
      why = std::string("the Python worker failed: ") + e.what();
    }
  }
  out.unavailable = why;
  for (const char* w : kBuiltinWorkloads)
    for (const auto& b : kKnownBackends)
      out.backends.push_back({w, b.backend, b.framework, b.group, why});
  return out;
}

PythonWorkers::PythonWorkers(const BenchOptions& options, const PythonListing& listing,
                             const ProgressFn& progress) {
  ::signal(SIGPIPE, SIG_IGN);  // a worker that died mid-command is an error, not our death
  std::string python, package_dir;
  const std::string why = python_unavailable_reason(python, package_dir);
  if (!listing.unavailable.empty() || !why.empty()) {
    rows_ = known_rows(options, "", ResultStatus::unavailable,
                       listing.unavailable.empty() ? why : listing.unavailable);
    return;
  }
  for (const auto& e : listing.plugin_errors) {
    BenchResult r = failure_row("plugin", std::filesystem::path(e.plugin).filename().string(),
                                false, options.threads, ResultStatus::error, e.error);
    r.detail = e.detail;
    rows_.push_back(std::move(r));
    if (progress) progress("python: " + e.error + (options.verbose ? "" : " (-v: the traceback)"));
  }
  std::vector<std::string> groups;
  for (const char* g : {"native", "torch", "tensorflow", "plugin"}) {
    bool any = false;
    for (const auto& b : listing.backends)
      any = any || (b.group == g && wanted(options.workload_globs, b.workload) &&
                    wanted(options.backend_globs, b.backend, b.workload + "/" + b.backend));
    if (any) groups.push_back(g);
  }
  for (const auto& g : groups)
    groups_.push_back(std::make_unique<WorkerGroup>(g, options, python, package_dir, progress));
  if (progress && !groups.empty()) {
    std::string names;
    for (const auto& g : groups) names += (names.empty() ? "" : ", ") + g;
    progress("python: starting the workers (" + names + ")");
  }
  for (auto& g : groups_) g->launch();
  for (auto& g : groups_) {
    g->finish_start();
    if (!g->fatal().empty()) {
      const std::string why = "the " + g->group() + " worker failed: " + g->fatal();
      if (progress) progress("python: " + why);
      for (auto& r : known_rows(options, g->group(), ResultStatus::error, why))
        rows_.push_back(std::move(r));
      if (g->group() == "plugin")
        rows_.push_back(
            failure_row("plugin", "*", false, options.threads, ResultStatus::error, why));
    }
  }
}

PythonWorkers::~PythonWorkers() = default;

std::vector<Participant*> PythonWorkers::participants() {
  std::vector<Participant*> out;
  for (auto& g : groups_)
    if (g->fatal().empty()) out.push_back(g.get());
  return out;
}

std::vector<BenchResult> PythonWorkers::rows_without_case() const { return rows_; }

std::map<std::string, std::string> PythonWorkers::finish() {
  std::map<std::string, std::string> versions;
  for (auto& g : groups_)
    for (const auto& [k, v] : g->quit()) versions[k] = v;
  return versions;
}

}  // namespace worthit::cli
