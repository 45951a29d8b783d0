// dctwin — the headless CLI: run a scenario, validate one. Exit status: 0 done, 2 bad input
// (one line file:line:col: key.path: problem, nothing written), 1 any other failure.
#include <algorithm>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "dctwin/sim/reports.h"
#include "dctwin/sim/scenario_error.h"
#include "dctwin/sim/scenario_loader.h"
#include "dctwin/sim/twin.h"
#include "calibrate_command.h"
#include "exit_status.h"
#include "fabric_command.h"
#include "memory_guard.h"
#include "progress.h"
#include "workload_command.h"
#include "summary_table.h"

namespace {

using namespace dctwin;


sim::Scenario load(const std::string& path, const std::filesystem::path& data_dir) {
  const sim::ScenarioLoader loader(data_dir);
  if (path.empty()) return loader.load_text(sim::default_scenario_yaml(), sim::kDefaultScenarioName);
  return loader.load_file(path);
}

int run_command(const std::string& scenario_path, const std::string& out_dir, std::optional<long long> seed,
                const std::string& progress_mode, bool hourly, bool no_jobs, const std::string& fidelity,
                const std::filesystem::path& data_dir) {
  sim::Scenario scenario = load(scenario_path, data_dir);
  if (seed) scenario.seed = static_cast<std::uint64_t>(*seed);
  if (!fidelity.empty()) scenario.fidelity.aggregated = fidelity == "aggregated";
  cli::refuse_if_jobs_exceed_memory(scenario);

  cli::ProgressMode mode = cli::ProgressMode::kAuto;
  if (progress_mode == "bar") mode = cli::ProgressMode::kBar;
  if (progress_mode == "jsonl") mode = cli::ProgressMode::kJsonl;
  if (progress_mode == "none") mode = cli::ProgressMode::kNone;
  cli::ProgressReporter progress(mode);

  const auto started = std::chrono::steady_clock::now();
  sim::RunOptions options;
  options.on_progress = [&progress](const sim::Progress& p) { progress.update(p); };
  sim::Twin twin(scenario);
  const sim::RunResult result = twin.run(options);
  progress.finish();
  sim::ReportOptions report_options;
  report_options.hourly = hourly;
  report_options.jobs = !no_jobs;
  const auto tables = sim::build_reports(scenario, result, report_options);
  sim::write_reports(tables, out_dir);
  // An earlier run's jobs.csv would not match the reports beside it.
  if (no_jobs) std::filesystem::remove(std::filesystem::path(out_dir) / "jobs.csv");
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (progress.mode() == cli::ProgressMode::kJsonl) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "{\"event\":\"done\",\"jobs\":%zu,\"wall_s\":%.3f,\"out\":\"%s\"}",
                  result.jobs.size(), wall_s, out_dir.c_str());
    progress.event(buf);
    return 0;
  }
  std::cout << scenario.name << " (" << scenario.source_name << "), seed " << scenario.seed << ", "
            << models::format_date(scenario.start) << " to " << models::format_date(scenario.end) << "\n\n"
            << cli::format_summary_table(tables.front());
  for (const auto& site : scenario.sites) {
    if (!site.gpu.calibrated) {
      std::cout << "note: GPU profile '" << site.gpu.id
                << "' is uncalibrated (datasheet figures and estimates; see data/gpus/)\n";
      break;
    }
  }
  double aggregated = 0;
  for (const auto& site : result.sites) {
    for (const auto& cell : site.aggregate) aggregated += cell.jobs;
  }
  const auto discrete = static_cast<std::size_t>(std::count_if(result.jobs.begin(), result.jobs.end(), [](const sim::JobRecord& j) {
    return j.state != sim::JobState::kUnsubmitted;
  }));
  if (scenario.fidelity.aggregated && aggregated > 0) {
    std::cout << "note: small jobs in aggregate: queue waits agree with --fidelity exact on a busy month's "
                 "programme-wide p95 as a mean over many seeds, not run by run nor site by site (a site's by up "
                 "to 40 %); over the years pre-training's and debug's about a quarter and fine-tuning's 60 % "
                 "longer; docs/workloads.md\n";
  }
  if (scenario.fidelity.aggregated) {
    std::printf("\n%.0f jobs simulated in %.2f s wall (aggregated fidelity: %zu as engine activities, the rest "
                "carried in aggregate); reports in %s/\n",
                static_cast<double>(discrete) + aggregated, wall_s, discrete, out_dir.c_str());
  } else {
    std::printf("\n%zu jobs simulated in %.2f s wall (exact fidelity); reports in %s/\n", discrete, wall_s,
                out_dir.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dctwin — digital twin of a multi-site GPU AI-factory programme"};
  app.set_version_flag("--version", std::string("dctwin ") + DCTWIN_VERSION);
  app.require_subcommand(1);
  std::string data_dir = dctwin::sim::default_data_dir().string();
  app.add_option("--data", data_dir, "folder with GPU profiles and climate data")->capture_default_str();

  auto* run = app.add_subcommand("run", "run a scenario (default: the embedded cassava-baseline) and write CSV reports");
  std::string scenario_path, out_dir = "out", progress_mode = "auto";
  std::optional<long long> seed;
  bool hourly = false, no_jobs = false;
  std::string fidelity;
  run->add_option("SCENARIO", scenario_path, "scenario YAML file; omitted: the embedded default");
  run->add_option("--out", out_dir, "output folder")->capture_default_str();
  run->add_option("--seed", seed, "random seed, overriding the scenario's")->check(CLI::NonNegativeNumber);
  run->add_option("--progress", progress_mode, "progress display")
      ->check(CLI::IsMember({"auto", "bar", "jsonl", "none"}))
      ->capture_default_str();
  run->add_flag("--hourly", hourly, "also write site_hourly.csv (one row per site and facility step)");
  run->add_flag("--no-jobs", no_jobs, "don't write jobs.csv, and remove an earlier run's (one row per discrete job: gigabytes for years in exact fidelity)");
  run->add_option("--fidelity", fidelity, "exact: every job an engine activity; aggregated: small short jobs as a fluid load (default: the scenario's)")
      ->check(CLI::IsMember({"exact", "aggregated"}));

  auto* validate = app.add_subcommand("validate", "check a scenario and report the first problem");
  std::string validate_path;
  validate->add_option("SCENARIO", validate_path, "scenario YAML file")->required();

  std::optional<int> fabric_status, calibrate_status, workload_status;
  dctwin::cli::add_fabric_command(app, data_dir, fabric_status);
  dctwin::cli::add_calibrate_command(app, calibrate_status);
  dctwin::cli::add_workload_command(app, data_dir, workload_status);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : cli::kBadInput;
  }
  if (fabric_status) return *fabric_status;
  if (calibrate_status) return *calibrate_status;
  if (workload_status) return *workload_status;

  if (*run) {
    return cli::run_guarded("dctwin", [&] {
      return run_command(scenario_path, out_dir, seed, progress_mode, hourly, no_jobs, fidelity, data_dir);
    });
  }
  return cli::run_guarded("dctwin", [&] {
    const auto scenario = load(validate_path, data_dir);
    std::size_t gpus = 0;
    for (const auto& s : scenario.sites) {
      for (const auto& p : s.phases) gpus += static_cast<std::size_t>(p.gpus);
    }
    std::cout << validate_path << ": ok (" << scenario.sites.size() << " sites, " << gpus << " GPUs, "
              << scenario.job_classes.size() << " job classes)\n";
    return 0;
  });
}
