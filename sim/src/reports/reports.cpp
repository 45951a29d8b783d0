#include "dctwin/sim/reports.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>

#include "dctwin/models/calendar.h"
#include "dctwin/models/gpu_model.h"
#include "dctwin/models/statistics.h"

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
  }
  return "?";
}

struct CapexItem {
  double at_s;
  double usd;
};

// Per site and month, everything the monthly and summary reports need.
struct MonthAggregate {
  double it_j = 0, facility_j = 0, peak_facility_w = 0;
  double online_gpu_s = 0, busy_gpu_s = 0;
  int gpus_online_end = 0;
  long submitted = 0, finished = 0;
  std::vector<double> waits_s;  // of jobs that started in the month
  double drybulb_sum = 0;
  long steps = 0;
};

class ReportBuilder {
 public:
  ReportBuilder(const Scenario& s, const RunResult& r)
      : s_(s), r_(r), calendar_(s.start), months_(calendar_.month_index_at(r.horizon_s - 1) + 1) {
    for (int m = 0; m <= months_; ++m) month_edges_.push_back(std::min(calendar_.month_start_seconds(m), r.horizon_s));
    aggregates_.assign(s.sites.size(), std::vector<MonthAggregate>(static_cast<std::size_t>(months_)));
    capex_.resize(s.sites.size());
    add_steps();
    add_capacity_and_capex();
    add_jobs();
  }

  Table site_monthly() const {
    Table t{"site_monthly.csv",
            {"site", "month", "gpus_online", "it_mwh", "facility_mwh", "pue", "peak_facility_mw",
             "mean_drybulb_c", "utilization", "jobs_submitted", "jobs_finished", "queue_wait_mean_h",
             "queue_wait_p95_h", "capex_to_date_usd"},
            {}};
    for (std::size_t si = 0; si < s_.sites.size(); ++si) {
      for (int m = 0; m < months_; ++m) {
        const MonthAggregate& a = aggregates_[si][static_cast<std::size_t>(m)];
        std::vector<double> waits = a.waits_s;
        t.rows.push_back({s_.sites[si].id, calendar_.month_label(m), std::to_string(a.gpus_online_end),
                          fixed(a.it_j / kJoulesPerMwh, 3), fixed(a.facility_j / kJoulesPerMwh, 3),
                          fixed(a.it_j > 0 ? a.facility_j / a.it_j : 0, 4), fixed(a.peak_facility_w / 1e6, 4),
                          fixed(a.steps ? a.drybulb_sum / static_cast<double>(a.steps) : 0, 2),
                          fixed(a.online_gpu_s > 0 ? a.busy_gpu_s / a.online_gpu_s : 0, 4),
                          std::to_string(a.submitted), std::to_string(a.finished),
                          fixed(models::mean(waits) / 3600, 3), fixed(models::percentile(waits, 95) / 3600, 3),
                          fixed(capex_until(si, month_edges_[static_cast<std::size_t>(m) + 1]), 0)});
      }
    }
    return t;
  }

  Table summary() const {
    Table t{"summary.csv",
            {"scope", "name", "gpus", "first_commission", "gpu_profile", "gpu_profile_calibrated", "it_mwh",
             "facility_mwh", "pue", "peak_facility_mw", "utilization", "jobs_submitted", "jobs_finished",
             "jobs_running_at_end", "jobs_queued_at_end", "queue_wait_mean_h", "queue_wait_p95_h", "capex_usd",
             "budget_usd", "budget_remaining_usd", "budget_exceeded_month"},
            {}};
    Totals all;
    for (std::size_t si = 0; si < s_.sites.size(); ++si) {
      const Site& site = s_.sites[si];
      Totals site_totals = totals_for(si);
      int gpus = 0;
      for (const auto& p : site.phases) gpus += p.gpus;
      t.rows.push_back(row(site.id, site.name, gpus, models::format_date(site.phases.front().commission),
                           site.gpu.id, site.gpu.calibrated ? "true" : "false", site_totals,
                           peak_of_site(si), "", "", ""));
      all.merge(site_totals);
    }
    int gpus = 0;
    models::Date first = s_.sites.front().phases.front().commission;
    bool calibrated = true;
    for (const auto& site : s_.sites) {
      for (const auto& p : site.phases) gpus += p.gpus;
      first = std::min(first, site.phases.front().commission);
      calibrated = calibrated && site.gpu.calibrated;
    }
    const double capex = all.capex_usd;
    t.rows.push_back(row("programme", s_.name, gpus, models::format_date(first), "", calibrated ? "true" : "false",
                         all, peak_of_programme(), fixed(s_.budget_usd, 0), fixed(s_.budget_usd - capex, 0),
                         budget_exceeded_month()));
    return t;
  }

  Table jobs() const {
    Table t{"jobs.csv",
            {"job_id", "site", "class", "gpus", "nodes", "submit_date", "submit_s", "start_s", "end_s", "wait_s",
             "state"},
            {}};
    t.rows.reserve(r_.jobs.size());
    for (const JobRecord& j : r_.jobs) {
      const bool started = j.start_s >= 0;
      t.rows.push_back({std::to_string(j.job.id), s_.sites[j.job.site].id, s_.job_classes[j.job.job_class].id,
                        std::to_string(j.job.gpus), std::to_string(j.nodes),
                        models::format_date(calendar_.date_at(j.job.submit_s)), fixed(j.job.submit_s, 3),
                        started ? fixed(j.start_s, 3) : "", j.end_s >= 0 ? fixed(j.end_s, 3) : "",
                        started ? fixed(j.start_s - j.job.submit_s, 3) : "", state_name(j.state)});
    }
    return t;
  }

 private:
  struct Totals {
    double it_j = 0, facility_j = 0, online_gpu_s = 0, busy_gpu_s = 0, capex_usd = 0;
    long submitted = 0, finished = 0, running = 0, queued = 0;
    std::vector<double> waits_s;
    void merge(const Totals& o) {
      it_j += o.it_j;
      facility_j += o.facility_j;
      online_gpu_s += o.online_gpu_s;
      busy_gpu_s += o.busy_gpu_s;
      capex_usd += o.capex_usd;
      submitted += o.submitted;
      finished += o.finished;
      running += o.running;
      queued += o.queued;
      waits_s.insert(waits_s.end(), o.waits_s.begin(), o.waits_s.end());
    }
  };

  std::vector<std::string> row(const std::string& scope, const std::string& name, int gpus,
                               const std::string& first, const std::string& profile, const std::string& calibrated,
                               Totals totals, double peak_w, const std::string& budget,
                               const std::string& remaining, const std::string& exceeded) const {
    return {scope,
            name,
            std::to_string(gpus),
            first,
            profile,
            calibrated,
            fixed(totals.it_j / kJoulesPerMwh, 3),
            fixed(totals.facility_j / kJoulesPerMwh, 3),
            fixed(totals.it_j > 0 ? totals.facility_j / totals.it_j : 0, 4),
            fixed(peak_w / 1e6, 4),
            fixed(totals.online_gpu_s > 0 ? totals.busy_gpu_s / totals.online_gpu_s : 0, 4),
            std::to_string(totals.submitted),
            std::to_string(totals.finished),
            std::to_string(totals.running),
            std::to_string(totals.queued),
            fixed(models::mean(totals.waits_s) / 3600, 3),
            fixed(models::percentile(totals.waits_s, 95) / 3600, 3),
            fixed(totals.capex_usd, 0),
            budget,
            remaining,
            exceeded};
  }

  Totals totals_for(std::size_t si) const {
    Totals t;
    for (const MonthAggregate& a : aggregates_[si]) {
      t.it_j += a.it_j;
      t.facility_j += a.facility_j;
      t.online_gpu_s += a.online_gpu_s;
      t.busy_gpu_s += a.busy_gpu_s;
      t.submitted += a.submitted;
      t.finished += a.finished;
      t.waits_s.insert(t.waits_s.end(), a.waits_s.begin(), a.waits_s.end());
    }
    for (const JobRecord& j : r_.jobs) {
      if (j.job.site != si) continue;
      if (j.state == JobState::kRunning) ++t.running;
      if (j.state == JobState::kQueued) ++t.queued;
    }
    t.capex_usd = capex_until(si, r_.horizon_s + 1);
    return t;
  }

  double peak_of_site(std::size_t si) const {
    double peak = 0;
    for (const auto& a : aggregates_[si]) peak = std::max(peak, a.peak_facility_w);
    return peak;
  }

  double peak_of_programme() const {
    double peak = 0;
    const std::size_t steps = r_.sites.front().steps.size();
    for (std::size_t k = 0; k < steps; ++k) {
      double w = 0;
      for (const auto& site : r_.sites) w += site.steps[k].facility_energy_j / step_length(site, k);
      peak = std::max(peak, w);
    }
    return peak;
  }

  double step_length(const SiteSeries& series, std::size_t k) const {
    const double start = k == 0 ? 0.0 : series.steps[k - 1].end_s;
    return series.steps[k].end_s - start;
  }

  // Capex booked at or before time t (capex is booked on the commissioning day).
  double capex_until(std::size_t si, double t) const {
    double usd = 0;
    for (const CapexItem& c : capex_[si]) {
      if (c.at_s < t) usd += c.usd;
    }
    return usd;
  }

  std::string budget_exceeded_month() const {
    for (int m = 0; m < months_; ++m) {
      double usd = 0;
      for (std::size_t si = 0; si < s_.sites.size(); ++si) usd += capex_until(si, month_edges_[static_cast<std::size_t>(m) + 1]);
      if (usd > s_.budget_usd) return calendar_.month_label(m);
    }
    return "never";
  }

  void add_steps() {
    for (std::size_t si = 0; si < r_.sites.size(); ++si) {
      const auto& steps = r_.sites[si].steps;
      for (std::size_t k = 0; k < steps.size(); ++k) {
        const double length = step_length(r_.sites[si], k);
        const int m = calendar_.month_index_at(steps[k].end_s - length);
        MonthAggregate& a = aggregates_[si][static_cast<std::size_t>(m)];
        a.it_j += steps[k].it_energy_j;
        a.facility_j += steps[k].facility_energy_j;
        a.peak_facility_w = std::max(a.peak_facility_w, steps[k].facility_energy_j / length);
        a.drybulb_sum += steps[k].drybulb_c;
        ++a.steps;
      }
    }
  }

  // Adds gpus * the overlap of [from, to) with each month to `field`.
  template <class Field>
  void spread(std::size_t si, double from, double to, double gpus, Field field) {
    if (to <= from) return;
    for (int m = std::max(0, calendar_.month_index_at(from)); m < months_; ++m) {
      const double lo = std::max(from, month_edges_[static_cast<std::size_t>(m)]);
      const double hi = std::min(to, month_edges_[static_cast<std::size_t>(m) + 1]);
      if (hi <= lo) {
        if (month_edges_[static_cast<std::size_t>(m)] >= to) break;
        continue;
      }
      aggregates_[si][static_cast<std::size_t>(m)].*field += gpus * (hi - lo);
    }
  }

  void add_capacity_and_capex() {
    for (std::size_t si = 0; si < s_.sites.size(); ++si) {
      const Site& site = s_.sites[si];
      const models::GpuModel gpu(site.gpu);
      int online = 0;
      for (const DeploymentPhase& p : site.phases) {
        const double at = calendar_.seconds_at(p.commission);
        const int nodes = p.gpus / gpu.gpus_per_node();
        spread(si, at, r_.horizon_s, p.gpus, &MonthAggregate::online_gpu_s);
        capex_[si].push_back({at, nodes * s_.server_capex_usd_per_node});
        capex_[si].push_back({at, nodes * gpu.node_peak_w() * site.facility_capex_usd_per_w});
        online += p.gpus;
        for (int m = calendar_.month_index_at(at); m < months_; ++m) {
          aggregates_[si][static_cast<std::size_t>(m)].gpus_online_end = online;
        }
      }
    }
  }

  void add_jobs() {
    for (const JobRecord& j : r_.jobs) {
      auto& months = aggregates_[j.job.site];
      ++months[static_cast<std::size_t>(calendar_.month_index_at(j.job.submit_s))].submitted;
      if (j.start_s < 0) continue;
      months[static_cast<std::size_t>(calendar_.month_index_at(j.start_s))].waits_s.push_back(j.start_s - j.job.submit_s);
      const double end = j.end_s >= 0 ? j.end_s : r_.horizon_s;
      spread(j.job.site, j.start_s, end, j.job.gpus, &MonthAggregate::busy_gpu_s);
      if (j.end_s >= 0) ++months[static_cast<std::size_t>(std::min(calendar_.month_index_at(j.end_s), months_ - 1))].finished;
    }
  }

  const Scenario& s_;
  const RunResult& r_;
  models::SimCalendar calendar_;
  int months_;
  std::vector<double> month_edges_;
  std::vector<std::vector<MonthAggregate>> aggregates_;
  std::vector<std::vector<CapexItem>> capex_;
};

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

std::vector<Table> build_reports(const Scenario& scenario, const RunResult& result) {
  const ReportBuilder b(scenario, result);
  return {b.summary(), b.site_monthly(), b.jobs()};
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

void write_reports(const std::vector<Table>& tables, const std::filesystem::path& out_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw std::runtime_error(out_dir.string() + ": cannot create output folder: " + ec.message());
  std::vector<std::pair<fs::path, fs::path>> staged;
  auto discard = [&] {
    for (const auto& [tmp, final_path] : staged) fs::remove(tmp, ec);
  };
  for (const Table& t : tables) {
    const fs::path final_path = out_dir / t.file_name;
    const fs::path tmp = out_dir / ("." + t.file_name + ".partial");
    staged.emplace_back(tmp, final_path);
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    const std::string text = to_csv(t);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    f.close();
    if (!f) {
      discard();
      throw std::runtime_error(tmp.string() + ": cannot write report");
    }
  }
  for (const auto& [tmp, final_path] : staged) {
    fs::rename(tmp, final_path, ec);
    if (ec) {
      discard();
      throw std::runtime_error(final_path.string() + ": cannot move report into place: " + ec.message());
    }
  }
}

}  // namespace dctwin::sim
