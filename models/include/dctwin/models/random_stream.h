#pragma once
// A seeded random stream whose numbers are the same on every platform and standard library
// (xoshiro256** seeded by SplitMix64; distributions written out here, not std::*_distribution).
#include <cstdint>
#include <span>

namespace dctwin::models {

class RandomStream {
 public:
  // Streams with the same seed and different stream ids are independent.
  RandomStream(std::uint64_t seed, std::uint64_t stream_id);

  std::uint64_t next_u64();
  double uniform();  // [0, 1)
  double exponential(double rate);
  double standard_normal();
  // Lognormal with the given median and 90th percentile (p90 >= median > 0).
  double lognormal_median_p90(double median, double p90);
  // Index drawn with probability proportional to weights (non-negative, not all zero).
  std::size_t weighted_index(std::span<const double> weights);

 private:
  std::uint64_t s_[4];
};

}  // namespace dctwin::models
