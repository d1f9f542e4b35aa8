// csv_parse: a numeric CSV file's bytes -> float32 matrix (rows x cols).
//
// The input is the file's text in memory (a u8 buffer, as after reading or
// mmap-ing a file that sits in the page cache): every candidate parses the
// same bytes, and disk or page-cache copying is left out of the comparison,
// since it costs every parser the same. The text has a header line
// ("c0,c1,...") and values in four shapes: decimals ("-12.0345"), scientific
// ("3.25e-07", "-1.5E+12"), integers ("-40213") and small fractions
// ("0.000731"), half of them negative, '\n' line ends. docs/data-pipeline.md.
#pragma once

#include <string>

#include "worthit/harness/candidate.h"
#include "worthit/harness/workload.h"

namespace worthit::kernels {

class CsvParseWorkload final : public Workload {
 public:
  std::string name() const override { return "csv_parse"; }
  std::string description() const override;
  std::vector<std::string> size_keys() const override { return {"rows", "cols"}; }
  // 1, 10 and 100 MiB; 1 GB too when WORTHIT_CSV_LARGE=1 (or ask for it with
  // --sizes rows=8320000,cols=16).
  std::vector<Size> sizes() const override;
  std::vector<Size> quick_sizes() const override;
  Size make_size(const std::map<std::string, int64_t>& params) const override;
  Buffers make_inputs(const Size& size, uint64_t seed) const override;
  Buffers make_outputs(const Size& size) const override;
  void reference(const Buffers& inputs, Buffers& outputs) const override;
  Tolerance tolerance(DType dtype) const override;
  double bytes_moved(const Size& size) const override;
  double flops(const Size& size) const override;
};

// The expected size of the generated text: exact in expectation, within 0.1%
// of the real file for 1 MiB and more.
double csv_expected_bytes(int64_t rows, int64_t cols);

// The generator, exposed for tests and examples: the text for a seed.
std::string make_csv_text(int64_t rows, int64_t cols, uint64_t seed);

Candidate csv_fast_float_candidate();  // csv_fast_float.cpp

}  // namespace worthit::kernels
