// STREAM-like bandwidth: copy a = b, scale a = q b, add a = b + c, triad a = b + q c, on
// float4 (16-byte accesses, coalesced), grid-stride. b and c hold values that are a pure
// function of the index, so the check recomputes every output element independently of memory.
#include <algorithm>
#include <cstdio>

#include "benchmarks.h"
#include "device_count.cuh"

namespace calib {
namespace {

constexpr float kQ = 3.0f;

__host__ __device__ float value_at(std::size_t i, unsigned salt) {
  unsigned h = static_cast<unsigned>(i * 2654435761u) ^ salt;
  h ^= h >> 16;
  h *= 0x7feb352du;
  h ^= h >> 15;
  return 1.0f + static_cast<float>(h >> 8) * 0x1p-24f;  // [1, 2): never zero
}

// The one formula both the benchmark kernel and the check use; explicit rounding intrinsics
// so the compiler cannot contract differently in the two places.
__device__ float formula(int k, float b, float c) {
  switch (k) {
    case 0: return b;
    case 1: return __fmul_rn(kQ, b);
    case 2: return __fadd_rn(b, c);
    default: return __fmaf_rn(kQ, c, b);
  }
}

__global__ void init_kernel(float* b, float* c, std::size_t n) {
  for (std::size_t i = blockIdx.x * std::size_t{blockDim.x} + threadIdx.x; i < n; i += std::size_t{gridDim.x} * blockDim.x) {
    b[i] = value_at(i, 0x1234u);
    c[i] = value_at(i, 0xabcdu);
  }
}

template <int K>
__global__ void stream_kernel(float4* __restrict__ a, const float4* __restrict__ b, const float4* __restrict__ c,
                              std::size_t n4) {
  for (std::size_t i = blockIdx.x * std::size_t{blockDim.x} + threadIdx.x; i < n4; i += std::size_t{gridDim.x} * blockDim.x) {
    const float4 x = b[i];
    const float4 y = (K >= 2) ? c[i] : x;  // copy and scale never read c
    a[i] = make_float4(formula(K, x.x, y.x), formula(K, x.y, y.y), formula(K, x.z, y.z), formula(K, x.w, y.w));
  }
}

__global__ void check_kernel(int k, const float* a, std::size_t n, unsigned long long* bad) {
  unsigned long long mine = 0;
  for (std::size_t i = blockIdx.x * std::size_t{blockDim.x} + threadIdx.x; i < n; i += std::size_t{gridDim.x} * blockDim.x) {
    const float want = formula(k, value_at(i, 0x1234u), value_at(i, 0xabcdu));
    mine += __float_as_uint(a[i]) != __float_as_uint(want);
  }
  if (mine) atomicAdd(bad, mine);
}

const char* kernel_name(StreamKernel k) {
  const char* names[] = {"copy", "scale", "add", "triad"};
  return names[static_cast<int>(k)];
}
int arrays_touched(StreamKernel k) { return k == StreamKernel::kCopy || k == StreamKernel::kScale ? 2 : 3; }

}  // namespace

StreamArrays alloc_stream_arrays(std::size_t array_bytes, cudaStream_t stream) {
  StreamArrays s;
  s.floats = array_bytes / sizeof(float) / 4 * 4;
  CALIB_CHECK(cudaMalloc(&s.a, s.floats * sizeof(float)));
  CALIB_CHECK(cudaMalloc(&s.b, s.floats * sizeof(float)));
  CALIB_CHECK(cudaMalloc(&s.c, s.floats * sizeof(float)));
  init_kernel<<<4096, 256, 0, stream>>>(s.b, s.c, s.floats);
  CALIB_LAUNCHED("init_kernel");
  return s;
}

void free_stream_arrays(StreamArrays& s) {
  cudaFree(s.a);
  cudaFree(s.b);
  cudaFree(s.c);
  s = {};
}

void launch_stream(StreamKernel k, const StreamArrays& s, std::size_t floats, int sm_count, cudaStream_t stream) {
  const std::size_t n4 = floats / 4;
  // Enough blocks to fill every SM several times over, no more: grid-stride covers the rest.
  const unsigned grid = static_cast<unsigned>(std::clamp<std::size_t>((n4 + 255) / 256, 1, 8u * sm_count));
  auto a = reinterpret_cast<float4*>(s.a);
  auto b = reinterpret_cast<const float4*>(s.b);
  auto c = reinterpret_cast<const float4*>(s.c);
  switch (k) {
    case StreamKernel::kCopy: stream_kernel<0><<<grid, 256, 0, stream>>>(a, b, c, n4); break;
    case StreamKernel::kScale: stream_kernel<1><<<grid, 256, 0, stream>>>(a, b, c, n4); break;
    case StreamKernel::kAdd: stream_kernel<2><<<grid, 256, 0, stream>>>(a, b, c, n4); break;
    case StreamKernel::kTriad: stream_kernel<3><<<grid, 256, 0, stream>>>(a, b, c, n4); break;
  }
  CALIB_LAUNCHED("stream_kernel");
}

std::size_t stream_mismatches(StreamKernel k, const StreamArrays& s, std::size_t floats, cudaStream_t stream) {
  return count_on_device(stream, "check_kernel", [&](unsigned long long* bad) {
    check_kernel<<<4096, 256, 0, stream>>>(static_cast<int>(k), s.a, floats, bad);
  });
}

std::vector<std::size_t> stream_plan(bool quick, std::size_t memory_bytes) {
  // Arrays from 256 KiB (working sets from 512 KiB) doubling; the largest stays under a
  // quarter of device memory for three arrays.
  std::vector<std::size_t> out;
  const std::size_t top = std::min<std::size_t>(quick ? (std::size_t{1} << 30) : (std::size_t{2} << 30), memory_bytes / 12);
  for (std::size_t b = 256u << 10; b <= top; b *= quick ? 4 : 2) out.push_back(b);
  return out;
}

void run_stream(Context& ctx, const std::vector<std::size_t>& array_bytes, int& failed_checks) {
  if (array_bytes.empty()) return;
  StreamArrays s = alloc_stream_arrays(array_bytes.back(), ctx.stream);
  for (std::size_t bytes : array_bytes) {
    const std::size_t floats = bytes / sizeof(float);
    for (StreamKernel k : {StreamKernel::kCopy, StreamKernel::kScale, StreamKernel::kAdd, StreamKernel::kTriad}) {
      poison(s.a, floats * sizeof(float), ctx.stream);
      // Same buffers every call: small sizes are meant to sit in L2, that is the knee.
      const Timing t = time_median(ctx.stream, [&](long) { launch_stream(k, s, floats, ctx.dev.sm_count, ctx.stream); },
                                   0.002, ctx.quick ? 7 : 15, 3);
      Row r{"stream", kernel_name(k), "fp32"};
      ctx.stamp(r);
      const std::size_t bad = stream_mismatches(k, s, floats, ctx.stream);
      const double moved = static_cast<double>(arrays_touched(k)) * static_cast<double>(bytes);
      if (bad) {
        std::fprintf(stderr, "stream %s %zu B: CHECK FAILED, %zu of %zu elements wrong\n", kernel_name(k), bytes, bad,
                     floats);
        ++failed_checks;
        continue;
      }
      r.bytes = moved;
      r.metric = "bandwidth";
      r.unit = "gbps";
      r.value = moved / t.seconds / 1e9;
      r.repeats = t.batches;
      r.check_rel_error = 0.0;
      ctx.add(r);
      if (k == StreamKernel::kTriad) std::printf("stream triad %11.0f B  %8.0f GB/s\n", moved, r.value);
    }
  }
  free_stream_arrays(s);
}

}  // namespace calib
