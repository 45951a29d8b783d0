#include "facility_monitor.h"

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include <algorithm>

#include "dctwin/models/generator.h"
#include "dctwin/models/tariff.h"

namespace dctwin::sim::engine {
namespace sg4 = simgrid::s4u;

FacilityMonitor::FacilityMonitor(const Scenario& scenario, const Platform& platform,
                                 const std::vector<std::unique_ptr<SiteScheduler>>& schedulers,
                                 const std::vector<std::vector<models::WeatherHour>>& weather, const Broker& broker,
                                 RunResult& result, const RunOptions& options)
    : scenario_(scenario),
      platform_(platform),
      schedulers_(schedulers),
      weather_(weather),
      broker_(broker),
      result_(result),
      options_(options),
      calendar_(scenario.start),
      consumed_j_(scenario.sites.size(), 0.0),
      check_j_(scenario.sites.size(), 0.0),
      capped_s_(scenario.sites.size(), 0.0),
      busy_gpu_s_(scenario.sites.size(), 0.0),
      built_nodes_(scenario.sites.size(), 0),
      facility_(scenario.sites.size()) {}

void FacilityMonitor::operator()() {
  const double step = scenario_.step_s;
  const double horizon = result_.horizon_s;
  const auto steps_per_day = static_cast<long>(std::max(1.0, 86400.0 / step));
  for (long k = 1;; ++k) {
    const double start = static_cast<double>(k - 1) * step;
    const double end = std::min(static_cast<double>(k) * step, horizon);
    sg4::this_actor::sleep_for(end - sg4::Engine::get_clock());
    for (std::size_t si = 0; si < scenario_.sites.size(); ++si) {
      result_.sites[si].steps.push_back(measure(si, start, end));
    }
    if (options_.on_progress && (k % steps_per_day == 0 || end >= horizon)) report_progress(end);
    if (end >= horizon) break;
  }
}

FacilityStep FacilityMonitor::measure(std::size_t si, double start, double end) {
  const Site& site = scenario_.sites[si];
  const SiteNodes& nodes = platform_.site(si);
  SiteScheduler& scheduler = *schedulers_[si];
  double consumed_j = scheduler.it_energy_j(end);
  std::size_t built = built_nodes_[si];
  while (built < nodes.hosts.size() && nodes.commission_s[built] < end) ++built;
  if (options_.energy_from_plugin) {
    for (std::size_t n = 0; n < built; ++n) consumed_j += sg_host_get_consumed_energy(nodes.hosts[n]);
  }
  if (built != built_nodes_[si]) {
    built_nodes_[si] = built;
    facility_[si].emplace(build_facility(site, built));
  }
  const double dt = end - start;
  FacilityStep row;
  row.end_s = end;
  row.it_energy_j = consumed_j - consumed_j_[si];
  consumed_j_[si] = consumed_j;
  if (options_.energy_from_plugin) {
    const double check_j = scheduler.model_check_energy_j(end);
    row.it_energy_check_j = check_j - check_j_[si];
    check_j_[si] = check_j;
  }

  const double local_start = std::max(0.0, site.local_s(start));
  const auto& w = weather_[si][std::min(static_cast<std::size_t>(local_start / 3600.0), weather_[si].size() - 1)];
  row.drybulb_c = w.drybulb_c;
  row.wetbulb_c = w.wetbulb_c;
  const Backup& b = site.backup;
  double dark_s = 0;  // without generators, outages longer than the UPS can bridge
  for (const auto& o : result_.sites[si].outages) {
    if (o.start_s >= end) break;
    const double overlap = std::max(0.0, std::min(end, o.end_s) - std::max(start, o.start_s));
    row.outage_s += overlap;
    if (b.generator_units == 0 && o.end_s - o.start_s > b.ups_ride_through_s) dark_s += overlap;
  }
  // Without generators the whole facility is dark through an outage: the plant runs only in
  // the rest of the step. The facility model is taken at the mean IT power of the time it runs
  // (it is close to linear in the load).
  const double lit_s = dt - dark_s;
  const models::FacilityPower f = facility_[si] && lit_s > 0 ? facility_[si]->at(row.it_energy_j / lit_s, w)
                                                            : models::FacilityPower{};
  row.cooling_energy_j = f.cooling_w * lit_s;
  row.pdu_loss_j = f.losses.pdu_w * lit_s;
  row.ups_loss_j = f.losses.ups_w * lit_s;
  row.transformer_loss_j = f.losses.transformer_w * lit_s;
  row.facility_energy_j = row.it_energy_j + row.cooling_energy_j + row.pdu_loss_j + row.ups_loss_j + row.transformer_loss_j;
  row.pue = row.it_energy_j > 0 ? row.facility_energy_j / row.it_energy_j : 0.0;
  row.free_cooling_fraction = f.free_cooling_fraction;
  row.water_l = f.water_kg_per_s * lit_s;

  if (b.generator_units > 0 && row.outage_s > 0 && f.facility_w > 0) {
    row.generator_s = row.outage_s;
    row.generator_energy_j = row.facility_energy_j * row.outage_s / dt;
    const models::GeneratorPlant plant(b.generator_units, b.generator_curve, b.generator_start_s);
    const double load_kw = std::min(f.facility_w / 1000.0, plant.capacity_kw());
    row.generator_l = plant.run(load_kw, row.generator_s).litres;
  }
  row.grid_energy_j = row.facility_energy_j - row.generator_energy_j;

  const double capped = scheduler.capped_s_until(end);
  row.capped_s = capped - capped_s_[si];
  capped_s_[si] = capped;
  const double busy = scheduler.busy_gpu_s_until(end);
  row.busy_gpu_s = busy - busy_gpu_s_[si];
  busy_gpu_s_[si] = busy;

  const double grid_kwh = row.grid_energy_j / 3.6e6;
  const models::Date day = calendar_.date_at(local_start);
  const int hour = static_cast<int>(local_start / 3600.0) % 24;
  row.energy_cost_usd = grid_kwh * models::energy_price_usd_per_kwh(site.grid.tariff, day, hour);
  row.co2_grid_kg = grid_kwh * site.grid.carbon_g_per_kwh / 1000.0;
  row.co2_diesel_kg = row.generator_l * models::kDieselKgCo2PerLitre;
  row.pstate = scheduler.pstate();
  row.gpus_online = scheduler.gpus_online();
  row.gpus_busy = scheduler.gpus_busy();
  return row;
}

void FacilityMonitor::report_progress(double now) const {
  Progress p;
  p.sim_s = now;
  p.horizon_s = result_.horizon_s;
  p.jobs_submitted = broker_.submitted();
  for (const auto& s : schedulers_) p.jobs_finished += s->finished();
  options_.on_progress(p);
}

}  // namespace dctwin::sim::engine
