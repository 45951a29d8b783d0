#include "workload_command.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "dctwin/sim/reports.h"
#include "dctwin/sim/scenario_error.h"
#include "dctwin/sim/scenario_loader.h"
#include "dctwin/sim/workload.h"
#include "exit_status.h"
#include "memory_guard.h"

namespace dctwin::cli {
namespace {

struct Options {
  std::string scenario;
  std::string out_dir;
  int days = 0;
};

// The size buckets of the Acme, Helios and Philly trace papers.
const char* bucket_of(int gpus) {
  if (gpus <= 1) return "1";
  if (gpus <= 8) return "2-8";
  if (gpus <= 64) return "9-64";
  if (gpus <= 512) return "65-512";
  return ">512";
}

std::string percent(double part, double whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", whole > 0 ? 100.0 * part / whole : 0.0);
  return buf;
}

int run(const Options& o, const std::string& data_dir) {
  const sim::ScenarioLoader loader(data_dir);
  sim::Scenario s = o.scenario.empty() ? loader.load_text(sim::default_scenario_yaml(), sim::kDefaultScenarioName)
                                       : loader.load_file(o.scenario);
  if (o.days > 0) {
    const auto end = models::date_from_days(models::days_since_epoch(s.start) + o.days);
    if (end < s.end) s.end = end;
  }
  s.fidelity.aggregated = false;  // the command draws every job, the small ones too
  refuse_if_jobs_exceed_memory(s, "draw fewer days (--days) or lower the demand");
  const auto jobs = sim::generate_workload(s);
  std::vector<std::pair<double, double>> by_class(s.job_classes.size());  // jobs, GPU-seconds
  std::vector<std::string> buckets = {"1", "2-8", "9-64", "65-512", ">512"};
  std::vector<std::pair<double, double>> by_bucket(buckets.size());
  std::vector<std::pair<double, double>> by_outcome(3);
  double all_jobs = 0, all_gpu_s = 0, campaigns = 0;
  for (const auto& j : jobs) {
    const double gpu_s = j.gpus * j.duration_s;
    by_outcome[static_cast<std::size_t>(j.outcome)].first += 1;
    by_outcome[static_cast<std::size_t>(j.outcome)].second += gpu_s;
    campaigns += j.campaign != sim::kNoJob && !j.follows;
    by_class[j.job_class].first += 1;
    by_class[j.job_class].second += gpu_s;
    const auto b = static_cast<std::size_t>(std::find(buckets.begin(), buckets.end(), bucket_of(j.gpus)) - buckets.begin());
    by_bucket[b].first += 1;
    by_bucket[b].second += gpu_s;
    all_jobs += 1;
    all_gpu_s += gpu_s;
  }
  sim::Table t{"workload_mix.csv", {"group", "value", "jobs", "jobs_pct", "gpu_hours", "gpu_time_pct"}, {}};
  char hours[32];
  for (std::size_t c = 0; c < s.job_classes.size(); ++c) {
    if (s.job_classes[c].served) continue;  // a load, not jobs: below the table
    std::snprintf(hours, sizeof hours, "%.1f", by_class[c].second / 3600);
    t.rows.push_back({"class", s.job_classes[c].id, std::to_string(static_cast<long>(by_class[c].first)),
                      percent(by_class[c].first, all_jobs), hours, percent(by_class[c].second, all_gpu_s)});
  }
  for (std::size_t b = 0; b < buckets.size(); ++b) {
    std::snprintf(hours, sizeof hours, "%.1f", by_bucket[b].second / 3600);
    t.rows.push_back({"gpus", buckets[b], std::to_string(static_cast<long>(by_bucket[b].first)),
                      percent(by_bucket[b].first, all_jobs), hours, percent(by_bucket[b].second, all_gpu_s)});
  }
  for (std::size_t k = 0; k < by_outcome.size(); ++k) {
    std::snprintf(hours, sizeof hours, "%.1f", by_outcome[k].second / 3600);
    t.rows.push_back({"outcome", sim::outcome_name(static_cast<sim::JobOutcome>(k)),
                      std::to_string(static_cast<long>(by_outcome[k].first)), percent(by_outcome[k].first, all_jobs),
                      hours, percent(by_outcome[k].second, all_gpu_s)});
  }
  const double days = models::SimCalendar(s.start).seconds_at(s.end) / 86400;
  std::printf("%s: %.0f jobs over %.0f days (%.0f a day)\n\n%-8s %-14s %10s %8s %14s %10s\n", s.name.c_str(), all_jobs,
              days, all_jobs / days, "group", "value", "jobs", "jobs %", "GPU-hours", "GPU-time %");
  for (const auto& r : t.rows) {
    std::printf("%-8s %-14s %10s %8s %14s %10s\n", r[0].c_str(), r[1].c_str(), r[2].c_str(), r[3].c_str(), r[4].c_str(),
                r[5].c_str());
  }
  double served_h = 0;
  std::string served_names;
  for (std::size_t c = 0; c < s.job_classes.size(); ++c) {
    if (!s.job_classes[c].served) continue;
    for (std::size_t si = 0; si < s.sites.size(); ++si) served_h += sim::served_gpu_hours(s, si, c);
    served_names += (served_names.empty() ? "" : ", ") + s.job_classes[c].id;
  }
  if (served_h > 0) {
    std::printf("\nserved load, not jobs (%s): %.1f GPU-hours, %.2f %% of all GPU-hours asked; the shares above\n"
                "are of the jobs' GPU-time\n",
                served_names.c_str(), served_h, 100.0 * served_h / (served_h + all_gpu_s / 3600));
  }
  if (campaigns > 0) {
    std::printf("\ncampaigns: %.0f, their attempts counted above (every attempt of a campaign as if it started on\n"
                "submission; in a run each waits for the one before it)\n", campaigns);
  }
  if (all_jobs == 0) {
    // Jobs come only once a site is open: a short --days window can fall before that.
    std::optional<models::Date> first_open;
    for (const auto& site : s.sites) {
      if (!site.phases.empty() && (!first_open || site.phases.front().commission < *first_open)) {
        first_open = site.phases.front().commission;
      }
    }
    if (first_open && !(*first_open < s.end)) {
      std::fflush(stdout);
      std::fprintf(stderr, "note: no site is open before %s, so no jobs are drawn before then\n",
                   models::format_date(*first_open).c_str());
    }
  }
  if (!o.out_dir.empty()) sim::write_reports({t}, o.out_dir);
  return 0;
}

}  // namespace

void add_workload_command(CLI::App& app, const std::string& data_dir, std::optional<int>& status) {
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("workload", "generate the scenario's jobs and print their mix (no simulation)");
  cmd->add_option("SCENARIO", options->scenario, "scenario YAML file; omitted: the embedded default");
  cmd->add_option("--days", options->days, "only the first N days")->check(CLI::PositiveNumber);
  cmd->add_option("--out", options->out_dir, "also write workload_mix.csv into this folder");
  cmd->callback([options, &data_dir, &status] {
    status = run_guarded("dctwin workload", [&] { return run(*options, data_dir); });
  });
}

}  // namespace dctwin::cli
