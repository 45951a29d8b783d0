#include <algorithm>
#include <cmath>
#include <cstdio>

#include "benchmarks.h"

namespace calib {
namespace {

// Layers of two decoder-only LLMs, (n, k) = (output, input features) per token:
// Llama-2-7B (hidden 4096, MLP 11008, 32 heads) and Llama-2-70B (hidden 8192, MLP 28672,
// 8 key/value heads of 128), q/k/v and gate/up fused as inference engines run them.
struct Layer {
  const char* name;
  long n, k;
};
const Layer kLlm7b[] = {{"llm7b_qkv", 12288, 4096}, {"llm7b_o", 4096, 4096}, {"llm7b_gate_up", 22016, 4096},
                        {"llm7b_down", 4096, 11008}};
const Layer kLlm70b[] = {{"llm70b_qkv", 10240, 8192}, {"llm70b_o", 8192, 8192}, {"llm70b_gate_up", 57344, 8192},
                         {"llm70b_down", 8192, 28672}};

std::size_t round_up(std::size_t b) { return (b + 255) / 256 * 256; }

// Enough input/output sets that a rotation through them overflows L2 three times: each call
// then reads its operands from HBM, as a layer in a real model does.
struct Pool {
  Pool(const GemmShape& s, std::size_t l2, cudaStream_t stream) {
    xb = round_up(static_cast<std::size_t>(s.m * s.k) * input_bytes(s.dtype));
    wb = round_up(static_cast<std::size_t>(s.n * s.k) * input_bytes(s.dtype));
    yb = round_up(static_cast<std::size_t>(s.m * s.n) * element_bytes(output_type(s.dtype)));
    sets = static_cast<int>(std::clamp<std::size_t>((3 * l2 + xb + wb + yb - 1) / (xb + wb + yb), 1, 256));
    CALIB_CHECK(cudaMalloc(&x, xb * sets));
    CALIB_CHECK(cudaMalloc(&w, wb * sets));
    CALIB_CHECK(cudaMalloc(&y, yb * sets));
    fill_uniform(x, xb * sets / input_bytes(s.dtype), s.dtype, 1, stream);
    fill_uniform(w, wb * sets / input_bytes(s.dtype), s.dtype, 2, stream);
    poison(y, yb * sets, stream);
  }
  ~Pool() {
    cudaFree(x);
    cudaFree(w);
    cudaFree(y);
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  void* at(void* base, std::size_t stride, long i) const { return static_cast<char*>(base) + stride * (i % sets); }
  void *x = nullptr, *w = nullptr, *y = nullptr;
  std::size_t xb = 0, wb = 0, yb = 0;
  int sets = 1;
};

}  // namespace

std::vector<GemmCase> gemm_plan(bool quick, bool with_fp8) {
  std::vector<Dtype> types{Dtype::kBf16};
  if (with_fp8) types.push_back(Dtype::kFp8E4M3);
  types.push_back(Dtype::kTf32);
  const std::vector<long> sides = quick ? std::vector<long>{256, 512, 1024, 2048, 4096, 8192}
                                        : std::vector<long>{256,  384,  512,  768,  1024,  1536, 2048,
                                                            3072, 4096, 6144, 8192, 12288, 16384};
  const std::vector<long> tokens = quick ? std::vector<long>{1, 32, 128} : std::vector<long>{1, 8, 32, 128};
  std::vector<GemmCase> plan;
  for (Dtype t : types) {
    for (long s : sides) plan.push_back({{t, s, s, s}, "square"});
    if (quick && t == Dtype::kTf32) continue;  // the quick run keeps tf32 to squares
    for (long m : tokens) {
      for (const Layer& l : kLlm7b) plan.push_back({{t, m, l.n, l.k}, l.name});
      if (quick) continue;
      for (const Layer& l : kLlm70b) plan.push_back({{t, m, l.n, l.k}, l.name});
    }
  }
  return plan;
}

void run_gemm_sweep(Context& ctx, const std::vector<GemmCase>& plan, int& failed_checks) {
  for (const GemmCase& c : plan) {
    const GemmShape& s = c.shape;
    char label[128];
    std::snprintf(label, sizeof label, "gemm %-7s %-14s %5ld x %5ld x %5ld", name(s.dtype), c.variant.c_str(), s.m,
                  s.n, s.k);
    const LtGemm gemm(ctx.lt, s, ctx.workspace_bytes);
    if (!gemm.supported()) {
      std::printf("%s  skipped: no cuBLASLt algorithm on this device\n", label);
      continue;
    }
    Pool pool(s, ctx.dev.l2_bytes, ctx.stream);
    const auto call = [&](long i) {
      gemm.run(pool.at(pool.x, pool.xb, i), pool.at(pool.w, pool.wb, i), pool.at(pool.y, pool.yb, i), ctx.workspace,
               ctx.stream);
    };
    // Warm-up runs every set once, so each output set has been written before the check.
    const Timing t = time_median(ctx.stream, call, ctx.quick ? 0.005 : 0.01, ctx.quick ? 7 : 11, pool.sets);
    Row r{"gemm", c.variant, name(s.dtype)};
    ctx.stamp(r);
    std::size_t bad = 0;
    const std::size_t y_elems = static_cast<std::size_t>(s.m * s.n);
    for (int set = 0; set < pool.sets; ++set) {
      bad += count_nonfinite(pool.at(pool.y, pool.yb, set), y_elems, output_type(s.dtype), ctx.stream);
    }
    const double err = sampled_rel_error(s, pool.x, pool.w, pool.y, 16, 16, static_cast<std::uint64_t>(s.m * 31 + s.n));
    if (bad > 0 || !(err <= tolerance(s.dtype))) {
      std::fprintf(stderr, "%s  CHECK FAILED: %zu non-finite outputs, rel error %.3g (limit %.1g)\n", label, bad, err,
                   tolerance(s.dtype));
      ++failed_checks;
      continue;
    }
    r.m = static_cast<double>(s.m);
    r.n = static_cast<double>(s.n);
    r.k = static_cast<double>(s.k);
    r.bytes = s.min_bytes();
    r.repeats = t.batches;
    r.check_rel_error = err;
    r.metric = "throughput";
    r.unit = "tflops";
    r.value = s.flops() / t.seconds / 1e12;
    ctx.add(r);
    r.metric = "time";
    r.unit = "us";
    r.value = t.seconds * 1e6;
    ctx.add(r);
    std::printf("%s  %8.1f TFLOP/s  %10.1f us  rel err %.2g  (%d sets)\n", label, s.flops() / t.seconds / 1e12,
                t.seconds * 1e6, err, pool.sets);
  }
}

}  // namespace calib
