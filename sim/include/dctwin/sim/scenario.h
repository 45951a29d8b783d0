#pragma once
// A scenario as plain values, loaded and validated by ScenarioLoader. Units live in names.
// References to data/ (GPU profiles, climate normals) are resolved at load time, so the
// engine never reads files. Schema: docs/scenario.md.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "dctwin/models/calendar.h"
#include "dctwin/models/gpu_model.h"
#include "dctwin/models/pue_model.h"

namespace dctwin::sim {

struct DeploymentPhase {
  models::Date commission;  // nodes switched on at 00:00 UTC that day
  int gpus = 0;             // multiple of the profile's gpus_per_node
};

struct DemandPoint {
  models::Date date;
  double gpu_hours_per_month = 0;
};

struct ClimateNormals {
  std::string id;                              // e.g. "cape-town"
  std::array<double, 12> mean_drybulb_c{};     // January .. December
};

struct Site {
  std::string id;       // short, unique, used in host names and reports
  std::string name;
  std::string country;  // ISO 3166-1 alpha-2
  models::GpuProfile gpu;
  ClimateNormals climate;
  models::PueModelParams pue;
  double facility_capex_usd_per_w = 0;  // per W of peak IT load built
  std::vector<DeploymentPhase> phases;  // in date order
  std::vector<DemandPoint> demand;      // piecewise linear; zero before the first point
};

struct JobClass {
  std::string id;
  double share_of_gpu_hours = 0;       // of each site's demand; shares sum to 1
  std::vector<int> gpus;               // job sizes
  std::vector<double> gpus_weights;    // probability of each size
  double duration_median_h = 0;        // lognormal at full clock
  double duration_p90_h = 0;
  double duration_max_h = 0;           // draws above are redrawn
};

struct Scenario {
  std::string source_name;  // file the scenario came from, for messages
  std::string name;
  models::Date start;
  models::Date end;         // exclusive
  std::uint64_t seed = 1;
  double step_s = 3600;     // facility step
  double budget_usd = 0;
  double server_capex_usd_per_node = 0;
  std::vector<Site> sites;
  std::vector<JobClass> job_classes;
};

}  // namespace dctwin::sim
