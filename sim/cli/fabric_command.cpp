#include "fabric_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "dctwin/models/fabric.h"
#include "dctwin/models/fabric_metrics.h"
#include "dctwin/models/fabric_wan.h"
#include "dctwin/sim/reports.h"
#include "dctwin/sim/scenario_error.h"
#include "dctwin/sim/scenario_loader.h"
#include "exit_status.h"

namespace dctwin::cli {
namespace {

namespace fs = std::filesystem;

struct Options {
  std::string scenario_path;
  std::string out_dir = "out";
};

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

// The site's fabric from the scenario, sized for its full build-out plus its spares, which
// are racked and cabled too.
models::FabricSpec site_spec(const sim::Site& site, int spare_nodes) {
  models::FabricSpec s = site.fabric;
  s.nodes += spare_nodes;
  return s;
}


// Every file goes to a temporary name first and is renamed into place only when all were
// written, as sim::write_reports does, so a failure leaves no partial output.

// Quantities down, sites across: five sites fit a terminal, twenty-odd columns would not.
std::string format_table(const sim::Table& t) {
  std::vector<std::vector<std::string>> lines;
  for (std::size_t c = 0; c < t.header.size(); ++c) {
    std::vector<std::string> line = {t.header[c]};
    for (const auto& row : t.rows) line.push_back(row[c]);
    lines.push_back(std::move(line));
  }
  std::vector<std::size_t> width(t.rows.size() + 1, 0);
  for (const auto& line : lines) {
    for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  }
  std::ostringstream out;
  for (const auto& line : lines) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      const std::string pad(width[i] - line[i].size(), ' ');
      out << (i ? "  " + pad + line[i] : line[i] + pad);
    }
    out << '\n';
  }
  return out.str();
}

int run_fabric(const Options& o, const fs::path& data_dir) {
  const sim::ScenarioLoader loader(data_dir);
  const sim::Scenario scenario =
      o.scenario_path.empty()
          ? loader.load_text(sim::default_scenario_yaml(), sim::kDefaultScenarioName)
          : loader.load_file(o.scenario_path);
  sim::Table table{"fabric.csv", {"site", "kind"}, {}};
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& site : scenario.sites) {
    const models::FabricSpec spec = site_spec(site, scenario.reliability.spare_nodes_per_site);
    if (spec.nodes == 0) continue;
    const models::Fabric fabric = models::build_fabric(spec);
    const auto rows = models::fabric_rows(
        fabric, models::fabric_metrics(
                    fabric, models::default_fabric_prices(spec.nic_gbps, spec.switch_radix)));
    if (table.header.size() == 2) {
      for (const auto& r : rows) table.header.push_back(r.column);
    }
    std::vector<std::string> cells = {site.id, models::to_string(spec.kind)};
    for (const auto& r : rows) cells.push_back(fixed(r.value, r.decimals));
    table.rows.push_back(std::move(cells));
    files.emplace_back("fabric_" + site.id + ".dot",
                       models::fabric_dot(fabric, site.id + " " + site.name));
  }
  files.emplace_back(table.file_name, sim::to_csv(table));
  std::cout << scenario.name
            << ": scale-out fabric per site, with spare nodes (sites[].fabric; docs/fabric.md)\n\n"
            << format_table(table);

  std::vector<models::SiteLocation> locations;
  for (const auto& site : scenario.sites) locations.push_back(site.location);
  if (!locations.empty()) {
    sim::Table wan{
        "wan.csv",
        {"site_a", "site_b", "great_circle_km", "bandwidth_gbps", "latency_ms", "usd_per_gb"},
        {}};
    for (const auto& l : models::wan_full_mesh(locations, scenario.wan)) {
      wan.rows.push_back({l.site_a, l.site_b, fixed(l.great_circle_km, 0),
                          fixed(l.bandwidth_gbps, 0), fixed(l.latency_s * 1e3, 2),
                          fixed(l.usd_per_gb, 3)});
    }
    files.emplace_back(wan.file_name, sim::to_csv(wan));
    std::cout << "\nWAN (ESTIMATE: great circle x " << scenario.wan.routing_factor << " at 2/3 c; sites' locations)\n"
              << format_table(wan);
  }
  std::vector<sim::FileWriter> writers;
  for (const auto& [name, text] : files) {
    writers.emplace_back(name, [&text](std::ostream& out) { out << text; });
  }
  sim::write_atomically(writers, o.out_dir);
  std::cout << "\nfabric.csv and " << table.rows.size() << " .dot files in " << o.out_dir << "/\n";
  return 0;
}

}  // namespace

void add_fabric_command(CLI::App& app, const std::string& data_dir, std::optional<int>& status) {
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "fabric", "size each site's network fabric and write fabric.csv and .dot files");
  cmd->add_option("SCENARIO", options->scenario_path,
                  "scenario YAML file; omitted: the embedded default");
  cmd->add_option("--out", options->out_dir, "output folder")->capture_default_str();
  cmd->callback([options, &data_dir, &status] {
    status = run_guarded("dctwin fabric", [&] { return run_fabric(*options, data_dir); });
  });
}

}  // namespace dctwin::cli
