#include "worthit/reports/fleet_compare.h"

#include <algorithm>
#include <map>

#include "worthit/results/file_io.h"

namespace worthit::reports {

namespace {

struct Side {
  std::vector<MachineClass> order;
  std::map<std::string, std::vector<const HostResults*>> hosts;  // by class key
};

Side classes_of(const FleetInputs& fleet) {
  Side side;
  // Labels as the fleet report gives them (clashes told apart).
  const auto grouped = group_by_class(fleet.hosts);
  std::map<std::string, std::string> label_of;
  for (const auto& c : grouped) label_of[c.machine_class.key] = c.machine_class.label;
  for (const auto& h : fleet.hosts) {
    MachineClass c = machine_class_of(h.results.machine);
    c.label = label_of.at(c.key);
    if (!side.hosts.count(c.key)) side.order.push_back(c);
    side.hosts[c.key].push_back(&h);
  }
  return side;
}

BenchmarkSet pooled_set(const std::vector<const HostResults*>& hosts,
                        std::vector<std::string>& warnings) {
  std::vector<BenchmarkSet> runs;
  for (const HostResults* h : hosts)
    runs.push_back(benchmark_set_from_results(h->results, h->path.string()));
  return pool_runs(runs, warnings);
}

std::vector<std::string> names(const std::vector<const HostResults*>& hosts) {
  std::vector<std::string> out;
  for (const auto* h : hosts) out.push_back(h->host);
  return out;
}

std::filesystem::path folder_of(const FleetInputs& f) {
  if (!f.hosts.empty()) return f.hosts.front().path.parent_path();
  if (!f.failures.empty()) return f.failures.front().path.parent_path();
  return {};
}

}  // namespace

FleetComparison compare_fleets(const FleetInputs& base, const FleetInputs& next,
                               const CompareOptions& options) {
  FleetComparison out;
  out.base_path = folder_of(base).string();
  out.new_path = folder_of(next).string();
  const Side b = classes_of(base), n = classes_of(next);
  for (const auto& c : b.order) {
    if (!n.hosts.count(c.key)) {
      out.only_in_base.push_back(c.label);
      continue;
    }
    ClassComparison cc;
    cc.machine_class = c;
    cc.base_hosts = names(b.hosts.at(c.key));
    cc.new_hosts = names(n.hosts.at(c.key));
    std::vector<std::string> pool_warnings;
    const BenchmarkSet base_set = pooled_set(b.hosts.at(c.key), pool_warnings);
    const BenchmarkSet new_set = pooled_set(n.hosts.at(c.key), pool_warnings);
    cc.comparison = compare(base_set, new_set, options);
    for (const auto& w : pool_warnings)
      cc.comparison.warnings.insert(cc.comparison.warnings.begin(), w);
    for (const auto& w : cc.comparison.warnings) out.warnings.push_back(c.label + ": " + w);
    out.regression = out.regression || cc.comparison.regression;
    out.classes.push_back(std::move(cc));
  }
  for (const auto& c : n.order)
    if (!b.hosts.count(c.key)) out.only_in_new.push_back(c.label);
  for (const auto& l : out.only_in_base)
    out.warnings.push_back("machine class " + l + " has no hosts in " + out.new_path);
  for (const auto& l : out.only_in_new)
    out.warnings.push_back("machine class " + l + " is new: no hosts in " + out.base_path);
  for (const auto* side : {&base, &next})
    for (const auto& f : side->failures)
      out.warnings.push_back("host " + f.host + " (" + f.path.string() +
                             ") has no results: " + f.reason);
  if (out.classes.empty())
    throw FileError(out.new_path, "shares no machine class with " + out.base_path +
                                      "; compare runs of the same fleet");
  return out;
}

}  // namespace worthit::reports
