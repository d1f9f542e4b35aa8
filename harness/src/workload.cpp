#include "worthit/harness/workload.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace worthit {

int64_t Size::at(const std::string& key) const {
  auto it = params.find(key);
  if (it == params.end()) throw std::out_of_range("size '" + label + "' has no '" + key + "'");
  return it->second;
}

std::string size_label(const std::map<std::string, int64_t>& params,
                       const std::vector<std::string>& key_order) {
  std::string out;
  for (const auto& key : key_order) {
    auto it = params.find(key);
    if (it == params.end()) continue;
    if (!out.empty()) out += ",";
    out += key + "=" + std::to_string(it->second);
  }
  return out;
}

std::map<std::string, int64_t> parse_size_params(std::string_view text) {
  std::map<std::string, int64_t> params;
  const std::string original(text);
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == item.size())
      throw std::invalid_argument("size '" + original + "': expected key=value[,key=value...]");
    std::string key(item.substr(0, eq));
    std::string_view value = item.substr(eq + 1);
    int64_t scale = 1;
    switch (value.back()) {
      case 'K':
      case 'k':
        scale = int64_t{1} << 10;
        break;
      case 'M':
      case 'm':
        scale = int64_t{1} << 20;
        break;
      case 'G':
      case 'g':
        scale = int64_t{1} << 30;
        break;
      default:
        break;
    }
    if (scale != 1) value.remove_suffix(1);
    int64_t v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size() || v <= 0)
      throw std::invalid_argument("size '" + original + "': '" + key +
                                  "' needs a positive integer (K, M, G suffixes allowed)");
    if (params.count(key))
      throw std::invalid_argument("size '" + original + "': '" + key + "' given twice");
    params[key] = v * scale;
  }
  if (params.empty()) throw std::invalid_argument("empty size");
  return params;
}

Size Workload::make_size(const std::map<std::string, int64_t>& params) const {
  const auto keys = size_keys();
  for (const auto& [key, value] : params) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string known;
      for (const auto& k : keys) known += (known.empty() ? "" : ", ") + k;
      throw std::invalid_argument("workload '" + name() + "' has no size key '" + key +
                                  "' (keys: " + known + ")");
    }
  }
  for (const auto& key : keys)
    if (!params.count(key))
      throw std::invalid_argument("workload '" + name() + "' needs size key '" + key + "'");
  return Size{size_label(params, keys), params};
}

Tolerance Workload::tolerance(DType dtype) const {
  switch (dtype) {
    case DType::f32:
      return {1e-5, 1e-4};
    case DType::f64:
      return {1e-12, 1e-10};
    default:
      return {0, 0};
  }
}

}  // namespace worthit
