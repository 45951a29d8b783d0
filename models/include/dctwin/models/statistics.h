#pragma once
#include <utility>
#include <vector>

namespace dctwin::models {

// Linear interpolation between closest ranks (Hyndman & Fan type 7, as numpy's default).
// Sorts `values` in place. Returns 0 for an empty sample.
double percentile(std::vector<double>& values, double p);
double mean(const std::vector<double>& values);

// For weighted samples (value, weight): the smallest value whose cumulative weight reaches
// p % of the total (weighted nearest rank). Sorts in place; 0 for no weight.
double weighted_percentile(std::vector<std::pair<double, double>>& samples, double p);
double weighted_mean(const std::vector<std::pair<double, double>>& samples);

// Mean and percentiles of waits: plain samples, plus weighted ones when there are any (then
// weighted nearest rank for everything; otherwise linear interpolation as percentile()).
struct WaitStats {
  double mean = 0, p50 = 0, p95 = 0, p99 = 0;
};
WaitStats wait_stats(const std::vector<double>& plain, const std::vector<std::pair<double, double>>& weighted);

}  // namespace dctwin::models
