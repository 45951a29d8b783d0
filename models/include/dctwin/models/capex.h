#pragma once
// Capital cost: what each deployment phase buys, when it is paid, and how it depreciates.
// Payment dates follow lead times: a deposit when the order is placed (commissioning minus
// the lead time) and the balance on commissioning. Equations and sources: docs/models.md.
#include <array>
#include <vector>

namespace dctwin::models {

enum class CapexComponent { kGpuServers, kNetwork, kPowerCoolingPlant, kShell, kFitOut };
inline constexpr int kCapexComponentCount = 5;
const char* capex_component_name(CapexComponent c);

struct CapexTerms {
  double lead_time_s = 0;        // order placed this long before commissioning
  double deposit_fraction = 0;   // paid at order; the rest on commissioning
  double depreciation_life_s = 0;  // straight line from commissioning
};

struct CapexItem {
  CapexComponent component = CapexComponent::kGpuServers;
  double usd = 0;
  double commission_s = 0;
};

struct Payment {
  double at_s = 0;  // may be before the scenario start (negative)
  CapexComponent component = CapexComponent::kGpuServers;
  double usd = 0;
};

class CapexSchedule {
 public:
  explicit CapexSchedule(std::array<CapexTerms, kCapexComponentCount> terms);

  void add(const CapexItem& item);
  const std::vector<CapexItem>& items() const { return items_; }
  std::vector<Payment> payments() const;  // sorted by date
  // Straight-line depreciation accrued over [from_s, to_s).
  double depreciation_usd(double from_s, double to_s) const;
  double installed_usd(double at_s) const;  // commissioned by at_s

 private:
  std::array<CapexTerms, kCapexComponentCount> terms_;
  std::vector<CapexItem> items_;
};

}  // namespace dctwin::models
