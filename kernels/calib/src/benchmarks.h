#pragma once
// The benchmarks of dctwin-calibrate. Each writes its rows through ctx and counts results that
// failed their check in failed_checks (those are reported, never written as measurements).
#include <string>
#include <vector>

#include "context.h"
#include "gemm.h"

namespace calib {

struct GemmCase {
  GemmShape shape;
  std::string variant;  // square, or llm7b_qkv, llm70b_down, ...
};
std::vector<GemmCase> gemm_plan(bool quick, bool with_fp8);
void run_gemm_sweep(Context& ctx, const std::vector<GemmCase>& plan, int& failed_checks);

// STREAM copy/scale/add/triad from 1 MiB to several GiB of working set (the L2 knee shows).
std::vector<std::size_t> stream_plan(bool quick, std::size_t memory_bytes);  // bytes per array
void run_stream(Context& ctx, const std::vector<std::size_t>& array_bytes, int& failed_checks);

// Host <-> device copies, pinned and pageable; kernel launch overhead.
std::vector<std::size_t> memcpy_plan(bool quick);
void run_memcpy(Context& ctx, const std::vector<std::size_t>& sizes, int& failed_checks);
void run_launch(Context& ctx, int& failed_checks);

// Power against duty cycle from NVML energy-counter deltas. Needs NVML's energy counter.
struct PowerPlan {
  double cooldown_s, settle_s, window_s;
  std::vector<int> duties;
  bool memory_load;
  int levels() const { return 1 + static_cast<int>(duties.size()) * (memory_load ? 2 : 1); }
  double seconds() const { return levels() * (cooldown_s + settle_s + window_s); }
};
PowerPlan power_plan(bool quick);
void run_power(Context& ctx, const PowerPlan& plan, int& failed_checks);

// Device-side STREAM pieces shared with the power memory load.
struct StreamArrays {
  float *a = nullptr, *b = nullptr, *c = nullptr;
  std::size_t floats = 0;
};
StreamArrays alloc_stream_arrays(std::size_t array_bytes, cudaStream_t stream);  // b, c random
void free_stream_arrays(StreamArrays& s);
enum class StreamKernel { kCopy, kScale, kAdd, kTriad };
void launch_stream(StreamKernel k, const StreamArrays& s, std::size_t floats, int sm_count, cudaStream_t stream);
// Elements of a[0, floats) that differ from the kernel's formula (waits for the stream).
std::size_t stream_mismatches(StreamKernel k, const StreamArrays& s, std::size_t floats, cudaStream_t stream);

}  // namespace calib
