// Number formatting shared by the report and compare writers, so that the
// paragraphs, the Markdown and the console say the same thing the same way.
#pragma once

#include <string>

namespace worthit::reports {

std::string format_duration(double ns);  // "812 ns", "3.41 us", "1.20 ms", "2.05 s"
std::string format_ratio(double x);      // "2.40x", "12.5x", "3012x"
std::string format_percent(double fraction, int decimals = 1);         // 0.123 -> "12.3%"
std::string format_signed_percent(double fraction, int decimals = 1);  // "+4.2%", "-1.0%"
std::string format_p_value(double p);                                  // "0.0012", "<1e-6"

}  // namespace worthit::reports
