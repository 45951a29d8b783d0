#pragma once
// What a run produces, held in memory until the reports are written: one record per job and
// one facility step per site.
#include <cstdint>
#include <vector>

#include "dctwin/sim/workload.h"

namespace dctwin::sim {

enum class JobState : std::uint8_t { kQueued, kRunning, kFinished };  // at the horizon

struct JobRecord {
  Job job;
  JobState state = JobState::kQueued;
  double start_s = -1;  // -1: never started
  double end_s = -1;    // -1: not finished by the horizon
  int nodes = 0;        // nodes it ran on
};

struct FacilityStep {
  double end_s = 0;             // the step covers [end_s - step_s, end_s)
  double it_energy_j = 0;       // from SimGrid's host energy plugin
  double facility_energy_j = 0;
  double pue = 0;
  double drybulb_c = 0;
  int gpus_online = 0;
  int gpus_busy = 0;            // at the end of the step
};

struct SiteSeries {
  std::vector<FacilityStep> steps;
};

struct RunResult {
  std::vector<JobRecord> jobs;        // in job id order
  std::vector<SiteSeries> sites;      // in Scenario::sites order
  double horizon_s = 0;
  double simulated_events = 0;        // job starts + completions, for throughput figures
};

}  // namespace dctwin::sim
