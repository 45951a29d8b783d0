#include "job_reports.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "dctwin/models/statistics.h"

namespace dctwin::sim {
namespace {

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

int months_of(const models::SimCalendar& calendar, const RunResult& r) {
  return calendar.month_index_at(r.horizon_s - 1) + 1;
}

struct ClassMonth {
  long submitted = 0, started = 0, finished = 0, interrupted = 0;
  double demand_gpu_s = 0, delivered_gpu_s = 0, lost_gpu_s = 0;
  double failed_gpu_s = 0, cancelled_gpu_s = 0;  // delivered by attempts that failed or were cancelled
  double unserved_gpu_s = 0;                     // a served class's load dropped
  std::vector<double> waits_s;
  std::vector<std::pair<double, double>> aggregate_waits_s;  // (wait, jobs) per aggregated batch
  std::vector<double> slowdowns;
  double busy_gpu_s = 0;     // GPUs held by the class's last runs (and aggregate service)
  double backlog_gpu_s = 0;  // work waiting for its first start at the month's end

  // Pools another cell's jobs into this one (the programme's rows).
  void add(const ClassMonth& o) {
    submitted += o.submitted;
    started += o.started;
    finished += o.finished;
    interrupted += o.interrupted;
    demand_gpu_s += o.demand_gpu_s;
    delivered_gpu_s += o.delivered_gpu_s;
    lost_gpu_s += o.lost_gpu_s;
    failed_gpu_s += o.failed_gpu_s;
    cancelled_gpu_s += o.cancelled_gpu_s;
    unserved_gpu_s += o.unserved_gpu_s;
    busy_gpu_s += o.busy_gpu_s;
    backlog_gpu_s += o.backlog_gpu_s;
    waits_s.insert(waits_s.end(), o.waits_s.begin(), o.waits_s.end());
    aggregate_waits_s.insert(aggregate_waits_s.end(), o.aggregate_waits_s.begin(), o.aggregate_waits_s.end());
    slowdowns.insert(slowdowns.end(), o.slowdowns.begin(), o.slowdowns.end());
  }
};

}  // namespace

Table class_monthly(const Scenario& s, const RunResult& r, const models::SimCalendar& calendar) {
  const int months = months_of(calendar, r);
  auto month = [&](double t) { return std::min(calendar.month_index_at(t), months - 1); };
  const std::size_t classes = s.job_classes.size();
  std::vector<ClassMonth> cells(s.sites.size() * classes * static_cast<std::size_t>(months));
  auto cell = [&](std::size_t site, std::size_t jc, int m) -> ClassMonth& {
    return cells[(site * classes + jc) * static_cast<std::size_t>(months) + static_cast<std::size_t>(m)];
  };
  for (const JobRecord& j : r.jobs) {
    if (j.state == JobState::kUnsubmitted) continue;
    const double work = j.job.gpus * j.job.duration_s;
    ClassMonth& at_submit = cell(j.run_site, j.job.job_class, month(j.job.submit_s));
    ++at_submit.submitted;
    at_submit.demand_gpu_s += work;
    at_submit.interrupted += j.interruptions > 0;
    at_submit.lost_gpu_s += j.lost_gpu_s;
    // Unmet demand: work submitted and not yet started at each month's end.
    const double started = j.first_start_s >= 0 ? j.first_start_s : r.horizon_s;
    for (int m = month(j.job.submit_s); m < months && calendar.month_start_seconds(m + 1) <= started; ++m) {
      cell(j.run_site, j.job.job_class, m).backlog_gpu_s += work;
    }
    // GPUs held by the last run, spread over the months it spans.
    if (j.start_s >= 0) {
      const double end = j.end_s >= 0 ? j.end_s : r.horizon_s;
      for (int m = month(j.start_s); m < months; ++m) {
        const double lo = std::max(j.start_s, calendar.month_start_seconds(m));
        const double hi = std::min(end, std::min(calendar.month_start_seconds(m + 1), r.horizon_s));
        if (hi <= lo) break;
        cell(j.run_site, j.job.job_class, m).busy_gpu_s += j.job.gpus * (hi - lo);
      }
    }
    if (j.first_start_s < 0) continue;
    ClassMonth& at_start = cell(j.run_site, j.job.job_class, month(j.first_start_s));
    ++at_start.started;
    at_start.waits_s.push_back(j.first_start_s - j.job.submit_s);
    if (j.end_s < 0) continue;
    ClassMonth& at_end = cell(j.run_site, j.job.job_class, month(j.end_s));
    ++at_end.finished;
    at_end.delivered_gpu_s += work;
    if (j.job.outcome == JobOutcome::kFailed) at_end.failed_gpu_s += work;
    if (j.job.outcome == JobOutcome::kCancelled) at_end.cancelled_gpu_s += work;
    // Bounded slowdown with a 10 s floor (Feitelson): short jobs don't dominate it.
    at_end.slowdowns.push_back(std::max(1.0, (j.end_s - j.job.submit_s) / std::max(j.job.duration_s, 10.0)));
  }
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    const auto& agg = r.sites[si].aggregate;
    for (std::size_t idx = 0; idx < agg.size(); ++idx) {
      const int m = static_cast<int>(idx / classes);
      if (m >= months) continue;
      ClassMonth& c = cell(si, idx % classes, m);
      c.submitted += static_cast<long>(agg[idx].jobs);
      c.demand_gpu_s += agg[idx].work_gpu_s;
      c.started += static_cast<long>(agg[idx].served_jobs);
      c.finished += static_cast<long>(agg[idx].served_jobs);
      c.delivered_gpu_s += agg[idx].served_gpu_s;
      c.busy_gpu_s += agg[idx].served_gpu_s;  // at full clock
      c.failed_gpu_s += agg[idx].failed_gpu_s;
      c.cancelled_gpu_s += agg[idx].cancelled_gpu_s;
      c.unserved_gpu_s += agg[idx].unserved_gpu_s;
      agg[idx].append_waits(c.aggregate_waits_s);
    }
  }
  // The site's online GPU-seconds per month: utilization's denominator, as in site_monthly.
  std::vector<double> online(s.sites.size() * static_cast<std::size_t>(months), 0.0);
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    for (const auto& phase : s.sites[si].phases) {
      const double at = calendar.seconds_at(phase.commission);
      for (int m = 0; m < months; ++m) {
        const double lo = std::max(at, calendar.month_start_seconds(m));
        const double hi = std::min(calendar.month_start_seconds(m + 1), r.horizon_s);
        if (hi > lo) online[si * static_cast<std::size_t>(months) + static_cast<std::size_t>(m)] += phase.gpus * (hi - lo);
      }
    }
  }
  Table t{"class_monthly.csv",
          {"site", "class", "month", "jobs_submitted", "jobs_started", "jobs_finished", "demand_gpu_h",
           "delivered_gpu_h", "queue_wait_mean_h", "queue_wait_p50_h", "queue_wait_p95_h", "queue_wait_p99_h",
           "slowdown_mean", "slowdown_p95", "jobs_interrupted", "lost_gpu_h", "goodput", "utilization",
           "backlog_gpu_h", "failed_gpu_h", "cancelled_gpu_h", "unserved_gpu_h"},
          {}};
  auto add_row = [&](const std::string& site, const std::string& job_class, int m, ClassMonth& c,
                     double online_gpu_s) {
    // Sorted in place, so that wait_stats needs no sorted copy of its own.
    std::sort(c.waits_s.begin(), c.waits_s.end());
    std::sort(c.aggregate_waits_s.begin(), c.aggregate_waits_s.end());
    const models::WaitStats w = models::wait_stats(c.waits_s, c.aggregate_waits_s);
    const double goodput = c.delivered_gpu_s + c.lost_gpu_s > 0 ? c.delivered_gpu_s / (c.delivered_gpu_s + c.lost_gpu_s) : 0;
    t.rows.push_back({site, job_class, calendar.month_label(m), std::to_string(c.submitted), std::to_string(c.started),
                      std::to_string(c.finished), fixed(c.demand_gpu_s / 3600, 1), fixed(c.delivered_gpu_s / 3600, 1),
                      fixed(w.mean / 3600, 3), fixed(w.p50 / 3600, 3), fixed(w.p95 / 3600, 3), fixed(w.p99 / 3600, 3),
                      fixed(models::mean(c.slowdowns), 3), fixed(models::percentile(c.slowdowns, 95), 3),
                      std::to_string(c.interrupted), fixed(c.lost_gpu_s / 3600, 1), fixed(goodput, 4),
                      fixed(online_gpu_s > 0 ? c.busy_gpu_s / online_gpu_s : 0.0, 4), fixed(c.backlog_gpu_s / 3600, 1),
                      fixed(c.failed_gpu_s / 3600, 1), fixed(c.cancelled_gpu_s / 3600, 1),
                      fixed(c.unserved_gpu_s / 3600, 1)});
  };
  const auto online_at = [&](std::size_t si, int m) {
    return online[si * static_cast<std::size_t>(months) + static_cast<std::size_t>(m)];
  };
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    for (std::size_t jc = 0; jc < classes; ++jc) {
      for (int m = 0; m < months; ++m) add_row(s.sites[si].id, s.job_classes[jc].id, m, cell(si, jc, m), online_at(si, m));
    }
  }
  // The programme's rows pool every site's jobs: a class's wait percentiles over all its
  // jobs, which no mean of the sites' percentiles gives.
  for (std::size_t jc = 0; jc < classes; ++jc) {
    for (int m = 0; m < months; ++m) {
      ClassMonth all;
      double online_gpu_s = 0;
      for (std::size_t si = 0; si < s.sites.size(); ++si) {
        all.add(cell(si, jc, m));
        online_gpu_s += online_at(si, m);
      }
      add_row(kProgrammeScope, s.job_classes[jc].id, m, all, online_gpu_s);
    }
  }
  return t;
}

Table failures_monthly(const Scenario& s, const RunResult& r, const models::SimCalendar& calendar) {
  const int months = months_of(calendar, r);
  struct Cell {
    long events = 0, jobs = 0, spares = 0;
    double lost_gpu_s = 0, down_s = 0;
  };
  const std::size_t causes = s.reliability.causes.size() + 1;  // the last: power shortfalls
  std::vector<Cell> cells(s.sites.size() * causes * static_cast<std::size_t>(months));
  auto cell = [&](std::size_t site, std::size_t cause, int m) -> Cell& {
    return cells[(site * causes + cause) * static_cast<std::size_t>(months) + static_cast<std::size_t>(m)];
  };
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    for (const FailureEvent& e : r.sites[si].failures) {
      const std::size_t cause = e.cause < 0 ? causes - 1 : static_cast<std::size_t>(e.cause);
      Cell& c = cell(si, cause, std::min(calendar.month_index_at(e.at_s), months - 1));
      ++c.events;
      c.jobs += e.jobs_interrupted;
      c.spares += e.used_spare;
      c.lost_gpu_s += e.lost_gpu_s;
      if (e.cause >= 0) c.down_s += std::min(e.back_s, r.horizon_s) - e.at_s;
    }
  }
  Table t{"failures_monthly.csv",
          {"site", "month", "cause", "events", "jobs_interrupted", "lost_gpu_h", "node_down_h", "spares_used"},
          {}};
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    for (int m = 0; m < months; ++m) {
      for (std::size_t cause = 0; cause < causes; ++cause) {
        const Cell& c = cell(si, cause, m);
        const std::string name = cause + 1 == causes ? "power-shortfall" : s.reliability.causes[cause].id;
        t.rows.push_back({s.sites[si].id, calendar.month_label(m), name, std::to_string(c.events),
                          std::to_string(c.jobs), fixed(c.lost_gpu_s / 3600, 1), fixed(c.down_s / 3600, 1),
                          std::to_string(c.spares)});
      }
    }
  }
  return t;
}

}  // namespace dctwin::sim
