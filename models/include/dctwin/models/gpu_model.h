#pragma once
// GPU node performance and power. A node is `gpus_per_node` GPUs plus a host (CPUs, memory,
// NICs, fans). Each performance state (pstate) scales the GPU clock; throughput scales with
// the clock and the GPUs' dynamic power with clock^exponent. Equations: docs/models.md.
#include <string>
#include <vector>

namespace dctwin::models {

// What a GPU profile in data/gpus/ says, as plain values.
struct GpuProfile {
  std::string id;              // file stem, e.g. "h100-sxm"
  std::string name;            // e.g. "NVIDIA H100 SXM5 80GB"
  bool calibrated = false;     // false: datasheet figures and estimates, no measurement
  int gpus_per_node = 8;
  double peak_dense_bf16_flops = 0;   // per GPU, datasheet
  double sustained_fraction = 0;      // achieved / peak on the job mix (MFU)
  double gpu_idle_w = 0;              // per GPU, no work
  double gpu_busy_w = 0;              // per GPU, sustained load at full clock
  double host_idle_w = 0;             // rest of the node, no work
  double host_busy_w = 0;             // rest of the node, all GPUs busy
  double power_clock_exponent = 2.0;  // GPU dynamic power ~ clock^exponent
  std::vector<double> pstate_clocks;  // clock fractions, pstate 0 = 1.0, then decreasing
};

// SimGrid's linear host power model for one pstate: power = idle with no work, and
// epsilon + (all_busy - epsilon) * busy_gpus / gpus_per_node with work.
struct NodePowerState {
  double idle_w = 0;
  double epsilon_w = 0;
  double all_busy_w = 0;
};

class GpuModel {
 public:
  // Throws std::invalid_argument when the profile is inconsistent.
  explicit GpuModel(GpuProfile profile);

  const GpuProfile& profile() const { return profile_; }
  int gpus_per_node() const { return profile_.gpus_per_node; }
  int pstate_count() const { return static_cast<int>(profile_.pstate_clocks.size()); }

  double gpu_flops(int pstate) const;          // sustained FLOP/s of one GPU
  NodePowerState node_power(int pstate) const;
  double node_power_w(int pstate, int busy_gpus) const;
  double node_peak_w() const { return node_power(0).all_busy_w; }

 private:
  GpuProfile profile_;
};

}  // namespace dctwin::models
