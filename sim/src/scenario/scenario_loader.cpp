#include "dctwin/sim/scenario_loader.h"

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
                     "budget_usd", "costs", "sites", "workload"});
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

    const YamlValue costs = root.required("costs");
    costs.expect_map({"server_usd_per_node"});
    s.server_capex_usd_per_node = costs.required("server_usd_per_node").as_number(0, 1e8);

    std::set<std::string> site_ids;
    for (const auto& v : root.required("sites").sequence(1)) {
      Site site = load_site(v, s);
      if (!site_ids.insert(site.id).second) v.required("id").fail("duplicate site id '" + site.id + "'");
      s.sites.push_back(std::move(site));
    }
    load_workload(root.required("workload"), s);
    return s;
  }

 private:
  Site load_site(const YamlValue& v, const Scenario& s) {
    v.expect_map({"id", "name", "country", "gpu", "climate", "facility", "phases", "demand"});
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

    const YamlValue facility = v.required("facility");
    facility.expect_map({"pue_at_reference", "reference_drybulb_c", "pue_per_kelvin_above", "capex_usd_per_w"});
    site.pue.pue_at_reference = facility.required("pue_at_reference").as_number(1.0, 3.0);
    site.pue.reference_drybulb_c = facility.required("reference_drybulb_c").as_number(-40, 60);
    site.pue.pue_per_kelvin_above = facility.required("pue_per_kelvin_above").as_number(0, 0.2);
    site.facility_capex_usd_per_w = facility.required("capex_usd_per_w").as_number(0, 100);

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

  void load_workload(const YamlValue& v, Scenario& s) {
    v.expect_map({"classes"});
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
      c.expect_map({"id", "share_of_gpu_hours", "sizes", "duration_h"});
      JobClass jc;
      jc.id = identifier(c.required("id"));
      if (!ids.insert(jc.id).second) c.required("id").fail("duplicate job class id '" + jc.id + "'");
      jc.share_of_gpu_hours = c.required("share_of_gpu_hours").as_number(0, 1);
      share_sum += jc.share_of_gpu_hours;
      for (const auto& size : c.required("sizes").sequence(1)) {
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
      const YamlValue duration = c.required("duration_h");
      duration.expect_map({"median", "p90", "max"});
      jc.duration_median_h = duration.required("median").as_number(1.0 / 3600, 1e5);
      const YamlValue p90 = duration.required("p90");
      jc.duration_p90_h = p90.as_number(1.0 / 3600, 1e5);
      if (jc.duration_p90_h < jc.duration_median_h) p90.fail("p90 must be at least the median");
      const YamlValue max = duration.required("max");
      jc.duration_max_h = max.as_number(1.0 / 3600, 1e6);
      if (jc.duration_max_h < jc.duration_p90_h) max.fail("max must be at least the p90");
      s.job_classes.push_back(std::move(jc));
    }
    if (std::abs(share_sum - 1.0) > 1e-6) {
      std::ostringstream msg;
      msg << "share_of_gpu_hours of the classes sum to " << share_sum << ", not 1";
      classes.fail(msg.str());
    }
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
    const std::string ref = v.as_string();
    const auto path = data_dir_ / "climate" / "monthly_normals.csv";
    if (!climates_) {
      if (!std::filesystem::is_regular_file(path)) v.fail("climate file not found: " + path.string());
      climates_ = detail::read_climate_normals(path);
    }
    if (auto it = climates_->find(ref); it != climates_->end()) return it->second;
    std::vector<std::string> known;
    for (const auto& [id, c] : *climates_) known.push_back(id);
    const std::string close = detail::closest_match(ref, known);
    v.fail("climate '" + ref + "' is not in " + path.string() +
           (close.empty() ? std::string() : "; did you mean '" + close + "'?"));
  }

  std::filesystem::path data_dir_;
  std::filesystem::path scenario_dir_;
  std::map<std::string, models::GpuProfile> profiles_;
  std::optional<std::map<std::string, ClimateNormals>> climates_;
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
