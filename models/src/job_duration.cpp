#include "dctwin/models/job_duration.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace dctwin::models {
namespace {
constexpr double kZ90 = 1.2815515655446004;  // standard normal 90th percentile
constexpr double kSigmaTailMin = 1e-6, kSigmaTailMax = 30;
double phi_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
}  // namespace

JobDuration::JobDuration(double median_h, double p90_h, double max_h, double mean_h)
    : mu_(std::log(median_h)), sigma_(std::log(p90_h / median_h) / kZ90), p90_h_(p90_h), max_h_(max_h), sigma_tail_(sigma_) {
  if (!(median_h > 0) || p90_h < median_h || max_h < p90_h) {
    throw std::invalid_argument("durations need 0 < median <= p90 <= max");
  }
  if (mean_h > 0 && sigma_ > 0) {
    // One scan of the tail slopes serves the check and the search: it is most of the cost of
    // building a JobDuration, and a run builds one per class several times.
    const double steepest = steepest_useful_tail();
    const double least = mean_of(kSigmaTailMin), most = mean_of(steepest);
    if (mean_h < least * (1 - 1e-9) || mean_h > most) {
      throw std::invalid_argument("a mean of " + std::to_string(mean_h) + " h lies outside what a median of " +
                                  std::to_string(median_h) + " h, a p90 of " + std::to_string(p90_h) +
                                  " h and a cap of " + std::to_string(max_h) + " h allow (" + std::to_string(least) +
                                  " to " + std::to_string(most) + " h)");
    }
    double lo = kSigmaTailMin, hi = steepest;
    for (int i = 0; i < 200 && hi - lo > 1e-12; ++i) {
      const double mid = 0.5 * (lo + hi);
      (mean_of(mid) < mean_h ? lo : hi) = mid;
    }
    sigma_tail_ = 0.5 * (lo + hi);
  }
  z_max_ = z_max_for(sigma_tail_);
}

double JobDuration::z_max_for(double sigma_tail) const {
  if (sigma_ <= 0) return 1e9;
  const double z_cap_body = (std::log(max_h_) - mu_) / sigma_;
  if (z_cap_body <= kZ90) return z_cap_body;
  return kZ90 + std::log(max_h_ / p90_h_) / sigma_tail;
}

double JobDuration::hours_at(double z) const {
  if (z <= kZ90) return std::exp(mu_ + sigma_ * z);
  return p90_h_ * std::exp(sigma_tail_ * (z - kZ90));
}

// E[d | z <= z_max]: the body's and the tail's lognormal partial expectations.
double JobDuration::mean_of(double sigma_tail) const {
  if (sigma_ <= 0) return std::exp(mu_);
  const double z_max = z_max_for(sigma_tail);
  const double z_body = std::fmin(z_max, kZ90);
  double sum = std::exp(mu_ + sigma_ * sigma_ / 2) * phi_cdf(z_body - sigma_);
  if (z_max > kZ90) {
    sum += p90_h_ * std::exp(-sigma_tail * kZ90 + sigma_tail * sigma_tail / 2) *
           (phi_cdf(z_max - sigma_tail) - phi_cdf(kZ90 - sigma_tail));
  }
  return sum / phi_cdf(z_max);
}

// The mean first rises with the tail's slope, then falls as the cap cuts more of the tail.
double JobDuration::steepest_useful_tail() const {
  double best_sigma = sigma_, best = mean_of(sigma_);
  for (double s = 0.01; s <= kSigmaTailMax; s += 0.01) {
    const double m = mean_of(s);
    if (m > best) {
      best = m;
      best_sigma = s;
    }
  }
  return best_sigma;
}

double JobDuration::greatest_mean_h() const { return mean_of(steepest_useful_tail()); }

}  // namespace dctwin::models
