// Assembles a run: the platform, the workload, the weather and outages per site, one
// scheduler actor per site and one facility actor, then runs the engine.
#include "dctwin/sim/twin.h"

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include <cmath>
#include <string>

#include "dctwin/models/random_stream.h"
#include "dctwin/sim/small_job_feed.h"
#include "broker.h"
#include "facility_monitor.h"
#include "site_scheduler.h"

namespace dctwin::sim {
static_assert(sizeof(JobRecord) <= 112, "one JobRecord per job of the programme: keep its fields unpadded");
namespace {

std::vector<models::WeatherHour> site_weather(const Scenario& s, std::size_t si, double horizon_s) {
  const Site& site = s.sites[si];
  // Hourly from local midnight of the start date, a day longer for the UTC offset.
  const int days = static_cast<int>(std::ceil(horizon_s / 86400.0)) + 1;
  if (site.weather_year.empty()) {
    const models::WeatherGenerator generator(site.climate.monthly, s.seed, models::stream_id("weather", site.id));
    return generator.generate(s.start, days);
  }
  // A typical-year file repeats every year; 29 February reuses 28 February.
  std::vector<models::WeatherHour> hours;
  hours.reserve(static_cast<std::size_t>(days) * 24);
  const auto start_days = models::days_since_epoch(s.start);
  for (int d = 0; d < days; ++d) {
    models::Date date = models::date_from_days(start_days + d);
    if (date.month == 2 && date.day == 29) date.day = 28;
    const int day_of_year = static_cast<int>(models::days_since_epoch({2001, date.month, date.day}) -
                                             models::days_since_epoch({2001, 1, 1}));
    for (int h = 0; h < 24; ++h) hours.push_back(site.weather_year[static_cast<std::size_t>(day_of_year * 24 + h)]);
  }
  return hours;
}

}  // namespace

Twin::Twin(const Scenario& scenario) : scenario_(scenario) {}

RunResult Twin::run(const RunOptions& options) {
  namespace sg4 = simgrid::s4u;
  // SimGrid takes its configuration from argv; its own log lines are silenced.
  // CM02: max-min sharing of link bandwidth with no TCP correction factors, no reverse
  // (acknowledgement) traffic and no TCP window bound (TCP-gamma 0), which would otherwise
  // cap a long-distance flow far below its link: flows get exactly their share of the links.
  std::vector<std::string> args = {"dctwin",
                                   "--log=root.thres:critical",
                                   "--log=host_energy.thres:critical",
                                   "--cfg=network/model:CM02",
                                   "--cfg=network/crosstraffic:0",
                                   "--cfg=network/TCP-gamma:0"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  sg4::Engine engine(&argc, argv.data());
  sg_host_energy_plugin_init();
  const Platform platform(scenario_);

  RunResult result;
  const models::SimCalendar calendar(scenario_.start);
  result.horizon_s = calendar.seconds_at(scenario_.end);
  const std::size_t site_count = scenario_.sites.size();
  result.sites.resize(site_count);
  AggregateArrivals small;
  SmallJobFeed feed;  // after `small`, which it draws into: stops first
  {
    // The records carry the jobs from here on: the generated list is let go before the run.
    const std::vector<Job> jobs = generate_workload(scenario_, small, feed);
    result.jobs.reserve(jobs.size());
    for (const Job& j : jobs) {
      JobRecord r;
      r.job = j;
      r.run_site = j.site;
      if (j.follows) r.state = JobState::kUnsubmitted;
      result.jobs.push_back(r);
    }
  }
  engine::Broker broker(scenario_, platform, result.jobs);
  broker.set_small(small, feed);

  std::vector<std::vector<models::WeatherHour>> weather(site_count);
  std::vector<std::unique_ptr<engine::SiteScheduler>> schedulers;
  for (std::size_t si = 0; si < site_count; ++si) {
    const Site& site = scenario_.sites[si];
    weather[si] = site_weather(scenario_, si, result.horizon_s);
    models::RandomStream outage_rng(scenario_.seed, models::stream_id("grid outages", site.id));
    result.sites[si].outages = models::generate_outages(site.grid.outages, result.horizon_s, outage_rng);
    schedulers.push_back(std::make_unique<engine::SiteScheduler>(scenario_, si, platform.site(si), result.jobs,
                                                                 result.sites[si].outages, weather[si],
                                                                 result.horizon_s, result.simulated_events,
                                                                 result.sites[si], broker, small,
                                                                 options.energy_from_plugin));
    engine::SiteScheduler* s = schedulers.back().get();
    sg4::Actor::create("scheduler-" + site.id, platform.control_host(), [s] { (*s)(); });
  }
  std::vector<engine::SiteScheduler*> sites;
  for (const auto& s : schedulers) sites.push_back(s.get());
  broker.set_sites(sites);
  engine::FacilityMonitor monitor(scenario_, platform, schedulers, weather, broker, result, options);
  sg4::Actor::create("facility", platform.control_host(), [&monitor] { monitor(); });
  engine.run();
  feed.finish();
  // Outcomes of small jobs carried in aggregate: credited to their home site and month.
  for (std::size_t si = 0; si < small.ended_early_gpu_s.size(); ++si) {
    auto& months = result.sites[si].aggregate;
    for (std::size_t cell = 0; cell < months.size() && 2 * cell + 1 < small.ended_early_gpu_s[si].size(); ++cell) {
      months[cell].failed_gpu_s += small.ended_early_gpu_s[si][2 * cell];
      months[cell].cancelled_gpu_s += small.ended_early_gpu_s[si][2 * cell + 1];
    }
  }
  return result;
}

}  // namespace dctwin::sim
