#include "worthit/reports/fleet_matrix.h"

#include <algorithm>
#include <regex>
#include <set>
#include <stdexcept>
#include <tuple>

#include "worthit/results/process_merge.h"

namespace worthit::reports {

std::string short_cpu_model(const std::string& cpu_model) {
  static const std::regex noise(
      R"(\((R|r|TM|tm)\)|\bCPU\b|\bProcessor\b|\b\d+-Core\b|@\s*[0-9.]+\s*[GM]Hz|\s+[0-9.]+\s*[GM]Hz$)");
  std::string s = std::regex_replace(cpu_model, noise, " ");
  std::string out;
  for (char c : s) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? cpu_model : out;
}

namespace {

int core_count(const MachineFingerprint& m) {
  return m.physical_cores > 0 ? m.physical_cores : m.logical_cpus;
}

std::string class_label(const MachineFingerprint& m, const std::string& cpu) {
  std::string label = cpu + " ×" + std::to_string(core_count(m));
  if (m.gpu.empty()) return label + " (CPU only)";
  return label + " + " + m.gpu + (m.gpu_driver.empty() ? "" : " (driver " + m.gpu_driver + ")");
}

}  // namespace

MachineClass machine_class_of(const MachineFingerprint& m) {
  if (!m.machine_class.empty()) return {"named:" + m.machine_class, m.machine_class, true};
  const std::string key =
      m.cpu_model + "|" + std::to_string(core_count(m)) + "|" + m.gpu + "|" + m.gpu_driver;
  return {key, class_label(m, short_cpu_model(m.cpu_model)), false};
}

std::vector<ClassResults> group_by_class(const std::vector<HostResults>& hosts) {
  std::vector<ClassResults> classes;
  std::vector<std::vector<const HostResults*>> members;
  std::map<std::string, size_t> index;
  for (const auto& h : hosts) {
    const MachineClass c = machine_class_of(h.results.machine);
    auto [it, added] = index.emplace(c.key, classes.size());
    if (added) {
      classes.push_back({c, {}, {}});
      members.emplace_back();
    }
    classes[it->second].hosts.push_back(h.host);
    members[it->second].push_back(&h);
  }
  for (size_t i = 0; i < classes.size(); ++i) {
    std::vector<ResultsFile> runs;
    std::vector<std::string> labels;
    for (const HostResults* h : members[i]) {
      runs.push_back(h->results);
      labels.push_back("host " + h->host);
    }
    try {
      classes[i].pooled = merge_process_results(runs, labels);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(
          "the hosts of class " + classes[i].machine_class.label +
          " cannot be pooled (rerun them with the same bench arguments): " + e.what());
    }
  }

  // Two classes may shorten to one label (two Xeons that differ in the clock):
  // the full model name tells them apart, else a number.
  auto clashes = [&](size_t i) {
    for (size_t j = 0; j < classes.size(); ++j)
      if (j != i && classes[j].machine_class.label == classes[i].machine_class.label) return true;
    return false;
  };
  std::vector<size_t> clashing;
  for (size_t i = 0; i < classes.size(); ++i)
    if (clashes(i)) clashing.push_back(i);
  for (size_t i : clashing)
    if (!classes[i].machine_class.named)
      classes[i].machine_class.label =
          class_label(classes[i].pooled.machine, classes[i].pooled.machine.cpu_model);
  std::map<std::string, int> seen;
  for (size_t i = 0; i < classes.size(); ++i)
    if (clashes(i)) {
      const int n = ++seen[classes[i].machine_class.label];
      if (n > 1) classes[i].machine_class.label += " #" + std::to_string(n);
    }
  return classes;
}

namespace {

double element_count(const std::map<std::string, int64_t>& params) {
  double k = 1;
  for (const auto& [name, v] : params) k *= static_cast<double>(v);
  return params.empty() ? 0 : k;
}

}  // namespace

FleetMatrix fleet_matrix(const std::vector<ClassReport>& classes) {
  FleetMatrix m;
  for (const auto& c : classes) m.columns.push_back(c.machine_class.label);

  // Rows: every (workload, device, size) any class decided.
  std::map<std::string, size_t> workload_order;
  using RowKey = std::tuple<std::string, std::string, std::string>;
  std::map<RowKey, size_t> row_index;
  for (size_t col = 0; col < classes.size(); ++col) {
    for (const auto& d : classes[col].report.decisions) {
      workload_order.emplace(d.workload, workload_order.size());
      const RowKey key{d.workload, d.device, d.size};
      auto [it, added] = row_index.emplace(key, m.rows.size());
      if (added)
        m.rows.push_back(
            {d.workload, d.size, d.params, d.device, std::vector<MatrixCell>(classes.size())});
      MatrixCell& cell = m.rows[it->second].cells[col];
      cell.verdict = d.verdict;
      cell.speedup = d.custom_speedup;
      if (d.best_custom) cell.best_custom = d.best_custom->backend;
      if (d.best_framework) cell.best_framework = d.best_framework->backend;
    }
  }
  std::stable_sort(m.rows.begin(), m.rows.end(), [&](const MatrixRow& a, const MatrixRow& b) {
    return std::make_tuple(workload_order.at(a.workload), a.device, element_count(a.params),
                           a.size) < std::make_tuple(workload_order.at(b.workload), b.device,
                                                     element_count(b.params), b.size);
  });

  m.changes = class_changes(m.rows);
  return m;
}

std::vector<ClassChange> class_changes(const std::vector<MatrixRow>& rows) {
  std::vector<ClassChange> changes;
  for (size_t r = 0; r < rows.size(); ++r) {
    ClassChange change{r, {}};
    const auto& cells = rows[r].cells;
    for (size_t col = 0; col < cells.size(); ++col) {
      if (!cells[col].verdict) continue;
      auto it = std::find_if(change.verdicts.begin(), change.verdicts.end(),
                             [&](const auto& entry) { return entry.first == *cells[col].verdict; });
      if (it == change.verdicts.end())
        change.verdicts.push_back({*cells[col].verdict, {col}});
      else
        it->second.push_back(col);
    }
    if (change.verdicts.size() > 1) changes.push_back(std::move(change));
  }
  return changes;
}

FleetReport decide_fleet(const FleetInputs& inputs, const DecisionInputs& decision_inputs,
                         const Policy& policy) {
  FleetReport fleet;
  fleet.failures = inputs.failures;
  for (auto& c : group_by_class(inputs.hosts)) {
    ClassReport cr;
    cr.machine_class = c.machine_class;
    cr.hosts = c.hosts;
    cr.processes = c.pooled.settings.processes;
    cr.report = decide(c.pooled, decision_inputs, policy);
    // Hosts pooled in one class should run one build: say so when they did not.
    std::set<std::string> commits, torch;
    for (const auto& h : inputs.hosts)
      if (std::find(c.hosts.begin(), c.hosts.end(), h.host) != c.hosts.end()) {
        commits.insert(h.results.machine.commit);
        torch.insert(h.results.machine.torch_version);
      }
    if (commits.size() > 1)
      fleet.warnings.push_back(c.machine_class.label + ": its hosts ran " +
                               std::to_string(commits.size()) +
                               " different worthit commits; their samples were pooled anyway");
    if (torch.size() > 1)
      fleet.warnings.push_back(c.machine_class.label + ": its hosts ran " +
                               std::to_string(torch.size()) + " different libtorch versions");
    for (const auto& w : cr.report.warnings)
      fleet.warnings.push_back(c.machine_class.label + ": " + w);
    fleet.classes.push_back(std::move(cr));
  }
  for (const auto& f : inputs.failures)
    fleet.warnings.push_back("host " + f.host + " has no results: " + f.reason);
  fleet.matrix = fleet_matrix(fleet.classes);
  return fleet;
}

}  // namespace worthit::reports
