// Short text for numbers in findings and tables: "1.23 ms", "450 ns", "12.5%".
#pragma once

#include <cstdint>
#include <string>

namespace worthit::trace {

// Three significant digits: "450 ns", "12.3 us", "1.23 ms", "2.345 s".
std::string format_duration(int64_t ns);
// "12.5%" for 0.125.
std::string format_percent(double share);
// "2.40x", "12.5x".
std::string format_ratio(double x);
// "512 B", "3.1 kB", "1.05 MB", "2.10 GB".
std::string format_bytes(double bytes);

}  // namespace worthit::trace
