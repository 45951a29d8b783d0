#include "dctwin/models/capex.h"

#include <algorithm>
#include <stdexcept>

namespace dctwin::models {

const char* capex_component_name(CapexComponent c) {
  switch (c) {
    case CapexComponent::kGpuServers: return "gpu_servers";
    case CapexComponent::kNetwork: return "network";
    case CapexComponent::kPowerCoolingPlant: return "power_cooling_plant";
    case CapexComponent::kShell: return "shell";
    case CapexComponent::kFitOut: return "fit_out";
  }
  return "?";
}

CapexSchedule::CapexSchedule(std::array<CapexTerms, kCapexComponentCount> terms) : terms_(terms) {
  for (const auto& t : terms_) {
    if (t.lead_time_s < 0 || t.deposit_fraction < 0 || t.deposit_fraction > 1 || t.depreciation_life_s <= 0) {
      throw std::invalid_argument("capex terms: lead time >= 0, deposit in [0, 1], life > 0");
    }
  }
}

void CapexSchedule::add(const CapexItem& item) {
  if (item.usd < 0) throw std::invalid_argument("capex item: negative cost");
  items_.push_back(item);
}

std::vector<Payment> CapexSchedule::payments() const {
  std::vector<Payment> out;
  for (const auto& item : items_) {
    const CapexTerms& t = terms_[static_cast<std::size_t>(item.component)];
    if (t.deposit_fraction > 0) {
      out.push_back({item.commission_s - t.lead_time_s, item.component, item.usd * t.deposit_fraction});
    }
    out.push_back({item.commission_s, item.component, item.usd * (1 - t.deposit_fraction)});
  }
  std::stable_sort(out.begin(), out.end(), [](const Payment& a, const Payment& b) { return a.at_s < b.at_s; });
  return out;
}

double CapexSchedule::depreciation_usd(double from_s, double to_s) const {
  double usd = 0;
  for (const auto& item : items_) {
    const double life = terms_[static_cast<std::size_t>(item.component)].depreciation_life_s;
    const double lo = std::max(from_s, item.commission_s);
    const double hi = std::min(to_s, item.commission_s + life);
    if (hi > lo) usd += item.usd * (hi - lo) / life;
  }
  return usd;
}

double CapexSchedule::installed_usd(double at_s) const {
  double usd = 0;
  for (const auto& item : items_) {
    if (item.commission_s <= at_s) usd += item.usd;
  }
  return usd;
}

}  // namespace dctwin::models
