// A workload: one computation with seeded inputs, a reference, a tolerance,
// and a cost model (bytes moved and FLOPs) for roofline numbers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "worthit/harness/buffer.h"

namespace worthit {

// One problem size: named dimensions, e.g. {"n": 1048576} or {"m":..,"n":..,"k":..}.
struct Size {
  std::string label;
  std::map<std::string, int64_t> params;

  int64_t at(const std::string& key) const;  // throws std::out_of_range naming the key
};

// Joins params as "k=v,k=v" in the given key order.
std::string size_label(const std::map<std::string, int64_t>& params,
                       const std::vector<std::string>& key_order);
// Parses "k=v,k=v" where v may carry a K, M or G suffix (powers of 1024).
// Throws std::invalid_argument with a one-line message.
std::map<std::string, int64_t> parse_size_params(std::string_view text);

// An element passes when |actual - expected| <= abs + rel * |expected|.
struct Tolerance {
  double abs = 0;
  double rel = 0;
};

class Workload {
 public:
  virtual ~Workload() = default;

  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  // The dimension names a size needs, in display order.
  virtual std::vector<std::string> size_keys() const = 0;
  // The default suite's sizes, from in-cache to well past the last-level cache.
  virtual std::vector<Size> sizes() const = 0;
  // A few small sizes for --quick.
  virtual std::vector<Size> quick_sizes() const = 0;
  // Builds a size from user-given params; throws std::invalid_argument when a
  // key is missing, unknown or out of range.
  virtual Size make_size(const std::map<std::string, int64_t>& params) const;

  // Same seed, same size: bit-identical inputs, on every machine.
  virtual Buffers make_inputs(const Size& size, uint64_t seed) const = 0;
  // Output buffers with their shapes and dtypes; contents unspecified.
  virtual Buffers make_outputs(const Size& size) const = 0;
  virtual void reference(const Buffers& inputs, Buffers& outputs) const = 0;
  virtual Tolerance tolerance(DType dtype) const;

  virtual double bytes_moved(const Size& size) const = 0;
  virtual double flops(const Size& size) const = 0;
};

}  // namespace worthit
