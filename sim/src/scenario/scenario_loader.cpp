#include "dctwin/sim/scenario_loader.h"

#include "dctwin/models/job_duration.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "data_files.h"
#include "yaml_reader.h"

namespace dctwin::sim {
namespace {

using detail::YamlValue;

constexpr double kMaxGpuHoursPerMonth = 1e10;

bool is_identifier(const std::string& s) {
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return !s.empty();
}

std::string identifier(const YamlValue& v) {
  const std::string s = v.as_string();
  if (!is_identifier(s)) v.fail("'" + s + "' must be lower-case letters, digits, '-' or '_'");
  return s;
}

class Loader {
 public:
  Loader(const std::filesystem::path& data_dir, std::filesystem::path scenario_dir)
      : data_dir_(data_dir), scenario_dir_(std::move(scenario_dir)) {}

  Scenario load(const YamlValue& root, const std::string& source_name) {
    root.expect_map({"dctwin", "name", "description", "start", "end", "seed", "step_minutes",
                     "budget_usd", "costs", "sites", "workload", "scheduling", "reliability", "wan",
                     "fidelity"});
    Scenario s;
    s.source_name = source_name;
    const YamlValue version = root.required("dctwin");
    if (version.as_integer(0, 1000) != 1) version.fail("this dctwin reads schema version 1");
    s.name = root.required("name").as_string();
    if (auto d = root.optional("description")) d->as_string();
    s.start = root.required("start").as_date();
    const YamlValue end = root.required("end");
    s.end = end.as_date();
    if (s.end <= s.start) {
      end.fail("end " + models::format_date(s.end) + " is not after start " + models::format_date(s.start));
    }
    s.seed = static_cast<std::uint64_t>(root.required("seed").as_integer(0, 1LL << 62));
    const YamlValue step = root.required("step_minutes");
    const long long step_minutes = step.as_integer(1, 1440);
    if (1440 % step_minutes != 0) step.fail("step_minutes must divide a day (1440) so steps align with months");
    s.step_s = 60.0 * static_cast<double>(step_minutes);
    s.budget_usd = root.required("budget_usd").as_number(0, 1e13);

    load_costs(root.required("costs"), s);

    // The fabric is sized with the spare nodes, so they are read ahead of the sites.
    if (auto r = root.optional("reliability"); r && r->node().IsMap()) {
      if (auto spares = r->optional("spare_nodes_per_site")) spare_nodes_ = static_cast<int>(spares->as_integer(0, 100000));
    }
    std::set<std::string> site_ids;
    for (const auto& v : root.required("sites").sequence(1)) {
      Site site = load_site(v, s);
      if (site.id == kProgrammeScope) v.required("id").fail("'" + site.id + "' names all sites in the reports; choose another site id");
      if (!site_ids.insert(site.id).second) v.required("id").fail("duplicate site id '" + site.id + "'");
      s.sites.push_back(std::move(site));
    }
    load_workload(root.required("workload"), s);
    if (auto v = root.optional("scheduling")) load_scheduling(*v, s);
    if (auto v = root.optional("reliability")) load_reliability(*v, s);
    if (auto v = root.optional("fidelity")) {
      v->expect_map({"mode", "small_max_gpus", "small_max_h", "step_minutes"});
      if (auto m = v->optional("mode")) {
        const std::string mode = m->as_string();
        if (mode != "exact" && mode != "aggregated") m->fail("mode is exact or aggregated, got '" + mode + "'");
        s.fidelity.aggregated = mode == "aggregated";
      }
      if (auto x = v->optional("small_max_gpus")) s.fidelity.small_max_gpus = static_cast<int>(x->as_integer(1, 64));
      if (auto x = v->optional("small_max_h")) s.fidelity.small_max_h = x->as_number(0.001, 1e5);
      if (auto x = v->optional("step_minutes")) {
        const long long minutes = x->as_integer(1, 60);
        if (static_cast<long long>(s.step_s / 60) % minutes != 0) x->fail("must divide step_minutes");
        s.fidelity.step_s = 60.0 * static_cast<double>(minutes);
      }

    }
    if (auto v = root.optional("wan")) {
      v->expect_map({"bandwidth_gbps", "routing_factor", "usd_per_gb"});
      if (auto x = v->optional("bandwidth_gbps")) s.wan.bandwidth_gbps = x->as_number(0.001, 1e6);
      if (auto x = v->optional("routing_factor")) s.wan.routing_factor = x->as_number(1, 5);
      if (auto x = v->optional("usd_per_gb")) s.wan.usd_per_gb = x->as_number(0, 100);
    }
    return s;
  }

  static void load_scheduling(const YamlValue& v, Scenario& s) {
    v.expect_map({"policy", "broker", "backfill_depth"});
    if (auto p = v.optional("policy")) {
      const std::string name = p->as_string();
      if (name == "fcfs") {
        s.scheduling.policy = SchedulingPolicy::kFcfs;
      } else if (name == "easy-backfill") {
        s.scheduling.policy = SchedulingPolicy::kEasyBackfill;
      } else {
        const std::string close = detail::closest_match(name, {"fcfs", "easy-backfill"});
        p->fail("unknown policy '" + name + "'; one of fcfs, easy-backfill" +
                (close.empty() ? std::string() : "; did you mean '" + close + "'?"));
      }
    }
    if (auto b = v.optional("broker")) s.scheduling.broker = boolean(*b);
    if (auto d = v.optional("backfill_depth")) s.scheduling.backfill_depth = static_cast<int>(d->as_integer(1, 100000));
  }

  static void load_reliability(const YamlValue& v, Scenario& s) {
    v.expect_map({"causes", "spare_nodes_per_site", "swap_h", "spare_return_days"});
    Reliability& r = s.reliability;
    std::set<std::string> ids;
    for (const auto& c : v.required("causes").sequence(1)) {
      c.expect_map({"id", "per_million_gpu_h", "repair_h"});
      FailureCause cause;
      cause.id = identifier(c.required("id"));
      if (!ids.insert(cause.id).second) c.required("id").fail("duplicate failure cause '" + cause.id + "'");
      cause.per_million_gpu_h = c.required("per_million_gpu_h").as_number(0, 1e6);
      cause.repair_h = c.required("repair_h").as_number(0, 1e5);
      r.causes.push_back(cause);
    }
    r.spare_nodes_per_site = static_cast<int>(v.required("spare_nodes_per_site").as_integer(0, 100000));
    r.swap_h = v.required("swap_h").as_number(0, 1e4);
    r.spare_return_days = v.required("spare_return_days").as_number(0, 1e4);
  }

 private:
  static void load_costs(const YamlValue& costs, Scenario& s) {
    costs.expect_map({"server_usd_per_node", "network_fraction_of_servers", "maintenance_fraction_per_year",
                      "budget_includes_opex", "facility_split", "liquid_cooling_plant_premium", "terms"});
    s.server_capex_usd_per_node = costs.required("server_usd_per_node").as_number(0, 1e8);
    s.network_fraction_of_servers = costs.required("network_fraction_of_servers").as_number(0, 2);
    s.maintenance_fraction_per_year = costs.required("maintenance_fraction_per_year").as_number(0, 0.5);
    if (auto b = costs.optional("budget_includes_opex")) s.budget_includes_opex = boolean(*b);
    const YamlValue split = costs.required("facility_split");
    split.expect_map({"power_cooling_plant", "shell", "fit_out"});
    s.plant_fraction = split.required("power_cooling_plant").as_number(0, 1);
    s.shell_fraction = split.required("shell").as_number(0, 1);
    s.fit_out_fraction = split.required("fit_out").as_number(0, 1);
    if (std::abs(s.plant_fraction + s.shell_fraction + s.fit_out_fraction - 1) > 1e-6) {
      split.fail("the three fractions must sum to 1");
    }
    s.liquid_cooling_plant_premium = costs.required("liquid_cooling_plant_premium").as_number(0, 1);
    const YamlValue terms = costs.required("terms");
    terms.expect_map({"gpu_servers", "network", "power_cooling_plant", "shell", "fit_out"});
    for (int c = 0; c < models::kCapexComponentCount; ++c) {
      const YamlValue t = terms.required(models::capex_component_name(static_cast<models::CapexComponent>(c)));
      t.expect_map({"lead_weeks", "deposit_fraction", "life_years"});
      auto& out = s.capex_terms[static_cast<std::size_t>(c)];
      out.lead_time_s = t.required("lead_weeks").as_number(0, 520) * 7 * 86400;
      out.deposit_fraction = t.required("deposit_fraction").as_number(0, 1);
      out.depreciation_life_s = t.required("life_years").as_number(0.5, 100) * 365.25 * 86400;
    }
  }

  static bool boolean(const YamlValue& v) {
    const std::string b = v.as_string();
    if (b != "true" && b != "false") v.fail("expected true or false, got '" + b + "'");
    return b == "true";
  }

  Site load_site(const YamlValue& v, const Scenario& s) {
    v.expect_map({"id", "name", "country", "gpu", "climate", "weather_file", "cooling", "grid", "backup",
                  "power_limit_mw", "facility", "opex", "fabric", "location", "phases", "demand"});
    Site site;
    site.id = identifier(v.required("id"));
    site.name = v.required("name").as_string();
    const YamlValue country = v.required("country");
    site.country = country.as_string();
    if (site.country.size() != 2 || !std::isupper(static_cast<unsigned char>(site.country[0])) ||
        !std::isupper(static_cast<unsigned char>(site.country[1]))) {
      country.fail("expected an ISO 3166-1 alpha-2 code such as ZA, got '" + site.country + "'");
    }
    site.gpu = gpu_profile(v.required("gpu"));
    site.climate = climate(v.required("climate"));
    if (auto w = v.optional("weather_file")) {
      site.weather_file = w->as_string();
      const auto path = scenario_dir_ / site.weather_file;
      if (!std::filesystem::is_regular_file(path)) w->fail("weather file not found: " + path.string());
      site.weather_year = detail::read_epw(path);
    }
    site.cooling = cooling(v.required("cooling"));
    load_grid(v.required("grid"), site);
    load_backup(v.required("backup"), site);
    if (auto limit = v.optional("power_limit_mw")) site.power_limit_w = limit->as_number(0.01, 1e4) * 1e6;

    const YamlValue facility = v.required("facility");
    facility.expect_map({"capex_usd_per_w"});
    site.facility_capex_usd_per_w = facility.required("capex_usd_per_w").as_number(0, 100);
    const YamlValue opex = v.required("opex");
    opex.expect_map({"staff_fte", "usd_per_fte_year", "water_usd_per_m3"});
    site.opex.staff_fte = opex.required("staff_fte").as_number(0, 1e5);
    site.opex.usd_per_fte_year = opex.required("usd_per_fte_year").as_number(0, 1e7);
    site.opex.water_usd_per_m3 = opex.required("water_usd_per_m3").as_number(0, 1e3);

    for (const auto& p : v.required("phases").sequence(1)) {
      p.expect_map({"date", "gpus"});
      DeploymentPhase phase;
      const YamlValue date = p.required("date");
      phase.commission = date.as_date();
      if (phase.commission < s.start || phase.commission >= s.end) {
        date.fail("commissioning date " + models::format_date(phase.commission) +
                  " is outside the scenario [" + models::format_date(s.start) + ", " +
                  models::format_date(s.end) + ")");
      }
      if (!site.phases.empty() && phase.commission <= site.phases.back().commission) {
        date.fail("phases must be in date order; " + models::format_date(phase.commission) +
                  " is not after " + models::format_date(site.phases.back().commission));
      }
      const YamlValue gpus = p.required("gpus");
      phase.gpus = static_cast<int>(gpus.as_integer(1, 10'000'000));
      if (phase.gpus % site.gpu.gpus_per_node != 0) {
        gpus.fail(std::to_string(phase.gpus) + " GPUs is not a whole number of " +
                  std::to_string(site.gpu.gpus_per_node) + "-GPU nodes");
      }
      site.phases.push_back(phase);
    }

    load_fabric(v, site);

    for (const auto& d : v.required("demand").sequence(1)) {
      d.expect_map({"date", "gpu_hours_per_month"});
      DemandPoint point;
      const YamlValue date = d.required("date");
      point.date = date.as_date();
      if (!site.demand.empty() && point.date <= site.demand.back().date) {
        date.fail("demand points must be in date order; " + models::format_date(point.date) +
                  " is not after " + models::format_date(site.demand.back().date));
      }
      point.gpu_hours_per_month = d.required("gpu_hours_per_month").as_number(0, kMaxGpuHoursPerMonth);
      site.demand.push_back(point);
    }
    return site;
  }

  static void load_sizes(const YamlValue& sizes, const Scenario& s, const std::string& smallest_site,
                         int smallest_site_gpus, JobClass& jc) {
    for (const auto& size : sizes.sequence(1)) {
      size.expect_map({"gpus", "weight"});
      const YamlValue gpus = size.required("gpus");
      const int n = static_cast<int>(gpus.as_integer(1, 1'000'000));
      for (const auto& site : s.sites) {
        const int per_node = site.gpu.gpus_per_node;
        if (n < per_node ? per_node % n != 0 : n % per_node != 0) {
          gpus.fail(std::to_string(n) + " GPUs neither divides nor is a multiple of site " + site.id +
                    "'s " + std::to_string(per_node) + " GPUs per node");
        }
      }
      if (n > smallest_site_gpus) {
        gpus.fail("a job of " + std::to_string(n) + " GPUs could never start at site " + smallest_site +
                  ", which has " + std::to_string(smallest_site_gpus) + " GPUs in all");
      }
      jc.gpus.push_back(n);
      jc.gpus_weights.push_back(size.required("weight").as_number(1e-9, 1e9));
    }
  }

  static void load_duration(const YamlValue& duration, JobClass& jc) {
    duration.expect_map({"median", "p90", "max"});
    jc.duration_median_h = duration.required("median").as_number(1.0 / 3600, 1e5);
    const YamlValue p90 = duration.required("p90");
    jc.duration_p90_h = p90.as_number(1.0 / 3600, 1e5);
    if (jc.duration_p90_h < jc.duration_median_h) p90.fail("p90 must be at least the median");
    const YamlValue max = duration.required("max");
    jc.duration_max_h = max.as_number(1.0 / 3600, 1e6);
    if (jc.duration_max_h < jc.duration_p90_h) max.fail("max must be at least the p90");
  }

  void load_workload(const YamlValue& v, Scenario& s) {
    v.expect_map({"classes", "trace"});
    const YamlValue classes = v.required("classes");
    std::set<std::string> ids;
    double share_sum = 0;
    int smallest_site_gpus = 0;
    std::string smallest_site;
    for (const auto& site : s.sites) {
      int total = 0;
      for (const auto& p : site.phases) total += p.gpus;
      if (smallest_site.empty() || total < smallest_site_gpus) {
        smallest_site_gpus = total;
        smallest_site = site.id;
      }
    }
    for (const auto& c : classes.sequence(1)) {
      c.expect_map({"id", "share_of_gpu_hours", "sizes", "duration_h", "priority", "checkpoint_interval_h",
                    "residency", "cycle", "communication", "dataset_gb", "outcomes", "campaign",
                    "mean_gpu_h", "served"});
      JobClass jc;
      jc.id = identifier(c.required("id"));
      if (!ids.insert(jc.id).second) c.required("id").fail("duplicate job class id '" + jc.id + "'");
      jc.share_of_gpu_hours = c.required("share_of_gpu_hours").as_number(0, 1);
      share_sum += jc.share_of_gpu_hours;
      if (auto served = c.optional("served")) jc.served = boolean(*served);
      if (!jc.served || c.optional("sizes")) load_sizes(c.required("sizes"), s, smallest_site, smallest_site_gpus, jc);
      if (!jc.served || c.optional("duration_h")) load_duration(c.required("duration_h"), jc);
      if (jc.served) {
        for (const char* key : {"mean_gpu_h", "outcomes", "campaign"}) {
          if (auto v = c.optional(key)) v->fail(std::string(key) + " applies to jobs, not to a served class");
        }
      }
      if (auto mean = c.optional("mean_gpu_h")) {
        double weights = 0, gpus = 0;
        for (std::size_t i = 0; i < jc.gpus.size(); ++i) {
          weights += jc.gpus_weights[i];
          gpus += jc.gpus_weights[i] * jc.gpus[i];
        }
        jc.duration_mean_h = mean->as_number(1e-6, 1e9) / (gpus / weights);
        try {
          models::JobDuration(jc.duration_median_h, jc.duration_p90_h, jc.duration_max_h, jc.duration_mean_h);
        } catch (const std::invalid_argument& e) {
          mean->fail(std::string("with the class's sizes (mean ") + std::to_string(gpus / weights) + " GPUs), " + e.what());
        }
      }
      if (auto p = c.optional("priority")) jc.priority = static_cast<int>(p->as_integer(-1000, 1000));
      if (auto k = c.optional("checkpoint_interval_h")) jc.checkpoint_interval_h = k->as_number(0, 1e4);
      if (auto r = c.optional("residency")) {
        const std::string rule = r->as_string();
        if (rule != "home-country" && rule != "any-site") {
          r->fail("residency is home-country or any-site, got '" + rule + "'");
        }
        jc.may_move = rule == "any-site";
      }
      if (auto comm = c.optional("communication")) {
        comm->expect_map({"collective", "comm_fraction"});
        const YamlValue collective = comm->required("collective");
        const std::string name = collective.as_string();
        if (name != "ring" && name != "tree") collective.fail("collective is ring or tree, got '" + name + "'");
        jc.collective = name == "ring" ? JobClass::Collective::kRing : JobClass::Collective::kTree;
        jc.comm_fraction = comm->required("comm_fraction").as_number(0, 100);
      }
      if (auto d = c.optional("dataset_gb")) jc.dataset_gb = d->as_number(0, 1e9);
      if (auto cycle = c.optional("cycle")) {
        cycle->expect_map({"daily_amplitude", "peak_hour", "weekend_factor"});
        jc.daily_amplitude = cycle->required("daily_amplitude").as_number(0, 0.999);
        jc.peak_hour = cycle->required("peak_hour").as_number(0, 24);
        jc.weekend_factor = cycle->required("weekend_factor").as_number(0, 10);
      }
      if (auto o = c.optional("outcomes")) {
        o->expect_map({"failed", "cancelled", "by_duration"});
        if (auto by = o->optional("by_duration")) jc.outcome_by_duration = by->as_number(0, 1);
        jc.failed_fraction = o->required("failed").as_number(0, 1);
        const YamlValue cancelled = o->required("cancelled");
        jc.cancelled_fraction = cancelled.as_number(0, 1);
        if (jc.failed_fraction + jc.cancelled_fraction > 1) cancelled.fail("failed and cancelled add up to more than 1");
      }
      if (auto camp = c.optional("campaign")) {
        camp->expect_map({"resubmit_gap_h"});
        jc.campaign = true;
        jc.resubmit_gap_h = camp->required("resubmit_gap_h").as_number(0, 1e4);
        if (jc.failed_fraction + jc.cancelled_fraction > 0.99) {
          camp->fail("a campaign needs attempts that complete: failed + cancelled must stay under 0.99");
        }
      }
      s.job_classes.push_back(std::move(jc));
    }
    if (std::abs(share_sum - 1.0) > 1e-6) {
      std::ostringstream msg;
      msg << "share_of_gpu_hours of the classes sum to " << share_sum << ", not 1";
      classes.fail(msg.str());
    }
    if (auto t = v.optional("trace")) {
      s.trace_file = t->as_string();
      const auto path = scenario_dir_ / s.trace_file;
      if (!std::filesystem::is_regular_file(path)) t->fail("trace file not found: " + path.string());
      s.trace = detail::read_trace(path, s);
    }
  }

  static models::CoolingParams cooling(const YamlValue& v) {
    v.expect_map({"kind", "liquid_fraction", "chw_supply_c", "liquid_supply_c"});
    static const std::vector<std::pair<std::string, models::CoolingKind>> kinds = {
        {"air-cooled-chiller", models::CoolingKind::kAirCooledChiller},
        {"water-cooled-chiller", models::CoolingKind::kWaterCooledChiller},
        {"liquid-dry-cooler", models::CoolingKind::kLiquidDryCooler},
        {"hybrid", models::CoolingKind::kHybrid}};
    const YamlValue kind = v.required("kind");
    const std::string name = kind.as_string();
    std::vector<std::string> names;
    for (const auto& [n, k] : kinds) names.push_back(n);
    const auto it = std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == name; });
    if (it == kinds.end()) {
      const std::string close = detail::closest_match(name, names);
      kind.fail("unknown cooling kind '" + name + "'; one of air-cooled-chiller, water-cooled-chiller, "
                "liquid-dry-cooler, hybrid" + (close.empty() ? std::string() : "; did you mean '" + close + "'?"));
    }
    models::CoolingParams p = models::CoolingParams::defaults(it->second);
    const bool liquid = it->second == models::CoolingKind::kLiquidDryCooler || it->second == models::CoolingKind::kHybrid;
    if (auto f = v.optional("liquid_fraction")) {
      if (!liquid) f->fail("liquid_fraction applies to liquid-dry-cooler and hybrid cooling only");
      p.liquid_fraction = f->as_number(0.01, 1.0);
    } else if (liquid) {
      v.fail("missing required key 'liquid_fraction' for " + name + " cooling");
    }
    if (auto t = v.optional("chw_supply_c")) p.chw_supply_c = t->as_number(5, 25);
    if (auto t = v.optional("liquid_supply_c")) p.liquid_supply_c = t->as_number(15, 60);
    try {
      models::CoolingPlant check(p);
    } catch (const std::invalid_argument& e) {
      v.fail(e.what());
    }
    return p;
  }

  void load_grid(const YamlValue& v, Site& site) {
    v.expect_map({"connection_mw", "tariff", "outages"});
    site.grid.connection_w = v.required("connection_mw").as_number(0.01, 1e4) * 1e6;
    const auto grid_dir = data_dir_ / "grid";
    if (!tariffs_) tariffs_ = detail::read_tariffs(grid_dir / "tariffs.csv");
    if (!outages_) outages_ = detail::read_outage_profiles(grid_dir / "outage_profiles.csv");
    if (!carbon_) carbon_ = detail::read_carbon_intensity(grid_dir / "carbon_intensity.csv");
    const YamlValue tariff = v.required("tariff");
    site.grid.tariff_id = tariff.as_string();
    site.grid.tariff = lookup(*tariffs_, tariff, "tariff", grid_dir / "tariffs.csv");
    site.grid.outages = lookup(*outages_, v.required("outages"), "outage profile", grid_dir / "outage_profiles.csv");
    auto carbon = carbon_->find(site.country);
    if (carbon == carbon_->end()) {
      v.fail("no grid carbon intensity for country " + site.country + " in " + (grid_dir / "carbon_intensity.csv").string());
    }
    site.grid.carbon_g_per_kwh = carbon->second;
  }

  // Defaults: rail-optimized, 400G per GPU, 64-port switches, non-blocking; the location
  // from data/fabric/site_coordinates.csv by the site's climate.
  void load_fabric(const YamlValue& v, Site& site) {
    models::FabricSpec& f = site.fabric;
    f.gpus_per_node = site.gpu.gpus_per_node;
    for (const auto& p : site.phases) f.nodes += p.gpus / site.gpu.gpus_per_node;
    if (auto fabric = v.optional("fabric")) {
      fabric->expect_map({"kind", "oversubscription", "switch_radix", "nic_gbps"});
      if (auto k = fabric->optional("kind")) {
        const auto kind = models::parse_fabric_kind(k->as_string());
        if (!kind) k->fail("fabric kind is leaf-spine, fat-tree or rail-optimized, got '" + k->as_string() + "'");
        f.kind = *kind;
      }
      if (auto x = fabric->optional("oversubscription")) f.oversubscription = x->as_number(1, 16);
      if (auto x = fabric->optional("switch_radix")) f.switch_radix = static_cast<int>(x->as_integer(4, 1024));
      if (auto x = fabric->optional("nic_gbps")) f.nic_gbps = x->as_number(1, 1e5);
    }
    // Sized with the spare nodes, which are racked and cabled too.
    models::FabricSpec with_spares = f;
    with_spares.nodes += spare_nodes_;
    try {
      models::build_fabric(with_spares);
    } catch (const std::invalid_argument& e) {
      (v.optional("fabric") ? *v.optional("fabric") : v).fail(e.what());
    }
    site.location.site = site.id;
    if (auto loc = v.optional("location")) {
      loc->expect_map({"lat_deg", "lon_deg"});
      site.location.lat_deg = loc->required("lat_deg").as_number(-90, 90);
      site.location.lon_deg = loc->required("lon_deg").as_number(-180, 180);
      return;
    }
    if (!coordinates_) coordinates_ = detail::read_site_coordinates(data_dir_ / "fabric" / "site_coordinates.csv");
    const auto it = coordinates_->find(site.climate.id);
    if (it == coordinates_->end()) {
      v.fail("no coordinates for climate '" + site.climate.id + "' in " +
             (data_dir_ / "fabric" / "site_coordinates.csv").string() + "; give location: {lat_deg, lon_deg}");
    }
    site.location.lat_deg = it->second.first;
    site.location.lon_deg = it->second.second;
  }

  static void load_backup(const YamlValue& v, Site& site) {
    v.expect_map({"ups_ride_through_s", "generator_units", "generator", "generator_start_s", "diesel_usd_per_l"});
    Backup& b = site.backup;
    b.ups_ride_through_s = v.required("ups_ride_through_s").as_number(0, 86400);
    b.generator_units = static_cast<int>(v.required("generator_units").as_integer(0, 1000));
    const YamlValue gen = v.required("generator");
    b.generator_id = gen.as_string();
    if (b.generator_id != "qsk60-g4") {
      gen.fail("unknown generator '" + b.generator_id + "'; known: qsk60-g4" +
               (detail::closest_match(b.generator_id, {"qsk60-g4"}).empty() ? "" : "; did you mean 'qsk60-g4'?"));
    }
    b.generator_curve = models::qsk60_g4_prime_fuel_curve();
    b.generator_start_s = v.required("generator_start_s").as_number(0, 3600);
    b.diesel_usd_per_l = v.required("diesel_usd_per_l").as_number(0, 100);
  }

  template <class Map>
  static typename Map::mapped_type lookup(const Map& known, const YamlValue& v, const std::string& what,
                                          const std::filesystem::path& file) {
    const std::string id = v.as_string();
    if (auto it = known.find(id); it != known.end()) return it->second;
    std::vector<std::string> ids;
    for (const auto& [k, unused] : known) ids.push_back(k);
    const std::string close = detail::closest_match(id, ids);
    v.fail(what + " '" + id + "' is not in " + file.string() +
           (close.empty() ? std::string() : "; did you mean '" + close + "'?"));
  }

  models::GpuProfile gpu_profile(const YamlValue& v) {
    const std::string ref = v.as_string();
    const bool is_path = ref.find('/') != std::string::npos || ref.ends_with(".yaml");
    const std::filesystem::path path =
        is_path ? scenario_dir_ / ref : data_dir_ / "gpus" / (ref + ".yaml");
    if (!std::filesystem::is_regular_file(path)) {
      std::string hint;
      if (!is_path) {
        std::vector<std::string> known;
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(data_dir_ / "gpus", ec)) {
          if (e.path().extension() == ".yaml") known.push_back(e.path().stem().string());
        }
        const std::string close = detail::closest_match(ref, known);
        if (!close.empty()) hint = "; did you mean '" + close + "'?";
      }
      v.fail("GPU profile '" + ref + "' not found: no file " + path.string() + hint);
    }
    const std::string id = is_path ? path.stem().string() : ref;
    if (auto it = profiles_.find(path.string()); it != profiles_.end()) return it->second;
    models::GpuProfile p = detail::read_gpu_profile(path, id);
    try {
      models::GpuModel check(p);
    } catch (const std::invalid_argument& e) {
      v.fail(e.what());
    }
    profiles_.emplace(path.string(), p);
    return p;
  }

  ClimateNormals climate(const YamlValue& v) {
    const auto dir = data_dir_ / "climate";
    if (!climates_) climates_ = detail::read_climates(dir);
    return lookup(*climates_, v, "climate", dir / "monthly_normals.csv");
  }

  std::filesystem::path data_dir_;
  std::filesystem::path scenario_dir_;
  std::map<std::string, models::GpuProfile> profiles_;
  std::optional<std::map<std::string, ClimateNormals>> climates_;
  std::optional<std::map<std::string, models::Tariff>> tariffs_;
  std::optional<std::map<std::string, models::OutageProfile>> outages_;
  std::optional<std::map<std::string, double>> carbon_;
  std::optional<std::map<std::string, std::pair<double, double>>> coordinates_;
  int spare_nodes_ = 0;
};

}  // namespace

ScenarioLoader::ScenarioLoader(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}

Scenario ScenarioLoader::load_file(const std::filesystem::path& path) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path.string(), 0, 0, "", "cannot read scenario file");
  std::ostringstream text;
  text << in.rdbuf();
  const auto root = detail::parse_yaml(text.str(), path.string());
  return Loader(data_dir_, path.parent_path()).load(root, path.string());
}

Scenario ScenarioLoader::load_text(std::string_view yaml, const std::string& source_name) const {
  const auto root = detail::parse_yaml(yaml, source_name);
  return Loader(data_dir_, std::filesystem::current_path()).load(root, source_name);
}

std::filesystem::path default_data_dir() {
  if (const char* env = std::getenv("DCTWIN_DATA_DIR"); env && *env) return env;
  return DCTWIN_DEFAULT_DATA_DIR;
}

}  // namespace dctwin::sim
