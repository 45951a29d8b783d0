#pragma once
// A scenario as plain values, loaded and validated by ScenarioLoader. Units live in names.
// References to data/ (GPU profiles, climate normals) are resolved at load time, so the
// engine never reads files. Schema: docs/scenario.md.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "dctwin/models/calendar.h"
#include "dctwin/models/capex.h"
#include "dctwin/models/climate.h"
#include "dctwin/models/cooling.h"
#include "dctwin/models/fabric.h"
#include "dctwin/models/fabric_wan.h"
#include "dctwin/models/generator.h"
#include "dctwin/models/gpu_model.h"
#include "dctwin/models/outages.h"
#include "dctwin/models/power_chain.h"
#include "dctwin/models/tariff.h"

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
  std::string id;  // e.g. "cape-town"
  models::MonthlyClimate monthly;
  double utc_offset_h = 0;  // local standard time: weather, tariffs and submission cycles follow it
};

struct GridConnection {
  double connection_w = 0;        // import limit at the point of connection
  std::string tariff_id;
  models::Tariff tariff;
  double carbon_g_per_kwh = 0;    // grid carbon intensity of the site's country
  models::OutageProfile outages;  // grid outages and load-shedding
};

struct Backup {
  double ups_ride_through_s = 0;  // UPS carries the IT load this long at full load
  int generator_units = 0;
  std::string generator_id;
  models::FuelCurve generator_curve;
  double generator_start_s = 0;
  double diesel_usd_per_l = 0;
};

struct SiteOpex {
  double staff_fte = 0;
  double usd_per_fte_year = 0;
  double water_usd_per_m3 = 0;
};

// The reports' scope for all sites together (summary.csv, class_monthly.csv); no site may
// take it as its id.
inline constexpr char kProgrammeScope[] = "programme";

struct Site {
  std::string id;       // short, unique, used in host names and reports
  std::string name;
  std::string country;  // ISO 3166-1 alpha-2
  models::GpuProfile gpu;
  ClimateNormals climate;
  std::vector<models::WeatherHour> weather_year;  // from an EPW file: 8760 hours; empty: generated
  std::string weather_file;
  models::CoolingParams cooling;
  GridConnection grid;
  Backup backup;
  double power_limit_w = 0;             // site cap on facility power; 0: none besides the grid
  SiteOpex opex;
  double facility_capex_usd_per_w = 0;  // per W of peak IT load built
  models::FabricSpec fabric;            // scale-out network; nodes = all phases' nodes
  models::SiteLocation location;        // for the WAN's distances

  // Seconds since the scenario start, in the site's local standard time.
  double local_s(double sim_s) const { return sim_s + climate.utc_offset_h * 3600.0; }
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
  double duration_mean_h = 0;          // > 0: the tail above p90 is fitted to this mean (models::JobDuration)
  int priority = 0;                    // higher is scheduled first
  double checkpoint_interval_h = 0;    // of work at full clock; 0: no checkpoints
  bool may_move = false;               // residency: false = stays in its home country
  // Submission cycle: rate x (1 + daily_amplitude cos(2 pi (hour - peak_hour) / 24)),
  // x weekend_factor on Saturdays and Sundays, normalised to a weekly mean of 1.
  double daily_amplitude = 0;
  double peak_hour = 14;
  double weekend_factor = 1;
  // Communication of a multi-node job, overlapped with its compute: each collective edge
  // carries comm_fraction x run time x a node's scale-out bandwidth, so on an idle
  // non-blocking fabric the traffic takes comm_fraction of the run (< 1: compute-bound).
  enum class Collective { kRing, kTree } collective = Collective::kRing;
  double comm_fraction = 0;
  double dataset_gb = 0;  // moved over the WAN when the broker sends the job abroad
  // Outcomes of attempts by count: the shortest failed_fraction of the duration distribution
  // fail, the longest cancelled_fraction are cancelled, the rest complete (docs/workloads.md).
  double failed_fraction = 0;
  double cancelled_fraction = 0;
  double outcome_by_duration = 1;  // the share of attempts whose outcome follows their duration; the rest draw it at random
  // Campaign: a submission is a campaign whose attempts follow one another, each submitted
  // resubmit_gap_h after the previous one ended, until one completes.
  bool campaign = false;
  double resubmit_gap_h = 0;
  // Served load (inference): not jobs but GPUs wanted continuously, demand x share /
  // 730.5 h x the cycle, carried in aggregate each aggregate step at the class's priority;
  // what a step can't serve is dropped (unserved), not queued. sizes and duration_h unused.
  bool served = false;
};

enum class SchedulingPolicy { kFcfs, kEasyBackfill };

struct Scheduling {
  SchedulingPolicy policy = SchedulingPolicy::kEasyBackfill;
  bool broker = false;      // movable jobs go to the site with the shortest expected wait
  int backfill_depth = 50;  // queued jobs looked at behind the head
};

struct FailureCause {
  std::string id;                  // e.g. "faulty-gpu"
  double per_million_gpu_h = 0;    // failures per 10^6 powered GPU-hours
  double repair_h = 0;             // node out of service without a spare
};

struct Reliability {
  std::vector<FailureCause> causes;
  int spare_nodes_per_site = 0;    // swapped in for a failed node
  double swap_h = 0;               // node back in service when a spare is used
  double spare_return_days = 0;    // a repaired node returns to the spare pool
};

// How jobs are carried. Exact: every job an engine activity. Aggregated: jobs of at most
// small_max_gpus GPUs and small_max_h hours are binned per site, class and aggregate step
// and served as a fluid load that holds GPUs step by step beside the discrete jobs.
struct Fidelity {
  bool aggregated = true;  // the default; a scenario or --fidelity exact turns it off
  int small_max_gpus = 8;
  double small_max_h = 1.0;
  double step_s = 900;
};

struct TraceJob {  // a job from a trace file, replacing the generator
  double submit_s = 0;
  double duration_s = 0;
  int gpus = 0;
  std::uint16_t site = 0;
  std::uint16_t job_class = 0;
};

struct Scenario {
  std::string source_name;  // file the scenario came from, for messages
  std::string name;
  models::Date start;
  models::Date end;         // exclusive
  std::uint64_t seed = 1;
  double step_s = 3600;     // facility step
  double budget_usd = 0;
  bool budget_includes_opex = false;
  double server_capex_usd_per_node = 0;
  double network_fraction_of_servers = 0;   // network capex per server capex
  double maintenance_fraction_per_year = 0;  // of installed capex
  // Facility capex per W splits into plant (power and cooling), shell and fit-out.
  double plant_fraction = 0, shell_fraction = 0, fit_out_fraction = 0;
  double liquid_cooling_plant_premium = 0;  // extra plant cost for liquid or hybrid cooling
  std::array<models::CapexTerms, models::kCapexComponentCount> capex_terms{};
  std::vector<Site> sites;
  std::vector<JobClass> job_classes;
  Scheduling scheduling;
  Reliability reliability;
  models::WanSpec wan;
  Fidelity fidelity;
  std::string trace_file;           // when set, jobs come from this file
  std::vector<TraceJob> trace;      // in file order

  // Whether some load is carried in aggregate: small jobs in aggregated fidelity, or a
  // served class in either fidelity.
  bool has_fluid() const {
    if (fidelity.aggregated) return true;
    for (const JobClass& c : job_classes) {
      if (c.served) return true;
    }
    return false;
  }
};

}  // namespace dctwin::sim
