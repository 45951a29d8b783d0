#include "dctwin/models/statistics.h"

#include <algorithm>
#include <cmath>

namespace dctwin::models {

namespace {
// Type-7 interpolation on an already sorted sample.
double interpolated(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  const double h = (static_cast<double>(sorted.size()) - 1.0) * p / 100.0;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// The sample itself when it comes sorted (the reports keep theirs so), else a sorted copy.
template <class T>
const std::vector<T>& sorted_view(const std::vector<T>& v, std::vector<T>& copy) {
  if (std::is_sorted(v.begin(), v.end())) return v;
  copy = v;
  std::sort(copy.begin(), copy.end());
  return copy;
}
}  // namespace

double percentile(std::vector<double>& v, double p) {
  if (!std::is_sorted(v.begin(), v.end())) std::sort(v.begin(), v.end());
  return interpolated(v, p);
}

double mean(const std::vector<double>& v) {
  if (v.empty()) return 0.0;
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double weighted_percentile(std::vector<std::pair<double, double>>& v, double p) {
  double total = 0;
  for (const auto& [x, w] : v) total += w;
  if (total <= 0) return 0.0;
  if (!std::is_sorted(v.begin(), v.end())) std::sort(v.begin(), v.end());
  const double target = total * p / 100.0;
  double cumulative = 0;
  for (const auto& [x, w] : v) {
    cumulative += w;
    if (cumulative >= target - 1e-12 * total) return x;
  }
  return v.back().first;
}

double weighted_mean(const std::vector<std::pair<double, double>>& v) {
  double sum = 0, total = 0;
  for (const auto& [x, w] : v) {
    sum += x * w;
    total += w;
  }
  return total > 0 ? sum / total : 0.0;
}

WaitStats wait_stats(const std::vector<double>& plain_in, const std::vector<std::pair<double, double>>& weighted_in) {
  WaitStats w;
  std::vector<double> plain_copy;
  const std::vector<double>& plain = sorted_view(plain_in, plain_copy);
  if (weighted_in.empty()) {
    w.mean = mean(plain_in);
    w.p50 = interpolated(plain, 50);
    w.p95 = interpolated(plain, 95);
    w.p99 = interpolated(plain, 99);
    return w;
  }
  // The weighted samples, then the plain ones with weight 1, in the order given.
  double sum = 0, total = 0;
  for (const auto& [x, wt] : weighted_in) {
    sum += x * wt;
    total += wt;
  }
  for (double x : plain_in) {
    sum += x;
    total += 1.0;
  }
  w.mean = total > 0 ? sum / total : 0.0;
  if (total <= 0) return w;
  // The three nearest ranks in one walk over both sorted samples, merged as a stable merge
  // of (value, weight) pairs would order them, without building the merged sample.
  std::vector<std::pair<double, double>> weighted_copy;
  const auto& weighted = sorted_view(weighted_in, weighted_copy);
  double* out[3] = {&w.p50, &w.p95, &w.p99};
  const double ps[3] = {50, 95, 99};
  std::size_t k = 0, a = 0, b = 0;
  double cumulative = 0;
  while (k < 3 && (a < weighted.size() || b < plain.size())) {
    const bool take_plain =
        a == weighted.size() || (b < plain.size() && std::pair<double, double>(plain[b], 1.0) < weighted[a]);
    const double x = take_plain ? plain[b] : weighted[a].first;
    cumulative += take_plain ? 1.0 : weighted[a].second;
    take_plain ? ++b : ++a;
    while (k < 3 && cumulative >= total * ps[k] / 100.0 - 1e-12 * total) *out[k++] = x;
  }
  const double largest = std::max(weighted.back().first, plain.empty() ? weighted.back().first : plain.back());
  for (; k < 3; ++k) *out[k] = largest;
  return w;
}

}  // namespace dctwin::models
