#pragma once
#include <vector>

namespace dctwin::models {

// Linear interpolation between closest ranks (Hyndman & Fan type 7, as numpy's default).
// Sorts `values` in place. Returns 0 for an empty sample.
double percentile(std::vector<double>& values, double p);
double mean(const std::vector<double>& values);

}  // namespace dctwin::models
