#include "dctwin/models/power_chain.h"

#include <gtest/gtest.h>

#include <stdexcept>

using dctwin::models::LossCurve;
using dctwin::models::PowerChain;

TEST(LossCurve, LossByHand) {
  const LossCurve c{1000, 0.01, 0.02, 0.03};
  EXPECT_DOUBLE_EQ(c.loss_w(0), 10);                                  // fixed loss only
  EXPECT_DOUBLE_EQ(c.loss_w(500), 1000 * (0.01 + 0.01 + 0.0075));     // 27.5 W
  EXPECT_DOUBLE_EQ(c.efficiency(1000), 1000.0 / 1060.0);
  EXPECT_EQ(c.efficiency(0), 0);
  EXPECT_THROW(static_cast<void>(c.loss_w(-1)), std::invalid_argument);
}

TEST(LossCurve, FitPassesThroughItsThreePoints) {
  const LossCurve c = LossCurve::from_efficiencies(500e3, 0.945, 0.965, 0.97);
  EXPECT_NEAR(c.efficiency(125e3), 0.945, 1e-12);
  EXPECT_NEAR(c.efficiency(250e3), 0.965, 1e-12);
  EXPECT_NEAR(c.efficiency(500e3), 0.970, 1e-12);
  // Rising efficiency with load means a fixed loss can't be negative; falling-only curves fail.
  EXPECT_THROW(LossCurve::from_efficiencies(1, 0.99, 0.95, 0.90), std::invalid_argument);
  EXPECT_THROW(LossCurve::from_efficiencies(1, 0.9, 1.2, 0.9), std::invalid_argument);
}

TEST(PowerChain, DefaultsHitTheirAnchors) {
  const double it = 2e6;
  const PowerChain pc = PowerChain::with_defaults(it);
  EXPECT_NEAR(pc.ups().efficiency(0.25 * it), 0.945, 1e-12);
  EXPECT_NEAR(pc.ups().efficiency(0.50 * it), 0.965, 1e-12);
  EXPECT_NEAR(pc.ups().efficiency(1.00 * it), 0.970, 1e-12);
  for (double x : {0.25, 0.5, 0.75, 1.0}) {
    const double t = pc.transformer().efficiency(x * pc.transformer().rated_w);
    EXPECT_GE(t, 0.985);
    EXPECT_LE(t, 0.990);
    EXPECT_NEAR(pc.pdu().efficiency(x * it), 0.9955, 0.001);  // 99.50-99.60 %
  }
}

TEST(PowerChain, LossesRiseWithLoad) {
  const PowerChain pc = PowerChain::with_defaults(1e6);
  double last_total = -1, last_ups = -1;
  for (double it = 0; it <= 1.2e6; it += 1e4) {
    const auto l = pc.losses(it, 0.3 * it);
    EXPECT_GT(l.total_w(), last_total);
    EXPECT_GT(l.ups_w, last_ups);
    last_total = l.total_w();
    last_ups = l.ups_w;
  }
  // Cooling load adds transformer loss only.
  const auto a = pc.losses(5e5, 0), b = pc.losses(5e5, 2e5);
  EXPECT_EQ(a.pdu_w, b.pdu_w);
  EXPECT_EQ(a.ups_w, b.ups_w);
  EXPECT_GT(b.transformer_w, a.transformer_w);
}

TEST(PowerChain, EnergyBalancesStageByStage) {
  const PowerChain pc = PowerChain::with_defaults(3e6);
  const double it = 1.7e6, mech = 0.4e6;
  const auto l = pc.losses(it, mech);
  const double pdu_in = pc.pdu().input_w(it);
  const double ups_in = pc.ups().input_w(pdu_in);
  const double grid_in = pc.transformer().input_w(ups_in + mech);
  EXPECT_DOUBLE_EQ(pdu_in, it + l.pdu_w);
  EXPECT_DOUBLE_EQ(ups_in, pdu_in + l.ups_w);
  EXPECT_DOUBLE_EQ(grid_in, ups_in + mech + l.transformer_w);
  EXPECT_DOUBLE_EQ(pc.input_w(it, mech), grid_in);
  EXPECT_DOUBLE_EQ(pc.input_w(it, mech) - l.total_w(), it + mech);
}

TEST(PowerChain, RefusesBadInput) {
  EXPECT_THROW(PowerChain::with_defaults(0), std::invalid_argument);
  const LossCurve ok{1, 0, 0, 0};
  EXPECT_THROW(PowerChain(ok, LossCurve{0, 0, 0, 0}, ok), std::invalid_argument);
  EXPECT_THROW(PowerChain(ok, ok, LossCurve{1, -0.1, 0, 0}), std::invalid_argument);
  const PowerChain pc = PowerChain::with_defaults(1e6);
  EXPECT_THROW(static_cast<void>(pc.losses(-1, 0)), std::invalid_argument);
  EXPECT_THROW(static_cast<void>(pc.losses(1, -1)), std::invalid_argument);
}
