#include "dctwin/models/capex.h"

#include <gtest/gtest.h>

using namespace dctwin::models;

namespace {
constexpr double kDay = 86400;
CapexSchedule schedule() {
  std::array<CapexTerms, kCapexComponentCount> terms{};
  for (auto& t : terms) t = {100 * kDay, 0.3, 1000 * kDay};
  terms[static_cast<int>(CapexComponent::kShell)] = {0, 0, 2000 * kDay};
  return CapexSchedule(terms);
}
}  // namespace

TEST(Capex, DepositAtOrderBalanceOnCommissioning) {
  auto s = schedule();
  s.add({CapexComponent::kGpuServers, 1000, 50 * kDay});
  s.add({CapexComponent::kShell, 500, 50 * kDay});
  const auto p = s.payments();
  ASSERT_EQ(p.size(), 3u);
  EXPECT_DOUBLE_EQ(p[0].at_s, -50 * kDay);  // ordered before the scenario starts
  EXPECT_DOUBLE_EQ(p[0].usd, 300);
  EXPECT_DOUBLE_EQ(p[1].usd + p[2].usd, 1200);
  double total = 0;
  for (const auto& x : p) total += x.usd;
  EXPECT_DOUBLE_EQ(total, 1500);
}

TEST(Capex, StraightLineDepreciation) {
  auto s = schedule();
  s.add({CapexComponent::kGpuServers, 1000, 0});
  EXPECT_DOUBLE_EQ(s.depreciation_usd(0, 500 * kDay), 500);
  EXPECT_DOUBLE_EQ(s.depreciation_usd(900 * kDay, 5000 * kDay), 100);  // fully written off at 1000 days
  EXPECT_DOUBLE_EQ(s.installed_usd(-1), 0);
  EXPECT_DOUBLE_EQ(s.installed_usd(0), 1000);
}
