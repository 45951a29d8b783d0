#include "dctwin/models/random_stream.h"

#include <cmath>
#include <numbers>

namespace dctwin::models {
namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
constexpr double kZ90 = 1.2815515655446004;  // standard normal 90th percentile
}  // namespace

RandomStream::RandomStream(std::uint64_t seed, std::uint64_t stream_id) {
  std::uint64_t x = seed ^ (0xd1b54a32d192ed03ULL * (stream_id + 1));
  for (auto& s : s_) s = splitmix64(x);
}

std::uint64_t RandomStream::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double RandomStream::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double RandomStream::exponential(double rate) { return -std::log1p(-uniform()) / rate; }

double RandomStream::standard_normal() {
  // Box-Muller; the second variate is dropped so that each call consumes a fixed count.
  const double u1 = 1.0 - uniform();  // (0, 1]
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double RandomStream::lognormal_median_p90(double median, double p90) {
  const double sigma = std::log(p90 / median) / kZ90;
  return median * std::exp(sigma * standard_normal());
}

std::size_t RandomStream::weighted_index(std::span<const double> weights) {
  double total = 0;
  for (double w : weights) total += w;
  double x = uniform() * total;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  return weights.size() - 1;
}

std::uint64_t stream_id(std::string_view purpose, std::string_view site, std::string_view job_class) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64-bit offset basis
  for (std::string_view part : {purpose, site, job_class}) {
    for (const char c : part) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    h *= 0x100000001b3ULL;  // the NUL ending the part, so ("ab", "c") differs from ("a", "bc")
  }
  return h;
}

}  // namespace dctwin::models
