#include <cuda_bf16.h>
#include <cuda_fp8.h>

#include "device_count.cuh"
#include "gemm.h"

namespace calib {
namespace {

__host__ __device__ std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

__global__ void fill_kernel(void* p, std::size_t count, int type, std::uint64_t seed) {
  for (std::size_t i = blockIdx.x * std::size_t{blockDim.x} + threadIdx.x; i < count;
       i += std::size_t{gridDim.x} * blockDim.x) {
    const float u = static_cast<float>(splitmix64(seed ^ (i * 0xD1B54A32D192ED03ull)) >> 40) * 0x1p-23f - 1.0f;
    if (type == static_cast<int>(Dtype::kBf16)) static_cast<__nv_bfloat16*>(p)[i] = __float2bfloat16_rn(u);
    if (type == static_cast<int>(Dtype::kFp8E4M3)) static_cast<__nv_fp8_e4m3*>(p)[i] = __nv_fp8_e4m3(u);
    if (type == static_cast<int>(Dtype::kTf32) || type == static_cast<int>(Dtype::kFp32)) static_cast<float*>(p)[i] = u;
  }
}

__global__ void nonfinite_kernel(const void* p, std::size_t count, int type, unsigned long long* bad) {
  unsigned long long mine = 0;
  for (std::size_t i = blockIdx.x * std::size_t{blockDim.x} + threadIdx.x; i < count;
       i += std::size_t{gridDim.x} * blockDim.x) {
    const float v = type == static_cast<int>(Dtype::kBf16) ? __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i])
                                                           : static_cast<const float*>(p)[i];
    mine += isfinite(v) ? 0 : 1;
  }
  if (mine) atomicAdd(bad, mine);
}

cudaDataType_t cuda_type(Dtype t) {
  switch (t) {
    case Dtype::kBf16: return CUDA_R_16BF;
    case Dtype::kFp8E4M3: return CUDA_R_8F_E4M3;
    default: return CUDA_R_32F;
  }
}

unsigned grid_for(std::size_t count) {
  const std::size_t blocks = (count + 255) / 256;
  return static_cast<unsigned>(blocks < 4096 ? (blocks ? blocks : 1) : 4096);
}

}  // namespace

double GemmShape::min_bytes() const {
  const double in = static_cast<double>(input_bytes(dtype)), out = static_cast<double>(element_bytes(output_type(dtype)));
  return in * (static_cast<double>(m) * k + static_cast<double>(n) * k) + out * static_cast<double>(m) * n;
}

LtGemm::LtGemm(cublasLtHandle_t lt, const GemmShape& s, std::size_t workspace_bytes)
    : lt_(lt), s_(s), workspace_bytes_(workspace_bytes) {
  const cublasComputeType_t compute = s.dtype == Dtype::kTf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  CALIB_CHECK(cublasLtMatmulDescCreate(&op_, compute, CUDA_R_32F));
  const cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
  CALIB_CHECK(cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta));
  CALIB_CHECK(cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb));
  const cudaDataType_t in = cuda_type(s.dtype), out = cuda_type(output_type(s.dtype));
  const auto u = [](long v) { return static_cast<std::uint64_t>(v); };
  CALIB_CHECK(cublasLtMatrixLayoutCreate(&a_, in, u(s.k), u(s.n), s.k));   // W: k x n col-major
  CALIB_CHECK(cublasLtMatrixLayoutCreate(&b_, in, u(s.k), u(s.m), s.k));   // X: k x m col-major
  CALIB_CHECK(cublasLtMatrixLayoutCreate(&d_, out, u(s.n), u(s.m), s.n));  // Y: n x m col-major
  cublasLtMatmulPreference_t pref = nullptr;
  CALIB_CHECK(cublasLtMatmulPreferenceCreate(&pref));
  CALIB_CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace_bytes_,
                                                   sizeof workspace_bytes_));
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  const cublasStatus_t st = cublasLtMatmulAlgoGetHeuristic(lt_, op_, a_, b_, d_, d_, pref, 1, &result, &found);
  cublasLtMatmulPreferenceDestroy(pref);
  supported_ = st == CUBLAS_STATUS_SUCCESS && found > 0;
  if (supported_) algo_ = result.algo;
}

LtGemm::~LtGemm() {
  if (d_) cublasLtMatrixLayoutDestroy(d_);
  if (b_) cublasLtMatrixLayoutDestroy(b_);
  if (a_) cublasLtMatrixLayoutDestroy(a_);
  if (op_) cublasLtMatmulDescDestroy(op_);
}

void LtGemm::run(const void* x, const void* w, void* y, void* workspace, cudaStream_t stream) const {
  if (!supported_) throw Failure("LtGemm::run on an unsupported shape");
  const float alpha = 1.0f, beta = 0.0f;  // beta 0: C is not read, D alone is written
  CALIB_CHECK(cublasLtMatmul(lt_, op_, &alpha, w, a_, x, b_, &beta, y, d_, y, d_, &algo_, workspace,
                             workspace_bytes_, stream));
}

void fill_uniform(void* p, std::size_t count, Dtype t, std::uint64_t seed, cudaStream_t stream) {
  fill_kernel<<<grid_for(count), 256, 0, stream>>>(p, count, static_cast<int>(t), splitmix64(seed));
  CALIB_LAUNCHED("fill_kernel");
}

void poison(void* p, std::size_t bytes, cudaStream_t stream) { CALIB_CHECK(cudaMemsetAsync(p, 0xFF, bytes, stream)); }

std::size_t count_nonfinite(const void* p, std::size_t count, Dtype t, cudaStream_t stream) {
  return count_on_device(stream, "nonfinite_kernel", [&](unsigned long long* bad) {
    nonfinite_kernel<<<grid_for(count), 256, 0, stream>>>(p, count, static_cast<int>(t), bad);
  });
}

}  // namespace calib
