#pragma once
// Refuses, as bad input, a run whose jobs handled one by one would not fit in this machine's
// memory: before any is drawn, rather than after minutes of swapping or the kernel's kill.

namespace dctwin::sim {
struct Scenario;
}

namespace dctwin::cli {

// Throws sim::ScenarioError (exit status 2) when sim::expected_discrete_jobs(scenario), at the
// memory a job takes in a run, would need more than 80 % of the memory this process may use,
// or more jobs than a job id can number. `remedy` ends the message; empty: the run's own
// (another fidelity, a shorter run, less demand).
void refuse_if_jobs_exceed_memory(const sim::Scenario& scenario, const char* remedy = "");

}  // namespace dctwin::cli
