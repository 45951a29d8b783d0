#pragma once
// One GEMM through cuBLASLt, the path both the sweep and the CUDA test use.
// Shapes are in the LLM convention, row-major: Y[m x n] = X[m x k] * W[n x k]^T, with m the
// tokens (small in inference), n the output and k the input features. In cuBLAS's column-major
// terms that is D(n x m) = op(A = W)^T * B(= X): the "TN" layout, which FP8 requires.
#include <cstdint>
#include <vector>

#include "common.h"

namespace calib {

struct GemmShape {
  Dtype dtype = Dtype::kBf16;
  long m = 0, n = 0, k = 0;
  double flops() const { return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k); }
  // The fewest bytes a GEMM must move: X and W read once, Y written once.
  double min_bytes() const;
};

class LtGemm {
 public:
  LtGemm(cublasLtHandle_t lt, const GemmShape& s, std::size_t workspace_bytes);
  ~LtGemm();
  LtGemm(const LtGemm&) = delete;
  LtGemm& operator=(const LtGemm&) = delete;

  // False when cuBLASLt has no algorithm for this shape and dtype on this device.
  bool supported() const { return supported_; }
  void run(const void* x, const void* w, void* y, void* workspace, cudaStream_t stream) const;

 private:
  cublasLtHandle_t lt_;
  GemmShape s_;
  std::size_t workspace_bytes_;
  cublasLtMatmulDesc_t op_ = nullptr;
  cublasLtMatrixLayout_t a_ = nullptr, b_ = nullptr, d_ = nullptr;
  cublasLtMatmulAlgo_t algo_{};
  bool supported_ = false;
};

// Uniform random values in [-1, 1) from a counter hash, rounded to `t` (never zeros: they
// hide unwritten outputs and can run faster than real data).
void fill_uniform(void* p, std::size_t count, Dtype t, std::uint64_t seed, cudaStream_t stream);
// NaN bytes everywhere, so an unwritten output cannot pass.
void poison(void* p, std::size_t bytes, cudaStream_t stream);
// Elements that are NaN or infinite (waits for the stream).
std::size_t count_nonfinite(const void* p, std::size_t count, Dtype t, cudaStream_t stream);

// ||Y - ref|| / ||ref|| over up to rows x cols sampled outputs, ref computed in float64 on the
// CPU from the same inputs. NaN when any sampled output is not finite.
double sampled_rel_error(const GemmShape& s, const void* x, const void* w, const void* y, int rows, int cols,
                         std::uint64_t seed);
// Host decoding of one stored element.
double decode(Dtype t, const unsigned char* p);

}  // namespace calib
