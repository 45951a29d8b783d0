#include "dctwin/sim/reports.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <future>
#include <stdexcept>

#include "dctwin/models/calendar.h"
#include "dctwin/models/capex.h"
#include "dctwin/models/gpu_model.h"
#include "dctwin/models/statistics.h"
#include "job_reports.h"
#include "month_ledger.h"

namespace dctwin::sim {
namespace {

constexpr double kJoulesPerMwh = 3.6e9;

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

const char* state_name(JobState s) {
  switch (s) {
    case JobState::kQueued: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kFinished: return "finished";
    case JobState::kUnsubmitted: return "unsubmitted";
  }
  return "?";
}

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

// The columns shared by a site's month, a site's total and the programme's total.
std::vector<std::string> flow_header() {
  return {"it_mwh", "cooling_mwh", "losses_mwh", "facility_mwh", "pue", "peak_facility_mw", "grid_mwh",
          "generator_mwh", "water_m3", "wue_l_per_kwh", "co2_grid_t", "co2_diesel_t", "energy_cost_usd",
          "fuel_cost_usd", "outage_h", "generator_h", "generator_l", "capped_h", "free_cooling_h",
          "utilization", "demand_gpu_h", "backlog_gpu_h", "delivered_gpu_h", "goodput", "jobs_submitted",
          "jobs_aggregated",
          "jobs_finished", "jobs_interrupted", "lost_gpu_h", "node_failures", "node_down_h", "queue_wait_mean_h",
          "queue_wait_p50_h", "queue_wait_p95_h", "queue_wait_p99_h", "fragmentation", "wan_in_tb",
          "wan_cost_usd", "capex_paid_usd", "opex_usd", "depreciation_usd", "tco_usd_per_gpu_h"};
}

std::vector<std::string> flow_cells(const Flows& a) {
  // Discrete jobs weigh one each; small jobs in aggregate by their batch's count.
  const models::WaitStats waits = models::wait_stats(a.waits_s, a.aggregate_waits_s);
  return {fixed(a.it_j / kJoulesPerMwh, 3),
          fixed(a.cooling_j / kJoulesPerMwh, 3),
          fixed(a.losses_j / kJoulesPerMwh, 3),
          fixed(a.facility_j / kJoulesPerMwh, 3),
          fixed(ratio(a.facility_j, a.it_j), 4),
          fixed(a.peak_facility_w / 1e6, 4),
          fixed(a.grid_j / kJoulesPerMwh, 3),
          fixed(a.generator_j / kJoulesPerMwh, 3),
          fixed(a.water_l / 1000, 1),
          fixed(ratio(a.water_l, a.it_j / 3.6e6), 4),
          fixed(a.co2_grid_kg / 1000, 2),
          fixed(a.co2_diesel_kg / 1000, 2),
          fixed(a.energy_cost_usd, 0),
          fixed(a.fuel_cost_usd, 0),
          fixed(a.outage_s / 3600, 2),
          fixed(a.generator_s / 3600, 2),
          fixed(a.generator_l, 0),
          fixed(a.capped_s / 3600, 2),
          fixed(a.free_cooling_s / 3600, 2),
          fixed(ratio(a.busy_gpu_s, a.online_gpu_s), 4),
          fixed(a.demand_gpu_s / 3600, 1),
          fixed(a.backlog_gpu_s / 3600, 1),
          fixed(a.delivered_gpu_s / 3600, 1),
          fixed(ratio(a.delivered_gpu_s, a.delivered_gpu_s + a.lost_gpu_s), 4),
          std::to_string(a.submitted),
          fixed(a.aggregate_jobs, 0),
          std::to_string(a.finished),
          std::to_string(a.interrupted),
          fixed(a.lost_gpu_s / 3600, 1),
          fixed(a.node_failures, 0),
          fixed(a.node_down_s / 3600, 1),
          fixed(waits.mean / 3600, 3),
          fixed(waits.p50 / 3600, 3),
          fixed(waits.p95 / 3600, 3),
          fixed(waits.p99 / 3600, 3),
          fixed(ratio(a.excess_groups, a.multi_node_starts), 4),
          fixed(a.wan_in_gb / 1000, 3),
          fixed(a.wan_cost_usd, 0),
          fixed(a.capex_paid_usd, 0),
          fixed(a.opex_usd(), 0),
          fixed(a.depreciation_usd, 0),
          fixed(ratio(a.depreciation_usd + a.opex_usd(), a.delivered_gpu_s / 3600), 4)};
}

template <class T>
void append(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

Table site_monthly(const Scenario& s, const MonthLedger& l) {
  Table t{"site_monthly.csv", {"site", "month", "gpus_online", "mean_drybulb_c", "max_drybulb_c", "pue_hourly_max"}, {}};
  append(t.header, flow_header());
  t.header.push_back("capex_to_date_usd");
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    double capex_to_date = l.paid_before_start_usd(si);
    for (int m = 0; m < l.months(); ++m) {
      const Flows& a = l.site_month(si, m);
      capex_to_date += a.capex_paid_usd - (m == 0 ? l.paid_before_start_usd(si) : 0.0);
      std::vector<std::string> row = {s.sites[si].id, l.calendar().month_label(m), std::to_string(a.gpus_online_end),
                                      fixed(ratio(a.drybulb_sum_c, a.steps), 2), fixed(a.drybulb_max_c, 2),
                                      fixed(a.pue_max, 4)};
      append(row, flow_cells(a));
      row.push_back(fixed(capex_to_date, 0));
      t.rows.push_back(std::move(row));
    }
  }
  return t;
}

Table programme_monthly(const Scenario& s, const MonthLedger& l) {
  Table t{"programme_monthly.csv", {"month"}, {}};
  for (int c = 0; c < models::kCapexComponentCount; ++c) {
    t.header.push_back(std::string("capex_") + models::capex_component_name(static_cast<models::CapexComponent>(c)) + "_usd");
  }
  append(t.header, {"capex_paid_usd", "opex_usd", "spend_usd", "cumulative_spend_usd", "budget_remaining_usd"});
  double cumulative = 0;
  for (int m = 0; m < l.months(); ++m) {
    std::vector<std::string> row = {l.calendar().month_label(m)};
    const auto by_component = l.programme_capex_by_component(m);
    for (double usd : by_component) row.push_back(fixed(usd, 0));
    const Flows total = l.programme_month(m);
    const double spend = total.capex_paid_usd + (s.budget_includes_opex ? total.opex_usd() : 0.0);
    cumulative += spend;
    append(row, {fixed(total.capex_paid_usd, 0), fixed(total.opex_usd(), 0), fixed(spend, 0), fixed(cumulative, 0),
                 fixed(s.budget_usd - cumulative, 0)});
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table summary(const Scenario& s, const RunResult& r, const MonthLedger& l) {
  Table t{"summary.csv", {"scope", "name", "gpus", "first_commission", "gpu_profile", "gpu_profile_calibrated", "cooling"}, {}};
  append(t.header, flow_header());
  append(t.header, {"jobs_running_at_end", "jobs_queued_at_end", "capex_usd", "budget_usd", "budget_remaining_usd",
                    "budget_exceeded_month"});
  long running_all = 0, queued_all = 0;
  std::vector<Flows> site_totals;
  site_totals.reserve(s.sites.size());  // `total` below refers into it
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    const Site& site = s.sites[si];
    const Flows& total = site_totals.emplace_back(l.site_total(si));
    long running = 0, queued = 0;
    for (const JobRecord& j : r.jobs) {
      if (j.job.site != si) continue;
      running += j.state == JobState::kRunning;
      queued += j.state == JobState::kQueued;
    }
    running_all += running;
    queued_all += queued;
    int gpus = 0;
    for (const auto& p : site.phases) gpus += p.gpus;
    std::vector<std::string> row = {site.id, site.name, std::to_string(gpus),
                                    models::format_date(site.phases.front().commission), site.gpu.id,
                                    site.gpu.calibrated ? "true" : "false", cooling_kind_name(site.cooling.kind)};
    append(row, flow_cells(total));
    append(row, {std::to_string(running), std::to_string(queued), fixed(l.capex_total_usd(si), 0), "", "", ""});
    t.rows.push_back(std::move(row));
  }
  int gpus = 0;
  models::Date first = s.sites.front().phases.front().commission;
  bool calibrated = true;
  double capex = 0;
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    for (const auto& p : s.sites[si].phases) gpus += p.gpus;
    first = std::min(first, s.sites[si].phases.front().commission);
    calibrated = calibrated && s.sites[si].gpu.calibrated;
    capex += l.capex_total_usd(si);
  }
  const Flows total = l.programme_total(site_totals);
  const double spent = l.programme_spend_to_horizon_usd(s.budget_includes_opex);
  std::vector<std::string> row = {kProgrammeScope, s.name, std::to_string(gpus), models::format_date(first), "",
                                  calibrated ? "true" : "false", ""};
  append(row, flow_cells(total));
  append(row, {std::to_string(running_all), std::to_string(queued_all), fixed(capex, 0), fixed(s.budget_usd, 0),
               fixed(s.budget_usd - spent, 0), l.budget_exceeded_month(s.budget_usd, s.budget_includes_opex)});
  t.rows.push_back(std::move(row));
  return t;
}

// A row per job: written straight to the file, never held as strings.
Table jobs(const Scenario& s, const RunResult& r, const models::SimCalendar& calendar) {
  Table t{"jobs.csv",
          {"job_id", "site", "run_site", "class", "gpus", "nodes", "submit_date", "submit_s", "first_start_s",
           "start_s", "end_s", "wait_s", "state", "outcome", "campaign", "interruptions", "lost_gpu_h"},
          {},
          {}};
  t.stream_rows = [&s, &r, calendar](std::ostream& out) {
    // Millions of rows in exact fidelity: each is formatted into one buffer with to_chars
    // (the same digits as printf's %.3f and %d), and the submission date is formatted once a day.
    std::string line;
    std::int64_t day = -1;
    std::string submit_date;
    auto number = [&line](auto x, auto... precision) {
      char buf[64];
      const auto res = std::to_chars(buf, buf + sizeof buf, x, precision...);
      line.append(buf, res.ptr);
    };
    auto three_decimals = [&](double x) { number(x, std::chars_format::fixed, 3); };
    for (const JobRecord& j : r.jobs) {
      if (j.state == JobState::kUnsubmitted) continue;
      const bool started = j.first_start_s >= 0;
      const auto submit_day = static_cast<std::int64_t>(j.job.submit_s / 86400.0);
      if (submit_day != day) {
        day = submit_day;
        submit_date = models::format_date(calendar.date_at(j.job.submit_s));
      }
      line.clear();
      number(j.job.id);
      line.append(",").append(s.sites[j.job.site].id).append(",").append(s.sites[j.run_site].id).append(",");
      line.append(s.job_classes[j.job.job_class].id).append(",");
      number(j.job.gpus);
      line.append(",");
      number(j.nodes);
      line.append(",").append(submit_date).append(",");
      three_decimals(j.job.submit_s);
      line.append(",");
      if (started) three_decimals(j.first_start_s);
      line.append(",");
      if (j.start_s >= 0) three_decimals(j.start_s);
      line.append(",");
      if (j.end_s >= 0) three_decimals(j.end_s);
      line.append(",");
      if (started) three_decimals(j.first_start_s - j.job.submit_s);
      line.append(",").append(state_name(j.state)).append(",").append(outcome_name(j.job.outcome)).append(",");
      if (j.job.campaign != kNoJob) number(j.job.campaign);
      line.append(",");
      number(j.interruptions);
      line.append(",");
      three_decimals(j.lost_gpu_s / 3600);
      line.append("\n");
      out << line;
    }
  };
  return t;
}

Table site_hourly(const Scenario& s, const RunResult& r, const models::SimCalendar& calendar) {
  Table t{"site_hourly.csv",
          {"site", "step_start", "drybulb_c", "wetbulb_c", "it_kw", "cooling_kw", "losses_kw", "facility_kw", "pue",
           "free_cooling_fraction", "grid_kw", "generator_kw", "water_l", "outage_min", "capped_min", "pstate",
           "gpus_online", "gpus_busy"},
          {}};
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    const auto& steps = r.sites[si].steps;
    for (std::size_t k = 0; k < steps.size(); ++k) {
      const FacilityStep& x = steps[k];
      const double start = k == 0 ? 0.0 : steps[k - 1].end_s;
      const double kw = 1000 * (x.end_s - start);  // J per step -> kW
      const auto minutes = static_cast<long>(start / 60);
      char stamp[32];
      std::snprintf(stamp, sizeof stamp, "%sT%02ld:%02ld", models::format_date(calendar.date_at(start)).c_str(),
                    minutes / 60 % 24, minutes % 60);
      t.rows.push_back({s.sites[si].id, stamp, fixed(x.drybulb_c, 2), fixed(x.wetbulb_c, 2), fixed(x.it_energy_j / kw, 3),
                        fixed(x.cooling_energy_j / kw, 3),
                        fixed((x.pdu_loss_j + x.ups_loss_j + x.transformer_loss_j) / kw, 3),
                        fixed(x.facility_energy_j / kw, 3), fixed(x.pue, 4), fixed(x.free_cooling_fraction, 3),
                        fixed(x.grid_energy_j / kw, 3), fixed(x.generator_energy_j / kw, 3), fixed(x.water_l, 1),
                        fixed(x.outage_s / 60, 2), fixed(x.capped_s / 60, 2), std::to_string(x.pstate),
                        std::to_string(x.gpus_online), std::to_string(x.gpus_busy)});
    }
  }
  return t;
}

std::string csv_field(const std::string& f) {
  if (f.find_first_of(",\"\n") == std::string::npos) return f;
  std::string out = "\"";
  for (char c : f) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::vector<Table> build_reports(const Scenario& scenario, const RunResult& result, const ReportOptions& options) {
  // class_monthly needs no ledger: it is built on a second thread while the ledger and the
  // tables that read it are built here (the rows are the same either way).
  auto by_class = std::async(std::launch::async, [&] { return class_monthly(scenario, result, models::SimCalendar(scenario.start)); });
  const MonthLedger ledger(scenario, result);
  std::vector<Table> tables = {summary(scenario, result, ledger), site_monthly(scenario, ledger),
                               programme_monthly(scenario, ledger)};
  tables.push_back(by_class.get());
  tables.push_back(failures_monthly(scenario, result, ledger.calendar()));
  if (options.jobs) tables.push_back(jobs(scenario, result, ledger.calendar()));
  if (options.hourly) tables.push_back(site_hourly(scenario, result, ledger.calendar()));
  return tables;
}

std::string to_csv(const Table& t) {
  std::string out;
  auto line = [&](const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) out += ',';
      out += csv_field(fields[i]);
    }
    out += '\n';
  };
  line(t.header);
  for (const auto& r : t.rows) line(r);
  return out;
}

void write_atomically(const std::vector<FileWriter>& files, const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir.string() + ": cannot create output folder: " + ec.message());
  std::vector<std::pair<fs::path, fs::path>> staged;
  auto discard = [&] {
    for (const auto& [tmp, final_path] : staged) fs::remove(tmp, ec);
  };
  for (const auto& [name, write] : files) {
    const fs::path tmp = dir / ("." + name + ".partial");
    staged.emplace_back(tmp, dir / name);
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    write(f);
    f.close();
    if (!f) {
      discard();
      throw std::runtime_error(tmp.string() + ": cannot write");
    }
  }
  for (const auto& [tmp, final_path] : staged) {
    fs::rename(tmp, final_path, ec);
    if (ec) {
      discard();
      throw std::runtime_error(final_path.string() + ": cannot move into place: " + ec.message());
    }
  }
}

void write_reports(const std::vector<Table>& tables, const std::filesystem::path& out_dir) {
  std::vector<FileWriter> files;
  for (const Table& t : tables) {
    files.emplace_back(t.file_name, [&t](std::ostream& out) {
      if (!t.stream_rows) {
        out << to_csv(t);
        return;
      }
      Table header_only{t.file_name, t.header, {}, {}};
      out << to_csv(header_only);
      t.stream_rows(out);
    });
  }
  write_atomically(files, out_dir);
}

}  // namespace dctwin::sim
