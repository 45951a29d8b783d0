#include "data_files.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "dctwin/models/psychrometrics.h"
#include "yaml_reader.h"

namespace dctwin::sim::detail {
namespace {

std::string read_whole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path.string(), 0, 0, "", "cannot read file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> split_csv_line(const std::string& line, const std::string& file, int line_no) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  if (quoted) throw ScenarioError(file, line_no, 1, "", "unterminated quoted field");
  return fields;
}

}  // namespace

CsvTable read_csv(const std::filesystem::path& path) {
  const std::string text = read_whole(path);
  CsvTable table;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == "\r") continue;
    auto fields = split_csv_line(line, path.string(), line_no);
    if (table.header.empty()) {
      table.header = std::move(fields);
      continue;
    }
    if (fields.size() != table.header.size()) {
      throw ScenarioError(path.string(), line_no, 1, "",
                          "expected " + std::to_string(table.header.size()) + " fields, got " +
                              std::to_string(fields.size()));
    }
    table.rows.push_back(std::move(fields));
    table.row_lines.push_back(line_no);
  }
  if (table.header.empty()) throw ScenarioError(path.string(), 1, 1, "", "empty CSV file");
  return table;
}

models::GpuProfile read_gpu_profile(const std::filesystem::path& path, const std::string& id) {
  const std::string file = path.string();
  const YamlValue root = parse_yaml(read_whole(path), file);
  root.expect_map({"name", "calibrated", "basis", "gpus_per_node", "peak_dense_bf16_tflops",
                   "sustained_fraction", "gpu_idle_w", "gpu_busy_w", "host_idle_w", "host_busy_w",
                   "power_clock_exponent", "pstate_clocks", "sources", "calibration"});
  models::GpuProfile p;
  p.id = id;
  p.name = root.required("name").as_string();
  const std::string calibrated = root.required("calibrated").as_string();
  if (calibrated != "true" && calibrated != "false") root.required("calibrated").fail("expected true or false");
  p.calibrated = calibrated == "true";
  root.required("basis").as_string();
  p.gpus_per_node = static_cast<int>(root.required("gpus_per_node").as_integer(1, 72));
  p.peak_dense_bf16_flops = root.required("peak_dense_bf16_tflops").as_number(1, 1e5) * 1e12;
  p.sustained_fraction = root.required("sustained_fraction").as_number(0.01, 1);
  p.gpu_idle_w = root.required("gpu_idle_w").as_number(0, 5000);
  p.gpu_busy_w = root.required("gpu_busy_w").as_number(p.gpu_idle_w, 5000);
  p.host_idle_w = root.required("host_idle_w").as_number(0, 50000);
  p.host_busy_w = root.required("host_busy_w").as_number(p.host_idle_w, 50000);
  p.power_clock_exponent = root.required("power_clock_exponent").as_number(0, 4);
  const YamlValue clocks = root.required("pstate_clocks");
  for (const auto& c : clocks.sequence(1)) {
    const double f = c.as_number(0.05, 1.0);
    if (p.pstate_clocks.empty() ? f != 1.0 : f >= p.pstate_clocks.back()) {
      c.fail("pstate clocks must start at 1.0 and decrease");
    }
    p.pstate_clocks.push_back(f);
  }
  // Every figure names its source.
  const YamlValue sources = root.required("sources");
  sources.expect_map({"peak_dense_bf16_tflops", "sustained_fraction", "gpu_idle_w", "gpu_busy_w",
                      "host_idle_w", "host_busy_w", "power_clock_exponent", "pstate_clocks"});
  for (const char* key : {"peak_dense_bf16_tflops", "sustained_fraction", "gpu_idle_w", "gpu_busy_w",
                          "host_idle_w", "host_busy_w", "power_clock_exponent", "pstate_clocks"}) {
    sources.required(key).as_string();
  }
  return p;
}

namespace {

double number_cell(const CsvTable& t, std::size_t row, std::size_t col, const std::string& file) {
  const std::string& cell = t.rows[row][col];
  char* end = nullptr;
  const double x = std::strtod(cell.c_str(), &end);
  if (cell.empty() || end != cell.c_str() + cell.size()) {
    throw ScenarioError(file, t.row_lines[row], 1, t.header[col], "expected a number, got '" + cell + "'");
  }
  return x;
}

std::size_t column(const CsvTable& t, const std::string& name, const std::string& file) {
  for (std::size_t i = 0; i < t.header.size(); ++i) {
    if (t.header[i] == name) return i;
  }
  throw ScenarioError(file, 1, 1, "", "header lacks the column '" + name + "'");
}

void require_source(const CsvTable& t, std::size_t row, const std::string& file) {
  if (t.rows[row][column(t, "source", file)].empty()) {
    throw ScenarioError(file, t.row_lines[row], 1, t.rows[row][0], "row has no source");
  }
}

}  // namespace

std::map<std::string, ClimateNormals> read_climates(const std::filesystem::path& dir) {
  const std::string file = (dir / "monthly_normals.csv").string();
  const CsvTable t = read_csv(file);
  if (t.header.size() < 15 || t.header[0] != "climate" || t.header[1] != "metric" || t.header[14] != "source") {
    throw ScenarioError(file, 1, 1, "", "header must be climate,metric,jan..dec,source[,...]");
  }
  std::map<std::string, ClimateNormals> out;
  std::map<std::string, std::set<std::string>> metrics_seen;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    require_source(t, r, file);
    const std::string& id = t.rows[r][0];
    const std::string& metric = t.rows[r][1];
    ClimateNormals& c = out[id];
    c.id = id;
    std::array<double, 12>* target = nullptr;
    double scale = 1;
    if (metric == "mean_drybulb_c") target = &c.monthly.mean_drybulb_c;
    if (metric == "mean_daily_range_k") target = &c.monthly.mean_daily_range_k;
    if (metric == "mean_rh_pct") {
      target = &c.monthly.mean_rh;
      scale = 0.01;
    }
    if (!target) continue;
    for (std::size_t m = 0; m < 12; ++m) (*target)[m] = number_cell(t, r, m + 2, file) * scale;
    if (!metrics_seen[id].insert(metric).second) {
      throw ScenarioError(file, t.row_lines[r], 1, id + "." + metric, "appears twice");
    }
  }
  for (const auto& [id, metrics] : metrics_seen) {
    if (metrics.size() != 3) {
      throw ScenarioError(file, 0, 0, id, "needs mean_drybulb_c, mean_daily_range_k and mean_rh_pct rows");
    }
  }
  const std::string stations = (dir / "stations.csv").string();
  const CsvTable st = read_csv(stations);
  const std::size_t alt = column(st, "altitude_m", stations);
  const std::size_t offset = column(st, "utc_offset_h", stations);
  std::set<std::string> located;
  for (std::size_t r = 0; r < st.rows.size(); ++r) {
    require_source(st, r, stations);
    auto it = out.find(st.rows[r][0]);
    if (it == out.end()) continue;
    it->second.monthly.altitude_m = number_cell(st, r, alt, stations);
    it->second.utc_offset_h = number_cell(st, r, offset, stations);
    located.insert(it->first);
  }
  for (const auto& [id, c] : out) {
    if (!located.count(id)) throw ScenarioError(stations, 0, 0, id, "climate has no station row (altitude, UTC offset)");
  }
  return out;
}

std::map<std::string, models::Tariff> read_tariffs(const std::filesystem::path& path) {
  const std::string file = path.string();
  const CsvTable t = read_csv(path);
  const std::size_t band = column(t, "band", file), start = column(t, "start_hour", file),
                    end = column(t, "end_hour", file), weekdays = column(t, "weekdays", file),
                    weekends = column(t, "weekends", file), price = column(t, "usd_per_kwh", file);
  std::map<std::string, models::Tariff> out;
  std::map<std::string, bool> has_flat;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    require_source(t, r, file);
    models::Tariff& tariff = out[t.rows[r][0]];
    if (t.rows[r][band] == "flat") {
      tariff.flat_usd_per_kwh = number_cell(t, r, price, file);
      has_flat[t.rows[r][0]] = true;
      continue;
    }
    models::TouBand b;
    b.start_hour = static_cast<int>(number_cell(t, r, start, file));
    b.end_hour = static_cast<int>(number_cell(t, r, end, file));
    b.weekdays = number_cell(t, r, weekdays, file) != 0;
    b.weekends = number_cell(t, r, weekends, file) != 0;
    b.usd_per_kwh = number_cell(t, r, price, file);
    tariff.bands.push_back(b);
  }
  for (auto& [id, tariff] : out) {
    if (!has_flat[id]) throw ScenarioError(file, 0, 0, id, "tariff has no 'flat' band for the remaining hours");
    try {
      models::validate(tariff);
    } catch (const std::invalid_argument& e) {
      throw ScenarioError(file, 0, 0, id, e.what());
    }
  }
  return out;
}

std::map<std::string, models::OutageProfile> read_outage_profiles(const std::filesystem::path& path) {
  const std::string file = path.string();
  const CsvTable t = read_csv(path);
  const std::size_t rate = column(t, "events_per_year", file), mean = column(t, "mean_duration_h", file),
                    lo = column(t, "min_duration_h", file), hi = column(t, "max_duration_h", file);
  std::map<std::string, models::OutageProfile> out;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    require_source(t, r, file);
    models::OutageProfile p;
    p.id = t.rows[r][0];
    p.events_per_year = number_cell(t, r, rate, file);
    p.mean_duration_h = number_cell(t, r, mean, file);
    p.min_duration_h = number_cell(t, r, lo, file);
    p.max_duration_h = number_cell(t, r, hi, file);
    try {
      models::validate(p);
    } catch (const std::invalid_argument& e) {
      throw ScenarioError(file, t.row_lines[r], 1, p.id, e.what());
    }
    out[p.id] = p;
  }
  return out;
}

std::map<std::string, double> read_carbon_intensity(const std::filesystem::path& path) {
  const std::string file = path.string();
  const CsvTable t = read_csv(path);
  const std::size_t g = column(t, "g_co2_per_kwh", file);
  std::map<std::string, double> out;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    require_source(t, r, file);
    out[t.rows[r][0]] = number_cell(t, r, g, file);
  }
  return out;
}

std::map<std::string, std::pair<double, double>> read_site_coordinates(const std::filesystem::path& path) {
  const std::string file = path.string();
  const CsvTable t = read_csv(path);
  const std::size_t lat = column(t, "lat_deg", file), lon = column(t, "lon_deg", file);
  std::map<std::string, std::pair<double, double>> out;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    require_source(t, r, file);
    out[t.rows[r][0]] = {number_cell(t, r, lat, file), number_cell(t, r, lon, file)};
  }
  return out;
}

std::vector<TraceJob> read_trace(const std::filesystem::path& path, const Scenario& s) {
  const std::string file = path.string();
  const CsvTable t = read_csv(path);
  const std::vector<std::string> expected = {"job_id", "submit_s", "duration_s", "gpus", "site", "class"};
  if (t.header != expected) throw ScenarioError(file, 1, 1, "", "header must be job_id,submit_s,duration_s,gpus,site,class");
  const double horizon_s = models::SimCalendar(s.start).seconds_at(s.end);
  std::vector<TraceJob> jobs;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    auto fail = [&](std::size_t col, const std::string& problem) {
      // the column of the field: one past the commas before it
      int column_no = 1;
      for (std::size_t i = 0; i < col; ++i) column_no += static_cast<int>(row[i].size()) + 1;
      throw ScenarioError(file, t.row_lines[r], column_no, expected[col], problem);
    };
    auto number = [&](std::size_t col, double lo, double hi) {
      char* end = nullptr;
      const double x = std::strtod(row[col].c_str(), &end);
      if (row[col].empty() || end != row[col].c_str() + row[col].size()) fail(col, "expected a number, got '" + row[col] + "'");
      if (x < lo || x > hi) fail(col, "value " + row[col] + " is out of range");
      return x;
    };
    TraceJob j;
    j.submit_s = number(1, 0, horizon_s);
    j.duration_s = number(2, 1, 1e8);
    const double gpus = number(3, 1, 1e6);
    if (gpus != std::floor(gpus)) fail(3, "expected a whole number of GPUs, got '" + row[3] + "'");
    j.gpus = static_cast<int>(gpus);
    const auto site = std::find_if(s.sites.begin(), s.sites.end(), [&](const Site& x) { return x.id == row[4]; });
    if (site == s.sites.end()) fail(4, "no site '" + row[4] + "' in the scenario");
    j.site = static_cast<std::uint16_t>(site - s.sites.begin());
    const auto jc = std::find_if(s.job_classes.begin(), s.job_classes.end(), [&](const JobClass& x) { return x.id == row[5]; });
    if (jc == s.job_classes.end()) fail(5, "no job class '" + row[5] + "' in the scenario");
    j.job_class = static_cast<std::uint16_t>(jc - s.job_classes.begin());
    const int per_node = site->gpu.gpus_per_node;
    int site_gpus = 0;
    for (const auto& p : site->phases) site_gpus += p.gpus;
    if (j.gpus < per_node ? per_node % j.gpus != 0 : j.gpus % per_node != 0) {
      fail(3, row[3] + " GPUs neither divides nor is a multiple of " + std::to_string(per_node) + " GPUs per node");
    }
    if (j.gpus > site_gpus) fail(3, "a job of " + row[3] + " GPUs could never start at site " + site->id);
    jobs.push_back(j);
  }
  if (jobs.empty()) throw ScenarioError(file, 1, 1, "", "the trace has no jobs");
  return jobs;
}

std::vector<models::WeatherHour> read_epw(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::ifstream in(path);
  if (!in) throw ScenarioError(file, 0, 0, "", "cannot read weather file");
  std::vector<models::WeatherHour> hours;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no <= 8) continue;  // EPW header records
    if (line.empty() || line == "\r") continue;
    const auto f = split_csv_line(line, file, line_no);
    if (f.size() < 10) throw ScenarioError(file, line_no, 1, "", "an EPW data row has at least 10 fields");
    auto num = [&](std::size_t i) {
      char* end = nullptr;
      const double x = std::strtod(f[i].c_str(), &end);
      if (f[i].empty() || end != f[i].c_str() + f[i].size()) {
        throw ScenarioError(file, line_no, 1, "field " + std::to_string(i + 1), "expected a number, got '" + f[i] + "'");
      }
      return x;
    };
    if (num(1) == 2 && num(2) == 29) continue;  // typical years have no leap day
    models::WeatherHour h;
    h.drybulb_c = num(6);
    h.rh = std::clamp(num(8) / 100.0, 0.01, 1.0);
    // EPW field 10: station pressure; 999999 marks it missing.
    const double pressure_pa = num(9) >= 999999 ? 101325.0 : num(9);
    if (pressure_pa < 30000 || pressure_pa > 120000 || h.drybulb_c < -90 || h.drybulb_c > 70) {
      throw ScenarioError(file, line_no, 1, "", "dry bulb or pressure out of range");
    }
    try {
      h.wetbulb_c = models::wet_bulb_c(h.drybulb_c, h.rh, pressure_pa);
    } catch (const std::invalid_argument& e) {
      throw ScenarioError(file, line_no, 1, "", e.what());
    }
    hours.push_back(h);
  }
  if (hours.size() != 8760) {
    throw ScenarioError(file, line_no, 1, "", "expected 8760 hourly rows after the 8 header lines, got " +
                                                  std::to_string(hours.size()));
  }
  return hours;
}

}  // namespace dctwin::sim::detail
