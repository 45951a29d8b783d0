#pragma once
// Everything the reports say per site and month, gathered once from a run: energy and its
// supply, water, carbon, outages, capping, jobs, and money (capex payments, opex,
// depreciation). Internal to the reports.
#include <array>
#include <string>
#include <vector>

#include "dctwin/models/calendar.h"
#include "dctwin/models/capex.h"
#include "dctwin/sim/run_result.h"
#include "dctwin/sim/scenario.h"

namespace dctwin::sim {

struct Flows {
  double it_j = 0, cooling_j = 0, losses_j = 0, facility_j = 0, grid_j = 0, generator_j = 0;
  double water_l = 0, co2_grid_kg = 0, co2_diesel_kg = 0;
  double energy_cost_usd = 0, fuel_cost_usd = 0, water_cost_usd = 0, staff_usd = 0, maintenance_usd = 0;
  double outage_s = 0, generator_s = 0, generator_l = 0, capped_s = 0, free_cooling_s = 0;
  double peak_facility_w = 0, pue_max = 0, drybulb_sum_c = 0, drybulb_max_c = -1e9;
  double steps = 0;
  double online_gpu_s = 0, busy_gpu_s = 0, lost_gpu_s = 0;
  double demand_gpu_s = 0;     // work submitted by users homed here (at full clock)
  double backlog_gpu_s = 0;    // of that, not yet started at the period's end
  double delivered_gpu_s = 0;  // work of the jobs that finished here
  double node_failures = 0, node_down_s = 0;
  double wan_in_gb = 0, wan_cost_usd = 0;          // data sets moved here by the broker
  double excess_groups = 0, multi_node_starts = 0;  // leaf groups spanned beyond the fewest possible
  long submitted = 0, finished = 0, interrupted = 0;
  std::vector<double> waits_s;  // of jobs whose (last) start falls in the period
  std::vector<std::pair<double, double>> aggregate_waits_s;  // small jobs in aggregate: (wait, jobs)
  double aggregate_jobs = 0;     // small jobs carried in aggregate, arrived in the period
  double capex_paid_usd = 0, depreciation_usd = 0;
  int gpus_online_end = 0;

  double opex_usd() const {
    return energy_cost_usd + fuel_cost_usd + water_cost_usd + staff_usd + maintenance_usd + wan_cost_usd;
  }
  void merge(const Flows& other);       // sums; peaks and maxima take the larger; waits merged
  void add_counts(const Flows& other);  // as merge, without the waits
};

// The sum of sorted waits' periods, merged as one at a time would merge them, in fewer passes.
Flows sum_of(const std::vector<const Flows*>& parts);

const char* cooling_kind_name(models::CoolingKind kind);

class MonthLedger {
 public:
  MonthLedger(const Scenario& scenario, const RunResult& result);

  int months() const { return months_; }
  const models::SimCalendar& calendar() const { return calendar_; }
  const Flows& site_month(std::size_t site, int month) const { return sites_[site][static_cast<std::size_t>(month)]; }
  Flows site_total(std::size_t site) const;
  Flows programme_month(int month) const;  // peak: the largest sum over sites in one step
  Flows programme_total(const std::vector<Flows>& site_totals) const;  // of site_total(0..n-1)
  std::array<double, models::kCapexComponentCount> programme_capex_by_component(int month) const;
  double paid_before_start_usd(std::size_t site) const { return paid_before_start_[site]; }
  double capex_total_usd(std::size_t site) const;
  double programme_spend_to_horizon_usd(bool include_opex) const;
  double programme_month_spend_usd(int m, bool include_opex) const;
  std::string budget_exceeded_month(double budget_usd, bool include_opex) const;  // "never" if not

 private:
  void add_steps();
  void add_jobs();
  void add_money();
  void add_aggregate();
  // Adds rate * the overlap of [from, to) with each month, through `field`.
  void spread(std::size_t site, double from, double to, double rate, double Flows::*field);

  const Scenario& s_;
  const RunResult& r_;
  models::SimCalendar calendar_;
  int months_;
  std::vector<double> edges_;  // month m covers [edges_[m], edges_[m+1])
  std::vector<std::vector<Flows>> sites_;
  std::vector<int> nodes_per_group_;  // per site, of its fabric
  std::vector<double> programme_peak_w_;
  std::vector<models::CapexSchedule> capex_;
  std::vector<double> paid_before_start_;
  std::vector<std::array<double, models::kCapexComponentCount>> capex_by_component_;  // per month
};

}  // namespace dctwin::sim
