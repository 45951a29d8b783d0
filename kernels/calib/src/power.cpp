// Power against duty cycle. Each level: a cool-down with the GPU idle, a settle period under the
// load, then a window of >= 5 s whose mean power is the NVML total-energy counter's delta over
// the window's wall time (instantaneous power readings are averaged over unknown intervals and
// lag; the counter does not). Duty: within each 100 ms period the load runs for duty x 100 ms
// and the GPU idles for the rest. Nothing about the card is changed, only load is applied.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "benchmarks.h"

namespace calib {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kPeriodS = 0.1;

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Load {
  const char* variant;
  const char* dtype;
  std::function<void()> call;  // one kernel (or GEMM) on ctx.stream
  double call_s = 0;           // its median duration, to size the on-phase
};

struct Window {
  double seconds = 0, busy_s = 0;
  std::vector<double> sm_clocks;
};

// Runs `load` at `duty` (0..1) for `seconds`; reads the SM clock during each on-phase.
Window run_duty(Context& ctx, const Load* load, double duty, double seconds) {
  Window w;
  const long calls = load && duty > 0 ? std::max(1L, std::lround(duty * kPeriodS / load->call_s)) : 0;
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < end) {
    const auto p0 = Clock::now();
    if (calls > 0) {
      for (long i = 0; i < calls; ++i) load->call();
      if (auto f = ctx.nvml.sm_clock_mhz()) w.sm_clocks.push_back(*f);
      CALIB_CHECK(cudaStreamSynchronize(ctx.stream));
      w.busy_s += std::chrono::duration<double>(Clock::now() - p0).count();
    }
    std::this_thread::sleep_until(p0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kPeriodS)));
  }
  w.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return w;
}

}  // namespace

PowerPlan power_plan(bool quick) {
  if (quick) return {2.0, 1.0, 5.0, {0, 50, 100}, false};
  return {5.0, 2.0, 6.0, {0, 25, 50, 75, 100}, true};
}

void run_power(Context& ctx, const PowerPlan& plan, int& failed_checks) {
  if (!ctx.nvml.available() || !ctx.nvml.energy_j()) {
    std::printf("power: skipped (%s)\n",
                ctx.nvml.available() ? "NVML has no energy counter for this GPU" : ctx.nvml.why_unavailable().c_str());
    return;
  }
  // Tensor-core load: a BF16 GEMM large enough to saturate the chip. Memory load: STREAM
  // triad over arrays far larger than L2.
  const GemmShape g{Dtype::kBf16, 8192, 8192, 8192};
  const LtGemm gemm(ctx.lt, g, ctx.workspace_bytes);
  if (!gemm.supported()) throw Failure("power: no cuBLASLt algorithm for the BF16 load GEMM");
  void *x = nullptr, *wt = nullptr, *y = nullptr;
  const std::size_t elems = static_cast<std::size_t>(g.m * g.k);
  CALIB_CHECK(cudaMalloc(&x, elems * 2));
  CALIB_CHECK(cudaMalloc(&wt, elems * 2));
  CALIB_CHECK(cudaMalloc(&y, elems * 2));
  fill_uniform(x, elems, Dtype::kBf16, 11, ctx.stream);
  fill_uniform(wt, elems, Dtype::kBf16, 12, ctx.stream);
  poison(y, elems * 2, ctx.stream);
  StreamArrays arrays = alloc_stream_arrays(std::size_t{1} << 30, ctx.stream);
  std::vector<Load> loads{{"tensor", "bf16", [&] { gemm.run(x, wt, y, ctx.workspace, ctx.stream); }}};
  if (plan.memory_load) {
    loads.push_back({"memory", "fp32", [&] {
                       launch_stream(StreamKernel::kTriad, arrays, arrays.floats, ctx.dev.sm_count, ctx.stream);
                     }});
  }
  for (Load& l : loads) l.call_s = time_median(ctx.stream, [&](long) { l.call(); }, 0.02, 5, 3).seconds;

  std::vector<Row> rows;
  auto measure = [&](const Load* load, int duty_pct) {
    std::this_thread::sleep_for(std::chrono::duration<double>(plan.cooldown_s));
    run_duty(ctx, load, duty_pct / 100.0, plan.settle_s);
    const double e0 = *ctx.nvml.energy_j();
    const Window w = run_duty(ctx, load, duty_pct / 100.0, plan.window_s);
    const double e1 = *ctx.nvml.energy_j();
    if (!(e1 > e0)) {  // a powered GPU always draws: a counter that stands still is not a reading
      std::fprintf(stderr, "power %s duty %d %%: the energy counter did not advance; no row written\n",
                   load ? load->variant : "idle", duty_pct);
      ++failed_checks;
      return;
    }
    Row r{"power", load ? load->variant : "idle", load ? load->dtype : ""};
    ctx.stamp(r);
    if (!w.sm_clocks.empty()) r.sm_clock_mhz = median(w.sm_clocks);
    if (load) r.duty_pct = duty_pct;
    const auto push = [&rows, &r](std::string metric, std::string unit, double value) {
      Row row = r;
      row.metric = std::move(metric);
      row.unit = std::move(unit);
      row.value = value;
      rows.push_back(std::move(row));
    };
    push("power", "w", (e1 - e0) / w.seconds);
    push("energy", "j", e1 - e0);
    push("window", "s", w.seconds);
    if (load) push("achieved_duty", "pct", 100.0 * w.busy_s / w.seconds);
    if (auto t = ctx.nvml.temperature_c()) push("temperature", "c", *t);
    std::printf("power %-6s duty %3d %%  %7.1f W over %.1f s\n", load ? load->variant : "idle", duty_pct,
                (e1 - e0) / w.seconds, w.seconds);
  };
  measure(nullptr, 0);
  for (const Load& l : loads) {
    for (int d : plan.duties) measure(&l, d);
  }
  // The loads' results are checked once at the end; their rows are written only if they pass.
  const double err = sampled_rel_error(g, x, wt, y, 16, 16, 7);
  const std::size_t bad = count_nonfinite(y, elems, Dtype::kBf16, ctx.stream) +
                          (plan.memory_load ? stream_mismatches(StreamKernel::kTriad, arrays, arrays.floats, ctx.stream) : 0);
  free_stream_arrays(arrays);
  CALIB_CHECK(cudaFree(x));
  CALIB_CHECK(cudaFree(wt));
  CALIB_CHECK(cudaFree(y));
  if (bad > 0 || !(err <= tolerance(Dtype::kBf16))) {
    std::fprintf(stderr, "power: CHECK FAILED on the loads (rel error %.3g, %zu bad elements)\n", err, bad);
    ++failed_checks;
    return;
  }
  for (Row& r : rows) {
    if (r.variant != "idle") r.check_rel_error = r.dtype == "bf16" ? err : 0.0;
    ctx.add(r);
  }
}

}  // namespace calib
