// Host <-> device copies (pinned and pageable) and kernel launch overhead.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "benchmarks.h"

namespace calib {
namespace {

// Counts its launches, so the launch benchmark has a result to check.
__global__ void tick_kernel(unsigned long long* n) {
  if (threadIdx.x == 0) atomicAdd(n, 1ull);
}

void fill_host(unsigned char* p, std::size_t n) {
  std::uint64_t x = 0x9E3779B97F4A7C15ull;
  for (std::size_t i = 0; i < n; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    p[i] = static_cast<unsigned char>(x);
  }
}

}  // namespace

std::vector<std::size_t> memcpy_plan(bool quick) {
  if (quick) return {1u << 20, 256u << 20};
  return {64u << 10, 1u << 20, 16u << 20, 256u << 20, 1u << 30};
}

void run_memcpy(Context& ctx, const std::vector<std::size_t>& sizes, int& failed_checks) {
  if (sizes.empty()) return;
  const std::size_t top = sizes.back();
  unsigned char *pinned = nullptr, *pinned_back = nullptr, *dev = nullptr;
  CALIB_CHECK(cudaMallocHost(&pinned, top));
  CALIB_CHECK(cudaMallocHost(&pinned_back, top));
  CALIB_CHECK(cudaMalloc(&dev, top));
  // Pageable: plain heap memory, written once so its pages exist before timing.
  std::unique_ptr<unsigned char[]> pageable(new unsigned char[top]), pageable_back(new unsigned char[top]);
  fill_host(pinned, top);
  fill_host(pageable.get(), top);
  std::memset(pageable_back.get(), 0, top);
  struct Variant {
    const char* name;
    unsigned char *src, *dst;
    cudaMemcpyKind kind;
  };
  const Variant variants[] = {{"h2d_pinned", pinned, dev, cudaMemcpyHostToDevice},
                              {"d2h_pinned", dev, pinned_back, cudaMemcpyDeviceToHost},
                              {"h2d_pageable", pageable.get(), dev, cudaMemcpyHostToDevice},
                              {"d2h_pageable", dev, pageable_back.get(), cudaMemcpyDeviceToHost}};
  for (std::size_t bytes : sizes) {
    for (const Variant& v : variants) {
      // Each d2h follows its h2d, so the bytes coming back must equal the bytes sent.
      const Timing t = time_median(ctx.stream, [&](long) {
        CALIB_CHECK(cudaMemcpyAsync(v.dst, v.src, bytes, v.kind, ctx.stream));
      }, 0.005, ctx.quick ? 5 : 9, 2);
      Row r{"memcpy", v.name, ""};
      ctx.stamp(r);
      CALIB_CHECK(cudaStreamSynchronize(ctx.stream));
      if (v.kind == cudaMemcpyDeviceToHost) {
        const unsigned char* sent = v.dst == pinned_back ? pinned : pageable.get();
        if (std::memcmp(sent, v.dst, bytes) != 0) {
          std::fprintf(stderr, "memcpy %s %zu B: CHECK FAILED, bytes differ after the round trip\n", v.name, bytes);
          ++failed_checks;
          continue;
        }
      }
      r.bytes = static_cast<double>(bytes);
      r.metric = "bandwidth";
      r.unit = "gbps";
      r.value = static_cast<double>(bytes) / t.seconds / 1e9;
      r.repeats = t.batches;
      r.check_rel_error = 0.0;
      ctx.add(r);
    }
  }
  std::printf("memcpy at %zu B: h2d pinned / pageable, d2h pinned / pageable measured\n", top);
  CALIB_CHECK(cudaFree(dev));
  CALIB_CHECK(cudaFreeHost(pinned));
  CALIB_CHECK(cudaFreeHost(pinned_back));
}

void run_launch(Context& ctx, int& failed_checks) {
  unsigned long long* counter = nullptr;
  CALIB_CHECK(cudaMalloc(&counter, sizeof *counter));
  CALIB_CHECK(cudaMemset(counter, 0, sizeof *counter));
  long launched = 0;
  auto launch = [&] {
    tick_kernel<<<1, 32, 0, ctx.stream>>>(counter);
    CALIB_LAUNCHED("tick_kernel");
    ++launched;
  };
  using clock = std::chrono::steady_clock;
  const int n = ctx.quick ? 2000 : 10000;
  std::vector<double> async_us, sync_us;
  for (int rep = 0; rep < 5; ++rep) {
    // Back to back: the host's enqueue rate, which bounds any stream of small kernels.
    const auto t0 = clock::now();
    for (int i = 0; i < n; ++i) launch();
    CALIB_CHECK(cudaStreamSynchronize(ctx.stream));
    async_us.push_back(std::chrono::duration<double, std::micro>(clock::now() - t0).count() / n);
  }
  for (int i = 0; i < 1000; ++i) {
    // One launch and a wait for it: the round trip a dependent step pays.
    const auto t0 = clock::now();
    launch();
    CALIB_CHECK(cudaStreamSynchronize(ctx.stream));
    sync_us.push_back(std::chrono::duration<double, std::micro>(clock::now() - t0).count());
  }
  Row r{"launch", "", ""};
  ctx.stamp(r);
  unsigned long long seen = 0;
  CALIB_CHECK(cudaMemcpy(&seen, counter, sizeof seen, cudaMemcpyDeviceToHost));
  CALIB_CHECK(cudaFree(counter));
  if (seen != static_cast<unsigned long long>(launched)) {
    std::fprintf(stderr, "launch: CHECK FAILED, %llu of %ld kernels ran\n", seen, launched);
    ++failed_checks;
    return;
  }
  for (auto* v : {&async_us, &sync_us}) std::sort(v->begin(), v->end());
  r.metric = "latency";
  r.unit = "us";
  r.check_rel_error = 0.0;
  r.variant = "async";
  r.value = async_us[async_us.size() / 2];
  r.repeats = static_cast<int>(async_us.size());
  ctx.add(r);
  r.variant = "sync";
  r.value = sync_us[sync_us.size() / 2];
  r.repeats = static_cast<int>(sync_us.size());
  ctx.add(r);
  std::printf("launch: %.2f us back to back, %.2f us launch + sync\n", async_us[async_us.size() / 2],
              sync_us[sync_us.size() / 2]);
}

}  // namespace calib
