#pragma once
// A seeded random stream whose numbers are the same on every platform and standard library
// (xoshiro256** seeded by SplitMix64; distributions written out here, not std::*_distribution).
#include <cstdint>
#include <span>
#include <string_view>

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

// A stream id named by what the stream is for (a purpose such as "arrivals", a site's id, a job
// class's id), not by where the site or class is listed: adding, removing or reordering sites
// or classes in a scenario leaves every other stream's numbers as they were, so two variants of
// a scenario are compared on the same draws. FNV-1a over the three names, each ended by a NUL.
std::uint64_t stream_id(std::string_view purpose, std::string_view site = {}, std::string_view job_class = {});

}  // namespace dctwin::models
