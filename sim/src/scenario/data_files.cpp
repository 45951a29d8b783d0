#include "data_files.h"

#include <fstream>
#include <sstream>

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
                   "power_clock_exponent", "pstate_clocks", "sources"});
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

std::map<std::string, ClimateNormals> read_climate_normals(const std::filesystem::path& path) {
  const CsvTable t = read_csv(path);
  static const char* kMonths[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                    "jul", "aug", "sep", "oct", "nov", "dec"};
  if (t.header.size() < 15 || t.header[0] != "climate" || t.header[1] != "metric" ||
      t.header[14] != "source") {
    throw ScenarioError(path.string(), 1, 1, "", "header must be climate,metric,jan..dec,source[,...]");
  }
  std::map<std::string, ClimateNormals> out;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    if (row[1] != "mean_drybulb_c") continue;
    if (row[14].empty()) throw ScenarioError(path.string(), t.row_lines[r], 1, row[0], "row has no source");
    ClimateNormals c;
    c.id = row[0];
    for (int m = 0; m < 12; ++m) {
      const std::string& cell = row[static_cast<std::size_t>(m) + 2];
      char* end = nullptr;
      c.mean_drybulb_c[static_cast<std::size_t>(m)] = std::strtod(cell.c_str(), &end);
      if (cell.empty() || end != cell.c_str() + cell.size()) {
        throw ScenarioError(path.string(), t.row_lines[r], 1, c.id + "." + kMonths[m],
                            "expected a number, got '" + cell + "'");
      }
    }
    out[c.id] = c;
  }
  return out;
}

}  // namespace dctwin::sim::detail
