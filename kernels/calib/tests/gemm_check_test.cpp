// A small GEMM through the suite's own cuBLASLt path (LtGemm, fill_uniform, the sampled
// reference) matches a float64 CPU reference on every output. Exit 77 without a GPU, so ctest
// reports it as skipped. The host-only decoding checks run everywhere first.
#include <cmath>
#include <cstdio>
#include <string>

#include "context.h"
#include "gemm.h"

namespace {

using namespace calib;

int failures = 0;

void expect(bool ok, const std::string& what) {
  std::printf("%s  %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++failures;
}

void decoding() {
  const unsigned char bf16_one[] = {0x80, 0x3F}, bf16_neg[] = {0xC0, 0xBF};  // 1.0, -1.5
  expect(decode(Dtype::kBf16, bf16_one) == 1.0, "bf16 0x3F80 is 1.0");
  expect(decode(Dtype::kBf16, bf16_neg) == -1.5, "bf16 0xBFC0 is -1.5");
  const unsigned char e4m3[] = {0x38, 0x7E, 0x01, 0xB8, 0x7F};  // 1, 448, 2^-9, -1, NaN
  expect(decode(Dtype::kFp8E4M3, e4m3) == 1.0, "e4m3 0x38 is 1.0");
  expect(decode(Dtype::kFp8E4M3, e4m3 + 1) == 448.0, "e4m3 0x7E is 448");
  expect(decode(Dtype::kFp8E4M3, e4m3 + 2) == std::ldexp(1.0, -9), "e4m3 0x01 is 2^-9");
  expect(decode(Dtype::kFp8E4M3, e4m3 + 3) == -1.0, "e4m3 0xB8 is -1.0");
  expect(std::isnan(decode(Dtype::kFp8E4M3, e4m3 + 4)), "e4m3 0x7F is NaN");
}

// `optional`: cuBLASLt may offer no algorithm (FP8 with one token); the suite then skips the
// shape, so the test does too. Every other case must run.
void gemm_case(cublasLtHandle_t lt, void* workspace, std::size_t ws, const GemmShape& s, bool optional = false) {
  char label[96];
  std::snprintf(label, sizeof label, "%s %ld x %ld x %ld", name(s.dtype), s.m, s.n, s.k);
  const LtGemm gemm(lt, s, ws);
  if (!gemm.supported()) {
    if (optional) std::printf("skip  %s: cuBLASLt offers no algorithm\n", label);
    expect(optional, std::string(label) + ": cuBLASLt has an algorithm");
    return;
  }
  const std::size_t xe = static_cast<std::size_t>(s.m * s.k), we = static_cast<std::size_t>(s.n * s.k),
                    ye = static_cast<std::size_t>(s.m * s.n);
  void *x = nullptr, *w = nullptr, *y = nullptr;
  CALIB_CHECK(cudaMalloc(&x, xe * input_bytes(s.dtype)));
  CALIB_CHECK(cudaMalloc(&w, we * input_bytes(s.dtype)));
  CALIB_CHECK(cudaMalloc(&y, ye * element_bytes(output_type(s.dtype))));
  fill_uniform(x, xe, s.dtype, 101, nullptr);
  fill_uniform(w, we, s.dtype, 102, nullptr);
  poison(y, ye * element_bytes(output_type(s.dtype)), nullptr);
  // The check must catch an output nobody wrote.
  const double unwritten = sampled_rel_error(s, x, w, y, 4, 4, 1);
  expect(std::isnan(unwritten) && count_nonfinite(y, ye, output_type(s.dtype), nullptr) == ye,
         std::string(label) + ": poisoned output fails the check");
  gemm.run(x, w, y, workspace, nullptr);
  CALIB_CHECK(cudaDeviceSynchronize());
  const double err = sampled_rel_error(s, x, w, y, static_cast<int>(s.m), static_cast<int>(s.n), 1);
  char line[160];
  std::snprintf(line, sizeof line, "%s: all outputs vs float64, rel error %.3g <= %.1g", label, err, tolerance(s.dtype));
  expect(count_nonfinite(y, ye, output_type(s.dtype), nullptr) == 0 && err <= tolerance(s.dtype), line);
  CALIB_CHECK(cudaFree(x));
  CALIB_CHECK(cudaFree(w));
  CALIB_CHECK(cudaFree(y));
}

}  // namespace

int main() {
  decoding();
  std::string why;
  try {
    const auto dev = find_device(why);
    if (!dev) {
      std::printf("skipped: no CUDA device (%s)\n", why.c_str());
      return failures ? 1 : 77;
    }
    cublasLtHandle_t lt = nullptr;
    void* workspace = nullptr;
    const std::size_t ws = 32u << 20;
    CALIB_CHECK(cublasLtCreate(&lt));
    CALIB_CHECK(cudaMalloc(&workspace, ws));
    for (Dtype t : {Dtype::kBf16, Dtype::kFp8E4M3, Dtype::kTf32}) {
      if (t == Dtype::kFp8E4M3 && dev->cc < 89) continue;  // no FP8 tensor cores before 8.9
      gemm_case(lt, workspace, ws, {t, 64, 128, 256});
      gemm_case(lt, workspace, ws, {t, 1, 256, 1024}, t == Dtype::kFp8E4M3);  // one token, as in decoding
    }
    CALIB_CHECK(cudaFree(workspace));
    CALIB_CHECK(cublasLtDestroy(lt));
  } catch (const Failure& e) {
    std::printf("FAIL  %s\n", e.what());
    return 1;
  }
  return failures ? 1 : 0;
}
