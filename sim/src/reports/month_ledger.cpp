#include "month_ledger.h"

#include <algorithm>

#include "dctwin/models/fabric.h"
#include "dctwin/models/gpu_model.h"

namespace dctwin::sim {
namespace {
constexpr double kSecondsPerYear = 365.25 * 86400;

// Appends the sorted runs to the sorted `into` and merges them pairwise, level by level: each
// level moves every element once, so k runs cost log2(k) passes, not k as one at a time.
template <class T>
void merge_sorted_runs(std::vector<T>& into, const std::vector<const std::vector<T>*>& runs) {
  std::vector<std::size_t> bounds = {0, into.size()};
  std::size_t size = into.size();
  for (const auto* r : runs) size += r->size();
  into.reserve(size);
  for (const auto* r : runs) {
    into.insert(into.end(), r->begin(), r->end());
    bounds.push_back(into.size());
  }
  while (bounds.size() > 2) {
    std::vector<std::size_t> next = {0};
    for (std::size_t i = 0; i + 1 < bounds.size(); i += 2) {
      if (i + 2 < bounds.size()) {
        std::inplace_merge(into.begin() + static_cast<std::ptrdiff_t>(bounds[i]),
                           into.begin() + static_cast<std::ptrdiff_t>(bounds[i + 1]),
                           into.begin() + static_cast<std::ptrdiff_t>(bounds[i + 2]));
        next.push_back(bounds[i + 2]);
      } else {
        next.push_back(bounds[i + 1]);
      }
    }
    bounds = std::move(next);
  }
}

}  // namespace

void Flows::add_counts(const Flows& o) {
  for (auto field : {&Flows::it_j, &Flows::cooling_j, &Flows::losses_j, &Flows::facility_j, &Flows::grid_j,
                     &Flows::generator_j, &Flows::water_l, &Flows::co2_grid_kg, &Flows::co2_diesel_kg,
                     &Flows::energy_cost_usd, &Flows::fuel_cost_usd, &Flows::water_cost_usd, &Flows::staff_usd,
                     &Flows::maintenance_usd, &Flows::outage_s, &Flows::generator_s, &Flows::generator_l,
                     &Flows::capped_s, &Flows::free_cooling_s, &Flows::drybulb_sum_c, &Flows::steps,
                     &Flows::online_gpu_s, &Flows::busy_gpu_s, &Flows::lost_gpu_s, &Flows::capex_paid_usd,
                     &Flows::depreciation_usd, &Flows::demand_gpu_s, &Flows::backlog_gpu_s,
                     &Flows::delivered_gpu_s, &Flows::node_failures, &Flows::node_down_s, &Flows::wan_in_gb,
                     &Flows::wan_cost_usd, &Flows::excess_groups, &Flows::multi_node_starts}) {
    this->*field += o.*field;
  }
  peak_facility_w = std::max(peak_facility_w, o.peak_facility_w);
  pue_max = std::max(pue_max, o.pue_max);
  drybulb_max_c = std::max(drybulb_max_c, o.drybulb_max_c);
  submitted += o.submitted;
  finished += o.finished;
  interrupted += o.interrupted;
  aggregate_jobs += o.aggregate_jobs;
  gpus_online_end += o.gpus_online_end;
}

void Flows::merge(const Flows& o) {
  add_counts(o);
  merge_sorted_runs(waits_s, {&o.waits_s});
  merge_sorted_runs(aggregate_waits_s, {&o.aggregate_waits_s});
}

Flows sum_of(const std::vector<const Flows*>& parts) {
  Flows t;
  std::vector<const std::vector<double>*> plain;
  std::vector<const std::vector<std::pair<double, double>>*> weighted;
  for (const Flows* p : parts) {
    t.add_counts(*p);
    plain.push_back(&p->waits_s);
    weighted.push_back(&p->aggregate_waits_s);
  }
  merge_sorted_runs(t.waits_s, plain);
  merge_sorted_runs(t.aggregate_waits_s, weighted);
  return t;
}

const char* cooling_kind_name(models::CoolingKind kind) {
  switch (kind) {
    case models::CoolingKind::kAirCooledChiller: return "air-cooled-chiller";
    case models::CoolingKind::kWaterCooledChiller: return "water-cooled-chiller";
    case models::CoolingKind::kLiquidDryCooler: return "liquid-dry-cooler";
    case models::CoolingKind::kHybrid: return "hybrid";
  }
  return "?";
}

MonthLedger::MonthLedger(const Scenario& s, const RunResult& r)
    : s_(s), r_(r), calendar_(s.start), months_(calendar_.month_index_at(r.horizon_s - 1) + 1) {
  for (int m = 0; m <= months_; ++m) edges_.push_back(std::min(calendar_.month_start_seconds(m), r.horizon_s));
  sites_.assign(s.sites.size(), std::vector<Flows>(static_cast<std::size_t>(months_)));
  for (const Site& site : s.sites) nodes_per_group_.push_back(models::build_fabric(site.fabric).nodes_per_group);
  programme_peak_w_.assign(static_cast<std::size_t>(months_), 0.0);
  capex_by_component_.assign(static_cast<std::size_t>(months_), {});
  add_steps();
  add_jobs();
  add_aggregate();
  add_money();
  // Waits are kept sorted from here on: merging sorted months is linear, and the
  // percentiles need no sort of their own (models::wait_stats).
  for (auto& site : sites_) {
    for (Flows& f : site) {
      std::sort(f.waits_s.begin(), f.waits_s.end());
      std::sort(f.aggregate_waits_s.begin(), f.aggregate_waits_s.end());
    }
  }
}

void MonthLedger::spread(std::size_t si, double from, double to, double rate, double Flows::*field) {
  if (to <= from) return;
  for (int m = std::max(0, calendar_.month_index_at(std::max(from, 0.0))); m < months_; ++m) {
    const double lo = std::max(from, edges_[static_cast<std::size_t>(m)]);
    const double hi = std::min(to, edges_[static_cast<std::size_t>(m) + 1]);
    if (edges_[static_cast<std::size_t>(m)] >= to) break;
    if (hi > lo) sites_[si][static_cast<std::size_t>(m)].*field += rate * (hi - lo);
  }
}

void MonthLedger::add_steps() {
  for (std::size_t si = 0; si < r_.sites.size(); ++si) {
    const Site& site = s_.sites[si];
    const auto& steps = r_.sites[si].steps;
    for (std::size_t k = 0; k < steps.size(); ++k) {
      const FacilityStep& x = steps[k];
      const double start = k == 0 ? 0.0 : steps[k - 1].end_s;
      const double dt = x.end_s - start;
      const auto m = static_cast<std::size_t>(calendar_.month_index_at(start));
      Flows& a = sites_[si][m];
      a.it_j += x.it_energy_j;
      a.cooling_j += x.cooling_energy_j;
      a.losses_j += x.pdu_loss_j + x.ups_loss_j + x.transformer_loss_j;
      a.facility_j += x.facility_energy_j;
      a.grid_j += x.grid_energy_j;
      a.generator_j += x.generator_energy_j;
      a.water_l += x.water_l;
      a.co2_grid_kg += x.co2_grid_kg;
      a.co2_diesel_kg += x.co2_diesel_kg;
      a.energy_cost_usd += x.energy_cost_usd;
      a.fuel_cost_usd += x.generator_l * site.backup.diesel_usd_per_l;
      a.water_cost_usd += x.water_l / 1000 * site.opex.water_usd_per_m3;
      a.outage_s += x.outage_s;
      a.generator_s += x.generator_s;
      a.generator_l += x.generator_l;
      a.capped_s += x.capped_s;
      a.free_cooling_s += x.free_cooling_fraction * dt * (x.it_energy_j > 0);
      a.peak_facility_w = std::max(a.peak_facility_w, x.facility_energy_j / dt);
      a.pue_max = std::max(a.pue_max, x.pue);
      a.drybulb_sum_c += x.drybulb_c;
      a.drybulb_max_c = std::max(a.drybulb_max_c, x.drybulb_c);
      a.busy_gpu_s += x.busy_gpu_s;
      a.steps += 1;
    }
  }
  const std::size_t steps = r_.sites.front().steps.size();
  for (std::size_t k = 0; k < steps; ++k) {
    const double start = k == 0 ? 0.0 : r_.sites.front().steps[k - 1].end_s;
    double w = 0;
    for (const auto& site : r_.sites) w += site.steps[k].facility_energy_j / (site.steps[k].end_s - start);
    auto& peak = programme_peak_w_[static_cast<std::size_t>(calendar_.month_index_at(start))];
    peak = std::max(peak, w);
  }
}

// Demand and backlog belong to the users' home site; waits, runs and losses to the site where
// the job waited and ran.
void MonthLedger::add_jobs() {
  auto month = [&](double t) { return static_cast<std::size_t>(std::min(calendar_.month_index_at(t), months_ - 1)); };
  for (const JobRecord& j : r_.jobs) {
    if (j.state == JobState::kUnsubmitted) continue;
    const double work = j.job.gpus * j.job.duration_s;
    auto& home = sites_[j.job.site];
    auto& ran = sites_[j.run_site];
    const std::size_t submitted = month(j.job.submit_s);
    ++home[submitted].submitted;
    home[submitted].demand_gpu_s += work;
    const double started = j.first_start_s >= 0 ? j.first_start_s : r_.horizon_s;
    for (std::size_t m = submitted; m < static_cast<std::size_t>(months_) && edges_[m + 1] <= started; ++m) {
      home[m].backlog_gpu_s += work;
    }
    ran[submitted].interrupted += j.interruptions > 0;
    if (j.moved_gb > 0) {
      Flows& arrived = ran[month(j.transfer_end_s >= 0 ? j.transfer_end_s : r_.horizon_s - 1)];
      arrived.wan_in_gb += j.moved_gb;
      arrived.wan_cost_usd += j.moved_gb * s_.wan.usd_per_gb;
    }
    if (j.start_s >= 0 && j.nodes >= 2) {
      const int fewest = (j.nodes + nodes_per_group_[j.run_site] - 1) / nodes_per_group_[j.run_site];
      ran[month(j.start_s)].excess_groups += static_cast<double>(j.groups) / fewest - 1;
      ran[month(j.start_s)].multi_node_starts += 1;
    }
    if (j.first_start_s < 0) continue;
    ran[month(j.first_start_s)].waits_s.push_back(j.first_start_s - j.job.submit_s);
    if (j.end_s >= 0) {
      ++ran[month(j.end_s)].finished;
      ran[month(j.end_s)].delivered_gpu_s += work;
    }
  }
  for (std::size_t si = 0; si < r_.sites.size(); ++si) {
    for (const FailureEvent& e : r_.sites[si].failures) {
      sites_[si][month(e.at_s)].lost_gpu_s += e.lost_gpu_s;  // work lost when it was lost
      if (e.cause < 0) continue;
      sites_[si][month(e.at_s)].node_failures += 1;
      spread(si, e.at_s, std::min(e.back_s, r_.horizon_s), 1.0, &Flows::node_down_s);
    }
  }
}

// Small jobs carried in aggregate count as submitted, delivered and waiting like the others.
void MonthLedger::add_aggregate() {
  const std::size_t classes = s_.job_classes.size();
  for (std::size_t si = 0; si < r_.sites.size(); ++si) {
    const auto& agg = r_.sites[si].aggregate;
    for (std::size_t cell = 0; cell < agg.size(); ++cell) {
      const auto m = cell / classes;
      if (m >= static_cast<std::size_t>(months_)) continue;
      Flows& f = sites_[si][m];
      f.submitted += static_cast<long>(agg[cell].jobs);
      f.aggregate_jobs += agg[cell].jobs;
      f.demand_gpu_s += agg[cell].work_gpu_s;
      f.finished += static_cast<long>(agg[cell].served_jobs);
      f.delivered_gpu_s += agg[cell].served_gpu_s;
      agg[cell].append_waits(f.aggregate_waits_s);
    }
  }
}

void MonthLedger::add_money() {
  for (std::size_t si = 0; si < s_.sites.size(); ++si) {
    const Site& site = s_.sites[si];
    const models::GpuModel gpu(site.gpu);
    const bool liquid = site.cooling.kind == models::CoolingKind::kLiquidDryCooler ||
                        site.cooling.kind == models::CoolingKind::kHybrid;
    models::CapexSchedule schedule(s_.capex_terms);
    int online = 0;
    for (const DeploymentPhase& p : site.phases) {
      const double at = calendar_.seconds_at(p.commission);
      const int nodes = p.gpus / gpu.gpus_per_node();
      const double servers = nodes * s_.server_capex_usd_per_node;
      const double facility = nodes * gpu.node_peak_w() * site.facility_capex_usd_per_w;
      using C = models::CapexComponent;
      schedule.add({C::kGpuServers, servers, at});
      schedule.add({C::kNetwork, servers * s_.network_fraction_of_servers, at});
      schedule.add({C::kPowerCoolingPlant, facility * s_.plant_fraction * (1 + (liquid ? s_.liquid_cooling_plant_premium : 0)), at});
      schedule.add({C::kShell, facility * s_.shell_fraction, at});
      schedule.add({C::kFitOut, facility * s_.fit_out_fraction, at});
      spread(si, at, r_.horizon_s, p.gpus, &Flows::online_gpu_s);  // failed nodes count as online
      online += p.gpus;
      for (int m = calendar_.month_index_at(at); m < months_; ++m) sites_[si][static_cast<std::size_t>(m)].gpus_online_end = online;
    }
    paid_before_start_.push_back(0);
    for (const models::Payment& pay : schedule.payments()) {
      if (pay.at_s >= r_.horizon_s) continue;
      const int m = pay.at_s < 0 ? 0 : calendar_.month_index_at(pay.at_s);
      if (pay.at_s < 0) paid_before_start_.back() += pay.usd;
      sites_[si][static_cast<std::size_t>(m)].capex_paid_usd += pay.usd;
      capex_by_component_[static_cast<std::size_t>(m)][static_cast<std::size_t>(pay.component)] += pay.usd;
    }
    // Staff from the first commissioning on; maintenance on what is installed.
    const double first = calendar_.seconds_at(site.phases.front().commission);
    spread(si, first, r_.horizon_s, site.opex.staff_fte * site.opex.usd_per_fte_year / kSecondsPerYear, &Flows::staff_usd);
    for (const models::CapexItem& item : schedule.items()) {
      spread(si, item.commission_s, r_.horizon_s, item.usd * s_.maintenance_fraction_per_year / kSecondsPerYear,
             &Flows::maintenance_usd);
    }
    for (int m = 0; m < months_; ++m) {
      sites_[si][static_cast<std::size_t>(m)].depreciation_usd =
          schedule.depreciation_usd(edges_[static_cast<std::size_t>(m)], edges_[static_cast<std::size_t>(m) + 1]);
    }
    capex_.push_back(std::move(schedule));
  }
}

Flows MonthLedger::site_total(std::size_t si) const {
  std::vector<const Flows*> months;
  for (const Flows& m : sites_[si]) months.push_back(&m);
  Flows t = sum_of(months);
  t.gpus_online_end = sites_[si].back().gpus_online_end;
  t.backlog_gpu_s = sites_[si].back().backlog_gpu_s;  // a stock, not a flow
  return t;
}

Flows MonthLedger::programme_month(int m) const {
  Flows t;
  for (const auto& site : sites_) t.merge(site[static_cast<std::size_t>(m)]);
  t.peak_facility_w = programme_peak_w_[static_cast<std::size_t>(m)];
  return t;
}

Flows MonthLedger::programme_total(const std::vector<Flows>& site_totals) const {
  std::vector<const Flows*> sites;
  for (const Flows& f : site_totals) sites.push_back(&f);
  Flows t = sum_of(sites);
  t.peak_facility_w = *std::max_element(programme_peak_w_.begin(), programme_peak_w_.end());
  return t;
}

std::array<double, models::kCapexComponentCount> MonthLedger::programme_capex_by_component(int m) const {
  return capex_by_component_[static_cast<std::size_t>(m)];
}

double MonthLedger::capex_total_usd(std::size_t si) const {
  double usd = 0;
  for (const auto& item : capex_[si].items()) usd += item.usd;
  return usd;
}

double MonthLedger::programme_month_spend_usd(int m, bool include_opex) const {
  double usd = 0;
  for (const auto& site : sites_) {
    const Flows& f = site[static_cast<std::size_t>(m)];
    usd += f.capex_paid_usd + (include_opex ? f.opex_usd() : 0.0);
  }
  return usd;
}

double MonthLedger::programme_spend_to_horizon_usd(bool include_opex) const {
  double usd = 0;
  for (int m = 0; m < months_; ++m) usd += programme_month_spend_usd(m, include_opex);
  return usd;
}

std::string MonthLedger::budget_exceeded_month(double budget_usd, bool include_opex) const {
  double usd = 0;
  for (int m = 0; m < months_; ++m) {
    usd += programme_month_spend_usd(m, include_opex);
    if (usd > budget_usd) return calendar_.month_label(m);
  }
  return "never";
}

}  // namespace dctwin::sim
