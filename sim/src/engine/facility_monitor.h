#pragma once
// Every facility step: IT energy per site from SimGrid's energy plugin, then the facility
// model (cooling and power chain at that hour's weather), supply from grid or generators,
// water, carbon and energy cost. Internal to the engine.
#include <memory>
#include <optional>
#include <vector>

#include "dctwin/models/climate.h"
#include "dctwin/sim/platform.h"
#include "dctwin/sim/run_result.h"
#include "dctwin/sim/scenario.h"
#include "dctwin/sim/twin.h"
#include "broker.h"
#include "site_scheduler.h"

namespace dctwin::sim::engine {

class FacilityMonitor {
 public:
  FacilityMonitor(const Scenario& scenario, const Platform& platform,
                  const std::vector<std::unique_ptr<SiteScheduler>>& schedulers,
                  const std::vector<std::vector<models::WeatherHour>>& weather, const Broker& broker,
                  RunResult& result, const RunOptions& options);

  void operator()();  // the actor's body: one step after another until the horizon

 private:
  FacilityStep measure(std::size_t site, double start_s, double end_s);
  void report_progress(double now) const;

  const Scenario& scenario_;
  const Platform& platform_;
  const std::vector<std::unique_ptr<SiteScheduler>>& schedulers_;
  const std::vector<std::vector<models::WeatherHour>>& weather_;
  const Broker& broker_;
  RunResult& result_;
  const RunOptions& options_;
  models::SimCalendar calendar_;
  std::vector<double> consumed_j_;  // per site, at the last step end
  std::vector<double> check_j_;     // the same by the power model, with RunOptions::energy_from_plugin
  std::vector<double> capped_s_;    // per site, at the last step end
  std::vector<double> busy_gpu_s_;  // per site, at the last step end
  std::vector<std::size_t> built_nodes_;  // per site: nodes commissioned before the step's end
  std::vector<std::optional<models::FacilityModel>> facility_;
};

}  // namespace dctwin::sim::engine
