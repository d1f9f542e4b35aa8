#include "worthit/trace/format.h"

#include <cmath>
#include <cstdio>

namespace worthit::trace {

std::string format_duration(int64_t ns) {
  char buf[64];
  const double v = double(ns);
  const double a = std::abs(v);
  if (a < 1e3)
    std::snprintf(buf, sizeof buf, "%lld ns", static_cast<long long>(ns));
  else if (a < 1e6)
    std::snprintf(buf, sizeof buf, "%.3g us", v / 1e3);
  else if (a < 1e9)
    std::snprintf(buf, sizeof buf, "%.3g ms", v / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.4g s", v / 1e9);
  return buf;
}

std::string format_percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", share * 100);
  return buf;
}

std::string format_ratio(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, x < 10 ? "%.2fx" : x < 100 ? "%.1fx" : "%.0fx", x);
  return buf;
}

std::string format_bytes(double b) {
  char buf[32];
  if (b >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2f GB", b / 1e9);
  else if (b >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2f MB", b / 1e6);
  else if (b >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1f kB", b / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f B", b);
  return buf;
}

}  // namespace worthit::trace
