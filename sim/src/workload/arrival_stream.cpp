#include "arrival_stream.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <tuple>

#include "dctwin/models/random_stream.h"

namespace dctwin::sim {
namespace {

double inverse_normal_cdf(double p) {
  double lo = -12, hi = 12;
  for (int i = 0; i < 200 && hi - lo > 1e-12; ++i) {
    const double mid = 0.5 * (lo + hi);
    (normal_cdf(mid) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// A class's attempt shape: size, and a lognormal duration cut at its max, whose standard
// normal draw z also decides the outcome (the shortest fail, the longest are cancelled).
class AttemptShape {
 public:
  explicit AttemptShape(const JobClass& c) : c_(c), duration_(duration_of(c)) {
    const double below_max = normal_cdf(duration_.z_max());
    z_failed_ = c.failed_fraction > 0 ? inverse_normal_cdf(c.failed_fraction * below_max) : -1e9;
    z_cancelled_ = c.cancelled_fraction > 0 ? inverse_normal_cdf((1 - c.cancelled_fraction) * below_max) : 1e9;
  }

  int gpus(models::RandomStream& rng) const { return c_.gpus[rng.weighted_index(c_.gpus_weights)]; }

  void draw(models::RandomStream& rng, Job& j) const {
    double z;
    do {
      z = rng.standard_normal();
    } while (z > duration_.z_max());
    j.duration_s = 3600.0 * duration_.hours_at(z);
    if (c_.outcome_by_duration >= 1 || rng.uniform() < c_.outcome_by_duration) {
      j.outcome = z < z_failed_ ? JobOutcome::kFailed : z > z_cancelled_ ? JobOutcome::kCancelled : JobOutcome::kCompleted;
      return;
    }
    const double u = rng.uniform();  // the same shares by count, whatever the duration
    j.outcome = u < c_.failed_fraction                           ? JobOutcome::kFailed
                : u < c_.failed_fraction + c_.cancelled_fraction ? JobOutcome::kCancelled
                                                                 : JobOutcome::kCompleted;
  }

 private:
  const JobClass& c_;
  models::JobDuration duration_;
  double z_failed_ = -1e9, z_cancelled_ = 1e9;
};

constexpr int kMaxAttempts = 1000;

}  // namespace

models::JobDuration duration_of(const JobClass& c) {
  return models::JobDuration(c.duration_median_h, c.duration_p90_h, c.duration_max_h, c.duration_mean_h);
}

void sort_long_jobs(std::vector<LongSmallJob>& site_jobs) {
  std::sort(site_jobs.begin(), site_jobs.end(), [](const LongSmallJob& a, const LongSmallJob& b) {
    return std::tie(a.submit_s, a.job_class) < std::tie(b.submit_s, b.job_class);
  });
}

struct ArrivalStream::Draw {
  Draw(const Scenario& s, const models::SimCalendar& cal, std::size_t si, std::size_t ci, AggregateArrivals& small,
       StreamDraws& out)
      : s(s),
        cal(cal),
        si(si),
        ci(ci),
        site(s.sites[si]),
        jc(s.job_classes[ci]),
        small(small),
        horizon(cal.seconds_at(s.end)),
        hours(std::ceil(horizon / 3600.0)),
        first(std::max(0.0, cal.seconds_at(site.demand.front().date))),
        next_hour(std::floor(first / 3600.0)),
        keep(s, cal, small, out),
        arrivals(s.seed, models::stream_id("arrivals", site.id, jc.id)),
        shapes(s.seed, models::stream_id("job shapes", site.id, jc.id)) {
    if (jc.served) return;  // no jobs: no sizes or durations
    shape.emplace(jc);
    const double attempts_per_submission =
        jc.campaign ? 1.0 / (1.0 - jc.failed_fraction - jc.cancelled_fraction) : 1.0;
    per_s_per_gph_month =
        jc.share_of_gpu_hours / expected_gpu_hours(jc) / attempts_per_submission / (kHoursPerMonth * 3600.0);
  }
  void hour(double h);

  const Scenario& s;
  const models::SimCalendar& cal;
  std::size_t si, ci;
  const Site& site;
  const JobClass& jc;
  AggregateArrivals& small;
  double horizon, hours, first, next_hour;
  double per_s_per_gph_month = 0;
  std::optional<AttemptShape> shape;
  Keeper keep;
  models::RandomStream arrivals, shapes;
  std::uint32_t campaigns = 0;
};

void ArrivalStream::Draw::hour(double h) {
  const double t0 = std::max(first, h * 3600.0), t1 = std::min(horizon, (h + 1) * 3600.0);
  const double mid = 0.5 * (t0 + t1);
  const double rate = demand_gpu_hours_per_month(site, cal, mid) * per_s_per_gph_month *
                      submission_cycle_factor(jc, cal, site.local_s(mid));
  if (rate <= 0) return;
  for (double t = t0 + arrivals.exponential(rate); t < t1; t += arrivals.exponential(rate)) {
    Job j;
    j.site = static_cast<std::uint16_t>(si);
    j.job_class = static_cast<std::uint16_t>(ci);
    j.submit_s = t;
    j.gpus = shape->gpus(shapes);
    shape->draw(shapes, j);
    if (!jc.campaign) {
      keep(j);
      continue;
    }
    j.campaign = campaigns++;
    for (int attempt = 0; attempt < kMaxAttempts && j.submit_s < horizon; ++attempt) {
      keep(j);
      if (j.outcome == JobOutcome::kCompleted) break;
      j.follows = true;
      j.submit_s += j.duration_s + jc.resubmit_gap_h * 3600.0;
      shape->draw(shapes, j);
    }
  }
}

ArrivalStream::ArrivalStream(const Scenario& s, const models::SimCalendar& cal, std::size_t site,
                             std::size_t job_class, AggregateArrivals& small, StreamDraws& out)
    : draw_(std::make_unique<Draw>(s, cal, site, job_class, small, out)) {}

ArrivalStream::ArrivalStream(ArrivalStream&&) noexcept = default;
ArrivalStream::~ArrivalStream() = default;

void ArrivalStream::draw_before(double t_s) {
  Draw& d = *draw_;
  if (d.jc.served) {
    if (d.next_hour < d.hours) {
      for_each_served_step(d.s, d.cal, d.si, d.ci, [&](std::size_t k, double gpu_s) {
        d.small.gpu_s[d.si][k * d.small.classes + d.ci] += gpu_s;
      });
    }
    d.next_hour = d.hours;
    return;
  }
  if (d.per_s_per_gph_month <= 0) return;
  for (; d.next_hour < d.hours && d.next_hour * 3600.0 < t_s; ++d.next_hour) d.hour(d.next_hour);
}

}  // namespace dctwin::sim
