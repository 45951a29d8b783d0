#include "summary_table.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <vector>

namespace dctwin::cli {
namespace {

std::size_t column(const sim::Table& t, const std::string& name) {
  const auto it = std::find(t.header.begin(), t.header.end(), name);
  return static_cast<std::size_t>(it - t.header.begin());
}

}  // namespace

std::string format_summary_table(const sim::Table& t) {
  struct Col {
    const char* title;
    const char* field;
    double scale;  // 0: copy the text
    int decimals;
    const char* plus_field = nullptr;  // added to `field` before scaling
  };
  const std::vector<Col> cols = {
      {"scope", "scope", 0, 0},           {"GPUs", "gpus", 0, 0},
      {"IT GWh", "it_mwh", 1e-3, 1},      {"facility GWh", "facility_mwh", 1e-3, 1},
      {"PUE", "pue", 1, 3},               {"peak MW", "peak_facility_mw", 1, 2},
      {"util %", "utilization", 100, 1},  {"jobs done", "jobs_finished", 0, 0},
      {"wait p95 h", "queue_wait_p95_h", 1, 1}, {"water ML", "water_m3", 1e-3, 1},
      {"CO2 kt", "co2_grid_t", 1e-3, 1, "co2_diesel_t"},  {"outage h", "outage_h", 1, 0},
      {"capex M$", "capex_usd", 1e-6, 1}, {"TCO $/GPU-h", "tco_usd_per_gpu_h", 1, 2},
  };
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : t.rows) {
    std::vector<std::string> line;
    for (const Col& c : cols) {
      const std::string& v = row.at(column(t, c.field));
      if (c.scale == 0) {
        line.push_back(v);
      } else {
        std::ostringstream s;
        s.setf(std::ios::fixed);
        s.precision(c.decimals);
        double x = std::strtod(v.c_str(), nullptr);
        if (c.plus_field) x += std::strtod(row.at(column(t, c.plus_field)).c_str(), nullptr);
        s << x * c.scale;
        line.push_back(s.str());
      }
    }
    cells.push_back(std::move(line));
  }
  std::vector<std::size_t> width(cols.size());
  for (std::size_t i = 0; i < cols.size(); ++i) {
    width[i] = std::string(cols[i].title).size();
    for (const auto& line : cells) width[i] = std::max(width[i], line[i].size());
  }
  std::ostringstream out;
  auto emit = [&](const std::vector<std::string>& line) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      const std::string pad(width[i] - line[i].size(), ' ');
      out << (i ? "  " : "") << (i == 0 ? line[i] + pad : pad + line[i]);
    }
    out << '\n';
  };
  std::vector<std::string> titles;
  for (const Col& c : cols) titles.emplace_back(c.title);
  emit(titles);
  for (const auto& line : cells) emit(line);
  const auto& last = t.rows.back();
  out << "budget USD " << std::strtod(last.at(column(t, "budget_usd")).c_str(), nullptr) / 1e6
      << " M, remaining " << std::strtod(last.at(column(t, "budget_remaining_usd")).c_str(), nullptr) / 1e6
      << " M, exceeded: " << last.at(column(t, "budget_exceeded_month")) << '\n';
  return out.str();
}

}  // namespace dctwin::cli
