// dctwin-calibrate: measures the GPU figures the twin's GPU model is fitted to (docs/calibration.md)
// and writes one long-format CSV. It only applies load: it never changes a clock, the power
// limit, persistence or any other setting of the card. Exit: 0 done, 1 a call or a check failed,
// 2 bad usage, 77 no CUDA device (ctest counts that as skipped).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "benchmarks.h"

namespace {

using namespace calib;

struct Options {
  std::string out;
  bool quick = false, skip_power = false;
};

const char* kUsage =
    "usage: dctwin-calibrate [--out FILE] [--quick] [--skip-power]\n"
    "  --out FILE     CSV to write (default: <gpu>-<date>.csv in the current folder)\n"
    "  --quick        a subset that takes about a minute\n"
    "  --skip-power   leave out the power-against-duty-cycle measurements\n";

std::string default_out(const std::string& gpu) {
  std::string slug;
  for (char c : gpu) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c));
    if (keep) slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!keep && !slug.empty() && slug.back() != '-') slug += '-';
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  char date[16];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
  return slug + "-" + date + ".csv";
}

// A rough duration from the plan and round datasheet-like rates; printed before the run.
double estimate_s(const Options& o, const std::vector<GemmCase>& gemms, const std::vector<std::size_t>& streams,
                  const std::vector<std::size_t>& copies, const PowerPlan& power) {
  double s = 2.0;  // context, handles, device rows
  for (const GemmCase& c : gemms) {
    const double rate = c.shape.dtype == Dtype::kFp8E4M3 ? 1.2e15 : c.shape.dtype == Dtype::kBf16 ? 6e14 : 3e14;
    const double call = c.shape.flops() / rate + c.shape.min_bytes() / 2.5e12;
    s += 0.05 + (o.quick ? 8 : 12) * std::max(o.quick ? 0.005 : 0.01, call) + 3 * call;
  }
  for (std::size_t b : streams) s += 4 * ((o.quick ? 8 : 16) * std::max(0.002, 3.0 * b / 2.5e12) + 0.01);
  for (std::size_t b : copies) s += 4 * (o.quick ? 6 : 10) * std::max(0.005, b / 8e9);
  s += 0.3;  // launch overhead
  if (!o.skip_power) s += power.seconds() + 2;
  return s;
}

void device_rows(Context& ctx) {
  const auto add = [&](const char* metric, double v, const char* unit) {
    Row r;
    r.benchmark = "device";
    r.metric = metric;
    r.value = v;
    r.unit = unit;
    ctx.add(r);
  };
  add("sm_count", ctx.dev.sm_count, "count");
  add("l2_cache", static_cast<double>(ctx.dev.l2_bytes), "bytes");
  add("memory", static_cast<double>(ctx.dev.memory_bytes), "bytes");
  add("compute_capability", ctx.dev.cc, "count");
  add("cublaslt_version", static_cast<double>(cublasLtGetVersion()), "count");
  if (auto f = ctx.nvml.max_sm_clock_mhz()) add("max_sm_clock", *f, "mhz");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--out") && i + 1 < argc) {
      o.out = argv[++i];
    } else if (!std::strcmp(argv[i], "--quick")) {
      o.quick = true;
    } else if (!std::strcmp(argv[i], "--skip-power")) {
      o.skip_power = true;
    } else {
      std::fputs(kUsage, !std::strcmp(argv[i], "--help") ? stdout : stderr);
      return !std::strcmp(argv[i], "--help") ? 0 : 2;
    }
  }
  std::string why;
  int failed = 0;
  try {
    const auto dev = find_device(why);
    if (!dev) {
      std::printf("dctwin-calibrate: no CUDA device (%s); nothing measured\n", why.c_str());
      return 77;
    }
    if (o.out.empty()) o.out = default_out(dev->name);
    Context ctx(*dev, o.out, o.quick);
    const auto gemms = gemm_plan(o.quick, ctx.dev.cc >= 89);  // FP8 E4M3 needs compute capability 8.9+
    const auto streams = stream_plan(o.quick, ctx.dev.memory_bytes);
    const auto copies = memcpy_plan(o.quick);
    const PowerPlan power = power_plan(o.quick);
    std::printf("%s (cc %d.%d, %d SMs, %zu MiB L2), driver %s, CUDA runtime %s\n", ctx.dev.name.c_str(),
                ctx.dev.cc / 10, ctx.dev.cc % 10, ctx.dev.sm_count, ctx.dev.l2_bytes >> 20, ctx.dev.driver.c_str(),
                ctx.dev.runtime.c_str());
    std::printf("NVML: %s\n", ctx.nvml.available() ? "available" : ctx.nvml.why_unavailable().c_str());
    std::printf("plan: %zu GEMMs, %zu STREAM sizes x 4, %zu copy sizes x 4, launch, %s\n", gemms.size(),
                streams.size(), copies.size(), o.skip_power ? "no power" : "power");
    std::printf("estimated run time: %.1f min\n", estimate_s(o, gemms, streams, copies, power) / 60);
    std::fflush(stdout);
    device_rows(ctx);
    run_gemm_sweep(ctx, gemms, failed);
    run_stream(ctx, streams, failed);
    run_memcpy(ctx, copies, failed);
    run_launch(ctx, failed);
    if (!o.skip_power) run_power(ctx, power, failed);
    ctx.csv.finish();
    std::printf("%d rows written to %s\n", ctx.csv.rows(), o.out.c_str());
  } catch (const Failure& e) {
    std::fprintf(stderr, "dctwin-calibrate: %s\n(rows so far are in %s.partial)\n", e.what(), o.out.c_str());
    return 1;
  }
  if (failed) {
    std::fprintf(stderr, "dctwin-calibrate: %d result(s) failed their check and were not written\n", failed);
    return 1;
  }
  return 0;
}
