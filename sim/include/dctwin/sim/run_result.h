#pragma once
// What a run produces, held in memory until the reports are written: one record per job and
// one facility step per site.
#include <cstdint>
#include <vector>

#include "dctwin/models/outages.h"
#include "dctwin/sim/workload.h"

namespace dctwin::sim {

// At the horizon. Unsubmitted: a campaign's attempt whose previous attempt hadn't ended.
enum class JobState : std::uint8_t { kQueued, kRunning, kFinished, kUnsubmitted };

// Fields ordered so that no padding is needed (112 bytes): one per job of the programme.
struct JobRecord {
  Job job;
  JobState state = JobState::kQueued;
  std::uint16_t run_site = 0;  // where it ran or waits: its home site unless the broker moved it
  int nodes = 0;               // nodes of the last run
  int interruptions = 0;       // by node failures or power shortfalls
  int groups = 0;              // leaf groups its last run spanned
  double first_start_s = -1;   // -1: never started
  double start_s = -1;         // of the last run
  double end_s = -1;           // -1: not finished by the horizon
  double work_done_s = 0;      // work kept at full clock: checkpoints survive interruptions
  double lost_gpu_s = 0;       // GPU-seconds of work (at full clock) lost to interruptions
  double moved_gb = 0;         // its data sent over the WAN when the broker moved it
  double transfer_end_s = -1;  // when that data arrived
};

struct FailureEvent {
  double at_s = 0;
  std::uint32_t node = 0;
  int cause = 0;               // index into Reliability::causes; -1: a power shortfall
  double back_s = 0;           // node back in service (0 for power shortfalls)
  bool used_spare = false;
  int jobs_interrupted = 0;
  double lost_gpu_s = 0;
};

struct FacilityStep {
  double end_s = 0;             // the step covers [end_s - step_s, end_s)
  double it_energy_j = 0;       // the nodes' power model integrated (RunOptions::energy_from_plugin: the plugin's reading)
  double it_energy_check_j = 0; // with RunOptions::energy_from_plugin: the model's figure beside it; else 0
  double cooling_energy_j = 0;
  double pdu_loss_j = 0, ups_loss_j = 0, transformer_loss_j = 0;
  double facility_energy_j = 0; // = it + cooling + losses
  double grid_energy_j = 0;
  double generator_energy_j = 0;
  double pue = 0;               // facility / IT in this step; 0 without IT load
  double drybulb_c = 0, wetbulb_c = 0;
  double free_cooling_fraction = 0;
  double water_l = 0;
  double outage_s = 0;          // grid unavailable
  double generator_s = 0;       // generators running
  double generator_l = 0;       // diesel burnt
  double capped_s = 0;          // GPUs below full clock, or jobs held or shed for power
  double energy_cost_usd = 0;   // grid energy at the tariff
  double co2_grid_kg = 0, co2_diesel_kg = 0;
  double busy_gpu_s = 0;        // GPU-seconds allocated to jobs in the step
  int pstate = 0;               // at the end of the step
  int gpus_online = 0;
  int gpus_busy = 0;            // at the end of the step
};

// Small jobs carried in aggregate (aggregated fidelity), per class and month.
struct AggregateClassMonth {
  double jobs = 0;          // arrived in the month
  double work_gpu_s = 0;    // their work at full clock
  double served_jobs = 0;   // jobs whose work was done in the month
  double served_gpu_s = 0;  // and that work
  double failed_gpu_s = 0, cancelled_gpu_s = 0;  // work of attempts arrived in the month that fail or are cancelled
  double unserved_gpu_s = 0;  // a served class's load that its step could not serve (dropped)
  std::vector<std::pair<double, double>> waits;  // (wait_s, jobs): four points per batch served, one per held job
  double zero_wait_jobs = 0;                     // jobs among them that did not wait, kept apart (most, off peak)
  // All of them: waits plus one point for the jobs that did not wait.
  void append_waits(std::vector<std::pair<double, double>>& out) const {
    out.insert(out.end(), waits.begin(), waits.end());
    if (zero_wait_jobs > 0) out.emplace_back(0.0, zero_wait_jobs);
  }
  void add_wait(double wait_s, double jobs) {
    if (wait_s <= 0) {
      zero_wait_jobs += jobs;
    } else {
      waits.emplace_back(wait_s, jobs);
    }
  }
};

struct SiteSeries {
  std::vector<FacilityStep> steps;
  std::vector<models::Interval> outages;  // grid outages drawn for the run
  std::vector<FailureEvent> failures;     // node failures and power-shortfall interruptions
  std::vector<AggregateClassMonth> aggregate;  // [month * classes + class]; empty when exact
};

struct RunResult {
  std::vector<JobRecord> jobs;        // in job id order
  std::vector<SiteSeries> sites;      // in Scenario::sites order
  double horizon_s = 0;
  double simulated_events = 0;        // job starts + completions, for throughput figures
};

}  // namespace dctwin::sim
