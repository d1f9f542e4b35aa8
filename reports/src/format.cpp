#include "worthit/reports/format.h"

#include "worthit/trace/format.h"

#include <cmath>
#include <cstdio>

namespace worthit::reports {

namespace {
std::string printf_string(const char* fmt, double v, int decimals = -1) {
  char buf[64];
  if (decimals >= 0)
    std::snprintf(buf, sizeof buf, fmt, decimals, v);
  else
    std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}
}  // namespace

std::string format_duration(double ns) {
  const double a = std::abs(ns);
  if (a < 1e3) return printf_string("%.0f ns", ns);
  // Three significant digits, trailing zeros kept: "1.00 us", "12.5 ms", "250 ms".
  const char* unit = a < 1e6 ? "us" : a < 1e9 ? "ms" : "s";
  const double v = ns / (a < 1e6 ? 1e3 : a < 1e9 ? 1e6 : 1e9);
  const int decimals = std::abs(v) < 10 ? 2 : std::abs(v) < 100 ? 1 : 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f %s", decimals, v, unit);
  return buf;
}

std::string format_ratio(double x) { return trace::format_ratio(x); }

std::string format_percent(double fraction, int decimals) {
  return printf_string("%.*f%%", fraction * 100, decimals);
}

std::string format_signed_percent(double fraction, int decimals) {
  return printf_string("%+.*f%%", fraction * 100, decimals);
}

std::string format_p_value(double p) {
  if (p < 1e-6) return "<1e-6";
  if (p < 0.001) return printf_string("%.1e", p);
  return printf_string("%.4f", p);
}

}  // namespace worthit::reports
