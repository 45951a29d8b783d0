#include "dctwin/models/gpu_model.h"

#include <cmath>
#include <stdexcept>

namespace dctwin::models {

GpuModel::GpuModel(GpuProfile p) : profile_(std::move(p)) {
  const auto& q = profile_;
  auto require = [&](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument("GPU profile " + q.id + ": " + what);
  };
  require(q.gpus_per_node >= 1, "gpus_per_node must be at least 1");
  require(q.peak_dense_bf16_flops > 0, "peak throughput must be positive");
  require(q.sustained_fraction > 0 && q.sustained_fraction <= 1, "sustained fraction must be in (0, 1]");
  require(q.gpu_idle_w >= 0 && q.gpu_busy_w >= q.gpu_idle_w, "GPU busy power must be >= idle power");
  require(q.host_idle_w >= 0 && q.host_busy_w >= q.host_idle_w, "host busy power must be >= idle power");
  require(q.power_clock_exponent >= 0, "power clock exponent must be >= 0");
  require(!q.pstate_clocks.empty() && q.pstate_clocks.front() == 1.0, "pstate 0 must be clock 1.0");
  for (std::size_t i = 1; i < q.pstate_clocks.size(); ++i) {
    require(q.pstate_clocks[i] > 0 && q.pstate_clocks[i] < q.pstate_clocks[i - 1],
            "pstate clocks must decrease and stay positive");
  }
}

double GpuModel::gpu_flops(int pstate) const {
  return profile_.peak_dense_bf16_flops * profile_.sustained_fraction *
         profile_.pstate_clocks.at(static_cast<std::size_t>(pstate));
}

NodePowerState GpuModel::node_power(int pstate) const {
  const auto& q = profile_;
  const double clock = q.pstate_clocks.at(static_cast<std::size_t>(pstate));
  const double gpu_busy = q.gpu_idle_w + (q.gpu_busy_w - q.gpu_idle_w) * std::pow(clock, q.power_clock_exponent);
  NodePowerState s;
  s.idle_w = q.gpus_per_node * q.gpu_idle_w + q.host_idle_w;
  s.epsilon_w = s.idle_w;
  s.all_busy_w = q.gpus_per_node * gpu_busy + q.host_busy_w;
  return s;
}

double GpuModel::node_power_w(int pstate, int busy_gpus) const {
  const NodePowerState s = node_power(pstate);
  if (busy_gpus <= 0) return s.idle_w;
  return s.epsilon_w + (s.all_busy_w - s.epsilon_w) * busy_gpus / profile_.gpus_per_node;
}

}  // namespace dctwin::models
