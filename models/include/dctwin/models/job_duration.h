#pragma once
// Job durations as the trace papers publish them: a median, a 90th percentile, a cap, and
// optionally a mean. A lognormal passes through the median and p90; when a mean is given,
// the tail above p90 continues with another log-slope, chosen so that the mean (of the
// distribution cut at the cap) is the one asked for. Published traces have heavier tails
// than a lognormal through their median and p90 (Acme-Seren: mean 1,414 s against 711 s).
namespace dctwin::models {

class JobDuration {
 public:
  // Hours. mean_h <= 0: the plain lognormal. Throws std::invalid_argument when no tail
  // slope gives the mean under the cap.
  JobDuration(double median_h, double p90_h, double max_h, double mean_h = 0);

  // The duration at standard normal draw z (z <= z_max()).
  double hours_at(double z) const;
  double z_max() const { return z_max_; }
  double mean_h() const { return mean_of(sigma_tail_); }
  double sigma_body() const { return sigma_; }
  double sigma_tail() const { return sigma_tail_; }
  // The most a mean may be under the cap.
  double greatest_mean_h() const;

 private:
  double mean_of(double sigma_tail) const;
  double steepest_useful_tail() const;
  double z_max_for(double sigma_tail) const;

  double mu_, sigma_, p90_h_, max_h_;
  double sigma_tail_;
  double z_max_;
};

}  // namespace dctwin::models
