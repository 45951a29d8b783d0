#include "memory_guard.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>

#include "dctwin/sim/scenario.h"
#include "dctwin/sim/scenario_error.h"
#include "dctwin/sim/workload.h"

namespace dctwin::cli {
namespace {

// Peak memory of a run per job handled one by one: the default four years in exact fidelity,
// 22.95 million jobs in 3.6 GiB (bench/RESULTS.md), rounded up.
constexpr double kBytesPerJob = 180;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// Physical memory, or the cgroup's limit when it sets a lower one (a container).
double memory_bytes() {
  double bytes = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  std::ifstream limit("/sys/fs/cgroup/memory.max");
  std::string text;
  if (limit >> text && text != "max") {
    try {
      bytes = std::min(bytes, std::stod(text));
    } catch (const std::exception&) {
      // an unreadable limit leaves physical memory as the bound
    }
  }
  return bytes;
}

}  // namespace

void refuse_if_jobs_exceed_memory(const sim::Scenario& scenario, const char* remedy) {
  const double jobs = sim::expected_discrete_jobs(scenario);
  const double need = jobs * kBytesPerJob;
  const double have = memory_bytes();
  const bool too_many_ids = jobs >= static_cast<double>(std::numeric_limits<std::uint32_t>::max());
  if (need <= 0.8 * have && !too_many_ids) return;
  char limit[128];
  if (too_many_ids) {
    std::snprintf(limit, sizeof limit, "more than a run can number (%.3g)",
                  static_cast<double>(std::numeric_limits<std::uint32_t>::max()));
  } else {
    std::snprintf(limit, sizeof limit, "which would need about %.0f GiB of memory against %.0f GiB here",
                  need / kGiB, have / kGiB);
  }
  char problem[512];
  std::snprintf(problem, sizeof problem, "about %.3g jobs to simulate one by one (%s), %s; %s", jobs,
                scenario.fidelity.aggregated ? "those too large or long to carry in aggregate" : "exact fidelity", limit,
                *remedy != '\0'              ? remedy
                : scenario.fidelity.aggregated ? "raise fidelity.small_max_gpus or fidelity.small_max_h, or shorten the "
                                                 "run or lower the demand"
                                               : "run it with --fidelity aggregated, or shorten the run or lower the demand");
  throw sim::ScenarioError(scenario.source_name, 0, 0, "fidelity", problem);
}

}  // namespace dctwin::cli
