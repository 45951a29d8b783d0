#pragma once
// dctwin-calibrate: shared types, error checks and the one CSV row format.
// Every CUDA and cuBLASLt call is checked: exit code 0 proves nothing on its own.
#include <cublasLt.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace calib {

// A failed call or a result that failed its check. The suite stops on the first one:
// numbers measured after a broken call are not trustworthy.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(cudaError_t e, const char* what, const char* file, int line);
void check(cublasStatus_t s, const char* what, const char* file, int line);
#define CALIB_CHECK(x) ::calib::check((x), #x, __FILE__, __LINE__)
// After each kernel launch: launch errors only show up through cudaGetLastError.
#define CALIB_LAUNCHED(name) ::calib::check(cudaGetLastError(), name, __FILE__, __LINE__)

enum class Dtype { kBf16, kFp8E4M3, kTf32, kFp32 };
const char* name(Dtype t);
std::size_t input_bytes(Dtype t);   // one element of A or B
Dtype output_type(Dtype t);         // D: bf16 for bf16 and fp8 inputs, fp32 for tf32
std::size_t element_bytes(Dtype t);
// Largest accepted ||out - ref|| / ||ref|| against a float64 CPU reference on the same
// (already rounded) inputs; see .library/device/METHOD.md and docs/calibration.md.
double tolerance(Dtype t);

// One row of the long-format CSV. Context columns (GPU, driver, clocks, power limit) are
// added by the writer; clocks are read right after the measurement by Context::stamp.
struct Row {
  Row() = default;
  Row(std::string b, std::string v, std::string d)
      : benchmark(std::move(b)), variant(std::move(v)), dtype(std::move(d)) {}
  std::string benchmark, variant, dtype;
  std::optional<double> m, n, k, bytes, duty_pct;
  std::string metric;
  double value = 0;
  std::string unit;
  int repeats = 1;
  std::optional<double> check_rel_error;
  std::optional<double> sm_clock_mhz, mem_clock_mhz, power_limit_w;
};

}  // namespace calib
