#include "dctwin/models/gpu_model.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace {
dctwin::models::GpuProfile profile() {
  dctwin::models::GpuProfile p;
  p.id = "test";
  p.gpus_per_node = 8;
  p.peak_dense_bf16_flops = 1000e12;
  p.sustained_fraction = 0.4;
  p.gpu_idle_w = 70;
  p.gpu_busy_w = 595;
  p.host_idle_w = 1200;
  p.host_busy_w = 3000;
  p.power_clock_exponent = 2.0;
  p.pstate_clocks = {1.0, 0.9, 0.5};
  return p;
}
}  // namespace

TEST(GpuModel, NodePowerByHand) {
  const dctwin::models::GpuModel m(profile());
  EXPECT_DOUBLE_EQ(m.node_power(0).idle_w, 8 * 70 + 1200);      // 1760 W
  EXPECT_DOUBLE_EQ(m.node_power(0).all_busy_w, 8 * 595 + 3000);  // 7760 W
  // pstate 1: each GPU 70 + (595 - 70) * 0.9^2 = 495.25 W
  EXPECT_DOUBLE_EQ(m.node_power(1).all_busy_w, 8 * 495.25 + 3000);
  // Half the GPUs busy at full clock: halfway between idle and all busy.
  EXPECT_DOUBLE_EQ(m.node_power_w(0, 4), 1760 + (7760 - 1760) * 0.5);
  EXPECT_DOUBLE_EQ(m.node_power_w(0, 0), 1760);
}

TEST(GpuModel, ThroughputScalesWithClock) {
  const dctwin::models::GpuModel m(profile());
  EXPECT_DOUBLE_EQ(m.gpu_flops(0), 400e12);
  EXPECT_DOUBLE_EQ(m.gpu_flops(2), 200e12);
}

TEST(GpuModel, RefusesInconsistentProfiles) {
  auto p = profile();
  p.gpu_busy_w = 10;  // below idle
  EXPECT_THROW(dctwin::models::GpuModel{p}, std::invalid_argument);
  p = profile();
  p.pstate_clocks = {1.0, 1.0};
  EXPECT_THROW(dctwin::models::GpuModel{p}, std::invalid_argument);
}
