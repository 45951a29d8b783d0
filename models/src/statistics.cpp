#include "dctwin/models/statistics.h"

#include <algorithm>
#include <cmath>

namespace dctwin::models {

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0.0;
  if (!std::is_sorted(v.begin(), v.end())) std::sort(v.begin(), v.end());
  const double h = (static_cast<double>(v.size()) - 1.0) * p / 100.0;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
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

WaitStats wait_stats(std::vector<double> plain, std::vector<std::pair<double, double>> weighted) {
  WaitStats w;
  if (weighted.empty()) {
    w.mean = mean(plain);
    w.p50 = percentile(plain, 50);
    w.p95 = percentile(plain, 95);
    w.p99 = percentile(plain, 99);
    return w;
  }
  const auto mid = static_cast<std::ptrdiff_t>(weighted.size());
  for (double x : plain) weighted.emplace_back(x, 1.0);
  w.mean = weighted_mean(weighted);
  // One ordering (none when the inputs come sorted), then the three nearest ranks in one
  // pass (as weighted_percentile finds each).
  double total = 0;
  for (const auto& [x, wt] : weighted) total += wt;
  if (total <= 0) return w;
  auto order = [](auto begin, auto end) {
    if (!std::is_sorted(begin, end)) std::sort(begin, end);
  };
  order(weighted.begin(), weighted.begin() + mid);
  order(weighted.begin() + mid, weighted.end());
  std::inplace_merge(weighted.begin(), weighted.begin() + mid, weighted.end());
  double* out[3] = {&w.p50, &w.p95, &w.p99};
  const double ps[3] = {50, 95, 99};
  std::size_t k = 0;
  double cumulative = 0;
  for (const auto& [x, wt] : weighted) {
    cumulative += wt;
    while (k < 3 && cumulative >= total * ps[k] / 100.0 - 1e-12 * total) *out[k++] = x;
    if (k == 3) break;
  }
  for (; k < 3; ++k) *out[k] = weighted.back().first;
  return w;
}

}  // namespace dctwin::models
