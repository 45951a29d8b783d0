#include "dctwin/sim/small_job_feed.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include "arrival_stream.h"

namespace dctwin::sim {
namespace {
constexpr double kChunk_s = 7 * 86400.0;  // drawn at a time: a whole number of hours
constexpr double kAll = std::numeric_limits<double>::infinity();
}  // namespace

struct SmallJobFeed::Drawing {
  Drawing(const Scenario& s, AggregateArrivals& small) : small(small), cal(s.start), horizon(cal.seconds_at(s.end)) {}
  void run();

  AggregateArrivals& small;
  const models::SimCalendar cal;
  const double horizon;
  std::vector<StreamDraws> draws;      // one per stream; sized before the streams refer to them
  std::vector<ArrivalStream> streams;  // touched by the drawing thread only

  std::mutex mutex;  // guards what follows
  std::condition_variable drawn;
  double drawn_before_s = 0;  // every small job submitted before this is drawn
  std::vector<std::vector<LongSmallJob>> long_jobs;  // per site: drawn, not yet handed to `small`
  bool stop = false;
  std::exception_ptr failure;

  std::thread thread;
};

// A week at a time: the streams draw it (short work straight into their own cells of
// `small`, which the run reads only once this week is published), then its long small jobs,
// sorted per site as generate_workload sorts them, are published with it.
void SmallJobFeed::Drawing::run() {
  try {
    std::vector<std::vector<LongSmallJob>> week(small.long_jobs.size());
    for (double until = std::min(kChunk_s, horizon);; until = std::min(until + kChunk_s, horizon)) {
      for (ArrivalStream& stream : streams) stream.draw_before(until);
      for (StreamDraws& d : draws) {
        for (const auto& [site, j] : d.long_jobs) week[site].push_back(j);
        d.long_jobs.clear();
      }
      for (auto& site_jobs : week) sort_long_jobs(site_jobs);
      const bool last = until >= horizon;
      {
        const std::lock_guard<std::mutex> lock(mutex);
        if (stop) return;
        for (std::size_t si = 0; si < week.size(); ++si) {
          long_jobs[si].insert(long_jobs[si].end(), week[si].begin(), week[si].end());
          week[si].clear();
        }
        drawn_before_s = last ? kAll : until;
      }
      drawn.notify_all();
      if (last) return;
    }
  } catch (...) {
    {
      const std::lock_guard<std::mutex> lock(mutex);
      failure = std::current_exception();
      drawn_before_s = kAll;
    }
    drawn.notify_all();
  }
}

SmallJobFeed::SmallJobFeed() = default;

SmallJobFeed::~SmallJobFeed() {
  if (!drawing_) return;
  {
    const std::lock_guard<std::mutex> lock(drawing_->mutex);
    drawing_->stop = true;
  }
  if (drawing_->thread.joinable()) drawing_->thread.join();
}

bool SmallJobFeed::draws_class(const Scenario& s, const JobClass& c) {
  if (c.served || c.campaign || c.gpus.empty()) return false;
  // Strictly shorter than small_max_h: a draw at the cap, rounded, could come out above it.
  return *std::max_element(c.gpus.begin(), c.gpus.end()) <= s.fidelity.small_max_gpus &&
         c.duration_max_h < s.fidelity.small_max_h;
}

bool SmallJobFeed::applies(const Scenario& s) {
  if (!s.fidelity.aggregated || !s.trace.empty()) return false;
  return std::all_of(s.job_classes.begin(), s.job_classes.end(), [&](const JobClass& c) {
    const bool none_small =
        c.campaign || c.gpus.empty() || *std::min_element(c.gpus.begin(), c.gpus.end()) > s.fidelity.small_max_gpus;
    return c.served || none_small || draws_class(s, c);
  });
}

void SmallJobFeed::start(const Scenario& s, AggregateArrivals& small,
                         std::vector<std::pair<std::size_t, std::size_t>> streams) {
  drawing_ = std::make_unique<Drawing>(s, small);
  Drawing& d = *drawing_;
  d.long_jobs.resize(small.long_jobs.size());
  d.draws.resize(streams.size());
  for (std::size_t k = 0; k < streams.size(); ++k) {
    d.streams.emplace_back(s, d.cal, streams[k].first, streams[k].second, small, d.draws[k]);
  }
  ready_before_s_ = 0;
  d.thread = std::thread([&d] { d.run(); });
}

void SmallJobFeed::ready_before(double t_s) {
  if (!drawing_ || t_s <= ready_before_s_) return;
  Drawing& d = *drawing_;
  std::unique_lock<std::mutex> lock(d.mutex);
  d.drawn.wait(lock, [&] { return d.drawn_before_s >= std::min(t_s, d.horizon); });
  if (d.failure) std::rethrow_exception(d.failure);
  for (std::size_t si = 0; si < d.long_jobs.size(); ++si) {
    auto& to = d.small.long_jobs[si];
    to.insert(to.end(), d.long_jobs[si].begin(), d.long_jobs[si].end());
    d.long_jobs[si].clear();
  }
  ready_before_s_ = d.drawn_before_s;
}

void SmallJobFeed::finish() {
  if (!drawing_) return;
  ready_before(kAll);
  Drawing& d = *drawing_;
  d.thread.join();
  for (const StreamDraws& draws : d.draws) d.small.total += draws.small_total;
}

}  // namespace dctwin::sim
