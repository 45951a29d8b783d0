// Aggregated fidelity's queue waits: small jobs carried as a fluid wait only where the fluid's
// GPUs can't keep up with them, as jobs starting as they arrive would.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "dctwin/sim/scenario_loader.h"
#include "dctwin/sim/twin.h"
#include "dctwin/sim/workload.h"
#include "engine/held_placement.h"

namespace {

// tests/data/small-jobs.yaml (one site of 256 GPUs, two weeks) with a second small class
// ahead of evaluation in priority, at `gpu_h_per_month` of demand, in aggregated fidelity.
dctwin::sim::Scenario two_levels(double gpu_h_per_month) {
  auto s = dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/small-jobs.yaml");
  s.fidelity.aggregated = true;
  for (auto& point : s.sites[0].demand) point.gpu_hours_per_month = gpu_h_per_month;
  dctwin::sim::JobClass urgent = s.job_classes[0];  // evaluation's jobs, at a higher priority
  urgent.id = "urgent";
  urgent.priority = 2;
  urgent.share_of_gpu_hours = 0.3;
  s.job_classes[0].share_of_gpu_hours = 0.3;
  s.job_classes[1].share_of_gpu_hours = 0.4;
  s.job_classes.push_back(urgent);
  return s;
}

struct WaitShares {
  double jobs = 0, waited = 0, wait_s = 0;  // jobs, those that waited, their waits summed
  double mean_wait_h() const { return jobs > 0 ? wait_s / jobs / 3600 : 0; }
};

WaitShares of_class(const dctwin::sim::RunResult& r, std::size_t job_class, std::size_t classes) {
  WaitShares w;
  const auto& months = r.sites[0].aggregate;
  for (std::size_t cell = job_class; cell < months.size(); cell += classes) {
    w.jobs += months[cell].zero_wait_jobs;
    for (const auto& [wait_s, jobs] : months[cell].waits) {
      w.jobs += jobs;
      w.waited += jobs;
      w.wait_s += wait_s * jobs;
    }
  }
  return w;
}

// The waits of `job_class` at the first site, once `s` has run.
WaitShares waits_after_run(const dctwin::sim::Scenario& s, std::size_t job_class) {
  return of_class(dctwin::sim::Twin(s).run(), job_class, s.job_classes.size());
}

}  // namespace

TEST(AggregatedWaits, NoSmallJobWaitsWhenTheSiteHasRoomAtEveryLevel) {
  const auto s = two_levels(15000);  // about 8 % of the site
  const auto r = dctwin::sim::Twin(s).run();
  for (std::size_t c : {std::size_t{0}, s.job_classes.size() - 1}) {
    const WaitShares w = of_class(r, c, s.job_classes.size());
    ASSERT_GT(w.jobs, 1000) << s.job_classes[c].id;
    // A fluid served strictly in turn would have the lower level wait behind the higher one
    // in every step; jobs arriving through the step start as they arrive.
    EXPECT_LT(w.waited / w.jobs, 0.05) << s.job_classes[c].id;
  }
}

TEST(AggregatedWaits, TheLowLevelWaitsWhenTheSiteIsOverloaded) {
  const auto s = two_levels(260000);  // about 140 % of the site
  const auto r = dctwin::sim::Twin(s).run();
  const WaitShares low = of_class(r, 0, s.job_classes.size());
  const WaitShares high = of_class(r, s.job_classes.size() - 1, s.job_classes.size());
  ASSERT_GT(low.jobs, 1000);
  EXPECT_GT(low.waited / low.jobs, 0.5);
  EXPECT_LT(high.waited / high.jobs, low.waited / low.jobs);
}

TEST(AggregatedWaits, SmallJobsStartOnTheGpusLeftFreeBesideTheHold) {
  // One site of 256 GPUs, 15-minute steps. A pre-training job fills it for two hours while,
  // in the second, 40 urgent jobs (one GPU, ten minutes, the highest level) queue. In the
  // third hour 20 evaluation jobs arrive. The first step's hold then takes the GPUs that end
  // the urgent backlog and the step's evaluation work by the boundary, 30 of them, and a
  // quarter of the evaluation jobs waited behind the backlog, 7 minutes on average; as jobs,
  // the backlog starts at once on the 256 GPUs the pre-training job leaves, and no
  // evaluation job waits.
  auto s = two_levels(1000);
  const std::uint16_t evaluation = 0, pretraining = 1, urgent = 2;
  s.trace = {{0, 7200, 256, 0, pretraining}};
  for (int i = 0; i < 40; ++i) s.trace.push_back({3600 + 45 + 90.0 * i, 600, 1, 0, urgent});
  for (int i = 0; i < 20; ++i) s.trace.push_back({7200 + 90 + 180.0 * i, 600, 1, 0, evaluation});
  const WaitShares w = waits_after_run(s, evaluation);
  ASSERT_NEAR(w.jobs, 20, 1e-9);
  EXPECT_EQ(w.waited, 0) << "mean wait " << w.mean_wait_h() * 60 << " min";
}

TEST(AggregatedWaits, HeldJobsEndingInAStepRunBesideItsArrivals) {
  // One site of 256 GPUs, 15-minute steps. 100 urgent jobs of one GPU and 5,000 s, held from
  // step to step, end 500 s into the sixth step; 20 evaluation jobs arrive through that step.
  // As jobs, the held ones run on to their ends on their own GPUs and the evaluation jobs
  // start at once on the 156 GPUs free. Their last 50,000 GPU-seconds queued ahead of the
  // step's arrivals, as a backlog at its start, kept the first quarter of the evaluation jobs
  // waiting 89 s.
  auto s = two_levels(1000);
  s.fidelity.small_max_h = 2;  // so that the 5,000-s jobs are small, held from step to step
  const std::uint16_t evaluation = 0, urgent = 2;
  s.trace.clear();
  for (int i = 0; i < 100; ++i) s.trace.push_back({0, 5000, 1, 0, urgent});
  const double step_s = s.fidelity.step_s;
  for (int i = 0; i < 20; ++i) s.trace.push_back({5 * step_s + 22.5 + 45.0 * i, 600, 1, 0, evaluation});
  const WaitShares w = waits_after_run(s, evaluation);
  ASSERT_NEAR(w.jobs, 20, 1e-9);
  EXPECT_EQ(w.waited, 0) << "mean wait " << w.mean_wait_h() * 3600 << " s";
}

TEST(AggregatedWaits, WorkThatMayMoveQueuesWithTheSitesHighestClass) {
  // One site of 256 GPUs with the broker on: a pre-training job holds 192 GPUs for three
  // hours, and in one step of its second hour come 60 evaluation jobs (free to move) and 60
  // urgent ones, one GPU and ten minutes each: 72,000 GPU-seconds for the 57,600 of the 64
  // GPUs left. The broker sends a job that may move only where it would start at once, so
  // there it does not wait behind the site's own classes: the two wait alike. Queued at its
  // own priority, evaluation waited for all the urgent work (and the urgent jobs not at all).
  auto s = two_levels(1000);
  s.scheduling.broker = true;
  const std::uint16_t evaluation = 0, pretraining = 1, urgent = 2;
  s.job_classes[evaluation].may_move = true;
  s.job_classes[pretraining].may_move = false;
  s.trace = {{0, 10800, 192, 0, pretraining}};
  const double step_s = s.fidelity.step_s;
  for (int i = 0; i < 60; ++i) {
    s.trace.push_back({4 * step_s + 7.5 + 15.0 * i, 600, 1, 0, evaluation});
    s.trace.push_back({4 * step_s + 7.5 + 15.0 * i, 600, 1, 0, urgent});
  }
  const auto r = dctwin::sim::Twin(s).run();
  const WaitShares moving = of_class(r, evaluation, s.job_classes.size());
  const WaitShares home = of_class(r, urgent, s.job_classes.size());
  ASSERT_NEAR(moving.jobs, 60, 1e-9);
  ASSERT_NEAR(home.jobs, 60, 1e-9);
  EXPECT_GT(home.mean_wait_h(), 0);
  EXPECT_NEAR(moving.mean_wait_h() * 3600, home.mean_wait_h() * 3600, 1);
}

TEST(HeldPlacement, SmallLongHoldsTakeAGpuOnEachNodeInTurn) {
  using dctwin::sim::Slice;
  using dctwin::sim::engine::split_held;
  // A pass's GPUs as place_spread gives them: the fullest nodes first, whole free nodes last.
  const std::vector<Slice> pass = {{3, 3}, {5, 2}, {9, 8}, {12, 8}};
  auto gpus_on = [](const std::vector<Slice>& slices, std::uint32_t node) {
    int n = 0;
    for (const Slice& s : slices) n += s.node == node ? s.gpus : 0;
    return n;
  };
  // Five GPUs of jobs smaller than a node: a GPU on each node, then again from the first,
  // not the first five GPUs.
  auto split = split_held(pass, 5);
  EXPECT_EQ(gpus_on(split.held, 3), 2);
  EXPECT_EQ(gpus_on(split.held, 5), 1);
  EXPECT_EQ(gpus_on(split.held, 9), 1);
  EXPECT_EQ(gpus_on(split.held, 12), 1);
  // So every node whose short work ends at the boundary stays partly held.
  for (const Slice& s : split.short_work) EXPECT_GT(gpus_on(split.held, s.node), 0) << s.node;
  // More than the pass's GPUs: all of them held, none left to short work.
  split = split_held({{3, 3}, {5, 2}}, 8);
  EXPECT_EQ(gpus_on(split.held, 3) + gpus_on(split.held, 5), 5);
  EXPECT_TRUE(split.short_work.empty());
  // No held jobs: all short work.
  split = split_held(pass, 0);
  EXPECT_TRUE(split.held.empty());
  EXPECT_EQ(split.short_work.size(), 4u);
}

// One site of 256 GPUs, two weeks: long one-GPU jobs and long eight-GPU jobs, both held from
// step to step, at `gpu_h_per_month`. The one-GPU jobs' holds lie a GPU on each node in turn.
dctwin::sim::Scenario long_holds(double gpu_h_per_month) {
  auto s = dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/small-jobs.yaml");
  s.fidelity.aggregated = true;
  for (auto& point : s.sites[0].demand) point.gpu_hours_per_month = gpu_h_per_month;
  s.job_classes.resize(2);
  for (auto& c : s.job_classes) {
    c.share_of_gpu_hours = 0.5;
    c.duration_median_h = 4;
    c.duration_p90_h = 8;
    c.duration_max_h = 12;
    c.duration_mean_h = 0;
    c.priority = 0;
    c.campaign = false;
  }
  s.job_classes[0].id = "one-gpu";
  s.job_classes[0].gpus = {1};
  s.job_classes[0].gpus_weights = {1.0};
  s.job_classes[1].id = "one-node";
  s.job_classes[1].gpus = {8};
  s.job_classes[1].gpus_weights = {1.0};
  s.fidelity.small_max_gpus = 8;
  s.fidelity.small_max_h = 24;
  return s;
}

TEST(HeldPlacement, JobsOfANodeOrMoreWaitForWholeFreeNodes) {
  const auto s = long_holds(170000);  // about 90 % of the site
  const auto r = dctwin::sim::Twin(s).run();
  const double one_gpu = of_class(r, 0, 2).mean_wait_h(), one_node = of_class(r, 1, 2).mean_wait_h();
  // The one-GPU holds leave few nodes whole, so the eight-GPU jobs, which need a whole node
  // as jobs do, wait far longer than the one-GPU ones: 0.97 h against 0.006 h. Counting
  // free GPUs anywhere (the rule switched off in a trial run), both waited about 0.001 h.
  EXPECT_GT(one_node, 10 * one_gpu) << "one-GPU " << one_gpu << " h, one-node " << one_node << " h";
  EXPECT_GT(one_node, 0.25);
}

// First come, first served within a level: one node free beside a job of 31 nodes for two
// hours; sixteen one-GPU jobs of 20 minutes from 1,000 s, then at 1,900 s (the next step) a
// job of a node and two hours of a class at the same priority. The long job is admitted at the
// step's start but must leave the node to the short jobs that came before it.
std::vector<double> first_come_first_served_in_a_level() {
  auto s = dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/small-jobs.yaml");
  s.reliability.causes.clear();
  s.fidelity.aggregated = true;
  s.fidelity.small_max_gpus = 8;
  s.fidelity.small_max_h = 24;
  dctwin::sim::JobClass long_class = s.job_classes[0];  // evaluation's priority
  long_class.id = "long";
  s.job_classes.push_back(long_class);
  s.trace.push_back({0, 7200, 248, 0, 1});
  for (int k = 0; k < 16; ++k) s.trace.push_back({1000.0 + k, 1200, 1, 0, 0});
  s.trace.push_back({1900, 7200, 8, 0, 2});
  const auto r = dctwin::sim::Twin(s).run();
  double short_max_wait_s = 0;
  const auto& months = r.sites[0].aggregate;
  for (std::size_t cell = 0; cell < months.size(); cell += s.job_classes.size()) {
    for (const auto& [wait_s, jobs] : months[cell].waits) short_max_wait_s = std::max(short_max_wait_s, wait_s);
  }
  return {short_max_wait_s, of_class(r, 2, s.job_classes.size()).mean_wait_h() * 3600};
}

TEST(AggregatedWaits, ALongJobLeavesTheGpusToShortWorkThatCameBeforeIt) {
  const auto out = first_come_first_served_in_a_level();
  // The short jobs' 19,200 GPU-seconds take 2,400 s on the free node: their longest wait (at
  // the fluid's 7/8 point) is 1,312 s, and the long job starts at the boundary after they are
  // done, 1,700 s after it came. Taking the node first, at the step's start, it kept them
  // waiting for the two-hour job to end (5,757 s; the long job 0 s).
  EXPECT_LT(out[0], 2400) << "the short jobs' longest wait, s";
  EXPECT_GT(out[1], 1000) << "the long job's wait, s: until the short work is done";
}

constexpr double kStep = 900;  // small-jobs.yaml's aggregate step, the schema's default

// small-jobs.yaml's site with no failures, given the jobs of `trace` (by submission): how long
// the first job of `gpus` GPUs waited, or -1 if it never started.
double wait_in_the_small_jobs_case_s(bool aggregated, std::vector<dctwin::sim::TraceJob> trace, int gpus) {
  auto s = dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/small-jobs.yaml");
  s.reliability.causes.clear();
  s.fidelity.aggregated = aggregated;
  EXPECT_EQ(s.fidelity.step_s, kStep);
  std::stable_sort(trace.begin(), trace.end(), [](const auto& a, const auto& b) { return a.submit_s < b.submit_s; });
  s.trace = std::move(trace);
  for (const auto& j : dctwin::sim::Twin(s).run().jobs) {
    if (j.job.gpus == gpus) return j.start_s - j.job.submit_s;
  }
  return -1;
}

// A discrete job that begins to wait in mid-step behind small jobs in flight waits, as it would
// behind jobs, until the nodes they hold come free, a node once the last of its jobs has
// ended: EASY holds to its reservation only the jobs that start while it waits. One site of
// 256 GPUs: a one-GPU job of 50 minutes every minute from the start (about 50 GPUs busy), and
// 5 minutes into the ninth step a job that needs every node. (Each fidelity in a test of its
// own: SimGrid's clock runs on within a process.)
double wait_of_the_whole_site_job_s(bool aggregated) {
  std::vector<dctwin::sim::TraceJob> trace;
  for (int k = 0; k < 240; ++k) trace.push_back({30.0 + 60 * k, 3000, 1, 0, 0});
  trace.push_back({8 * kStep + 300, 3600, 256, 0, 1});
  return wait_in_the_small_jobs_case_s(aggregated, std::move(trace), 256);
}

TEST(AggregatedTail, AsJobsTheWholeSiteJobWaitsForTheLastSmallJobInFlight) {
  // Started at 10,470 s: the last small job in flight when it arrived, started at 7,470 s,
  // ended then; the later ones could not pass it.
  EXPECT_NEAR(wait_of_the_whole_site_job_s(false), 2970, 1);
}

TEST(AggregatedTail, SmallJobsInFlightWhenAJobBeginsToWaitRunOnToTheirEnds) {
  // The fluid lets the last of those nodes go at the 5/6 point of when such nodes come free:
  // eight one-GPU jobs of 3,000 s, 3000 x (5/6)^(1/8) s after the job began to wait. Before,
  // it let go of them all at the step's end, 600 s on.
  ASSERT_EQ(dctwin::sim::kTailTranches, 3u);
  EXPECT_NEAR(wait_of_the_whole_site_job_s(true), 3000 * std::pow(5.0 / 6, 1.0 / 8), 60);
}

// Small jobs in flight at a boundary hold their nodes until they end whether or not a job
// waits then. One site of 256 GPUs: a job of 24 nodes for five hours; forty one-GPU jobs of
// 3,000 s half a minute into the eighth step, more work than the eight free nodes do by the
// boundary; nothing arrives after them until, a minute into the tenth step, a job that needs
// the eight nodes.
double wait_after_the_load_falls_s(bool aggregated) {
  std::vector<dctwin::sim::TraceJob> trace = {{0, 20 * kStep, 192, 0, 1}};
  for (int k = 0; k < 40; ++k) trace.push_back({7 * kStep + 30 + k, 3000, 1, 0, 0});
  trace.push_back({9 * kStep + 60, 3600, 64, 0, 1});
  return wait_in_the_small_jobs_case_s(aggregated, std::move(trace), 64);
}

TEST(AggregatedTail, AsJobsAJobWaitsForTheSmallJobsStillInFlightAfterTheLoadFalls) {
  // The last of the forty, started at 6,369 s, ends at 9,369 s.
  EXPECT_NEAR(wait_after_the_load_falls_s(false), 1209, 1);
}

TEST(AggregatedTail, SmallJobsInFlightAtABoundaryHoldTheirNodesThoughNothingWaitsThen) {
  // At the eighth step's end the fluid still has the forty jobs' work and no job waits:
  // its GPUs stay held in parts that let go at the quantiles of when such nodes come free,
  // the last 3000 x (5/6)^(1/8) s after that boundary. (Later than as jobs: the fluid takes
  // jobs in flight at a boundary to be at random points of their lives, and these began
  // together.) Letting them all go at the boundary, as before, the job found the next step's
  // small hold in its way and waited for that, counted from its arrival: 2,932 s.
  ASSERT_EQ(dctwin::sim::kTailTranches, 3u);
  EXPECT_NEAR(wait_after_the_load_falls_s(true), 8 * kStep + 3000 * std::pow(5.0 / 6, 1.0 / 8) - (9 * kStep + 60), 60);
}

namespace {

// tests/data/two-sites.yaml with evaluation free to move, its jobs drawn once and given as a
// trace, so that the same jobs arrive whichever site is listed first; aggregated fidelity.
dctwin::sim::Scenario movable_evaluation_trace() {
  auto s = dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/two-sites.yaml");
  s.job_classes[0].may_move = true;
  s.fidelity.aggregated = false;
  dctwin::sim::AggregateArrivals none;
  for (const dctwin::sim::Job& j : dctwin::sim::generate_workload(s, none)) {
    s.trace.push_back({j.submit_s, j.duration_s, j.gpus, j.site, j.job_class});
  }
  s.fidelity.aggregated = true;
  return s;
}

// Where the site of id `id` is listed in `s`.
std::size_t site_index(const dctwin::sim::Scenario& s, const std::string& id) {
  const auto at = std::find_if(s.sites.begin(), s.sites.end(), [&](const auto& site) { return site.id == id; });
  return static_cast<std::size_t>(at - s.sites.begin());
}

// Evaluation at each site, in the order of `ids`: [0, n) the work done, [n, 2n) the jobs
// handed to the site.
std::vector<double> evaluation_by_site_here(const dctwin::sim::Scenario& s, const std::vector<std::string>& ids) {
  const auto r = dctwin::sim::Twin(s).run();
  std::vector<double> out(2 * ids.size(), 0.0);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto& months = r.sites[site_index(s, ids[i])].aggregate;
    for (std::size_t cell = 0; cell < months.size(); cell += s.job_classes.size()) {
      out[i] += months[cell].served_gpu_s;
      out[ids.size() + i] += months[cell].jobs;
    }
  }
  return out;
}

// `measure()`, `n` figures, worked out in a child process: SimGrid allows one engine per
// process. All -1 if the child fails.
template <class Measure>
std::vector<double> in_child(std::size_t n, const Measure& measure) {
  std::vector<double> out(n, -1.0);
  int fds[2];
  if (pipe(fds) != 0) return out;
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    const std::vector<double> mine = measure();
    const auto bytes = static_cast<ssize_t>(mine.size() * sizeof(double));
    _exit(mine.size() == n && write(fds[1], mine.data(), static_cast<std::size_t>(bytes)) == bytes ? 0 : 1);
  }
  close(fds[1]);
  const auto bytes = static_cast<ssize_t>(out.size() * sizeof(double));
  if (child < 0 || read(fds[0], out.data(), static_cast<std::size_t>(bytes)) != bytes) out.assign(out.size(), -1.0);
  close(fds[0]);
  int status = 0;
  if (child > 0) waitpid(child, &status, 0);
  return out;
}

std::vector<double> evaluation_by_site(const dctwin::sim::Scenario& s, const std::vector<std::string>& ids) {
  return in_child(2 * ids.size(), [&] { return evaluation_by_site_here(s, ids); });
}

// Each site's IT energy, jobs run there and the sum of their start times, in the order of `ids`.
std::vector<double> runs_by_site(const dctwin::sim::Scenario& s, const std::vector<std::string>& ids) {
  return in_child(3 * ids.size(), [&] {
    const auto r = dctwin::sim::Twin(s).run();
    std::vector<double> out(3 * ids.size(), 0.0);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const std::size_t at = site_index(s, ids[i]);
      for (const auto& step : r.sites[at].steps) out[i] += step.it_energy_j;
      for (const auto& job : r.jobs) {
        if (job.run_site != at || job.first_start_s < 0) continue;
        out[ids.size() + i] += 1;
        out[2 * ids.size() + i] += job.first_start_s;
      }
    }
    return out;
  });
}

}  // namespace

TEST(AggregatedRouting, TheOrderOfTheSitesDoesNotDecideWhereMovableWorkGoes) {
  // Each home's bin used to be water-filled in turn, raising the waits of the sites it
  // filled, so the site listed last took the most.
  const auto listed = movable_evaluation_trace();
  auto swapped = listed;
  std::swap(swapped.sites[0], swapped.sites[1]);
  for (auto& j : swapped.trace) j.site = static_cast<std::uint16_t>(1 - j.site);
  const std::vector<std::string> ids = {"alpha", "beta"};
  const auto a = evaluation_by_site(listed, ids);
  const auto b = evaluation_by_site(swapped, ids);
  ASSERT_GT(a[0] + a[1], 0);
  EXPECT_NEAR(a[0] + a[1], b[0] + b[1], 1e-6 * (a[0] + a[1]));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    EXPECT_GT(a[i], 0.05 * (a[0] + a[1])) << ids[i];  // both sites take some
    EXPECT_NEAR(a[i], b[i], 0.02 * a[i]) << ids[i];
  }
}

TEST(AggregatedRouting, ASiteListedElsewhereDrawsAndRunsTheSame) {
  // Generated jobs, not a trace: the random streams follow the sites' ids, and nothing the
  // fluid routes depends on the order, so the two lists give each site the same work.
  auto listed = dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/two-sites.yaml");
  listed.job_classes[0].may_move = true;
  listed.fidelity.aggregated = true;
  auto swapped = listed;
  std::swap(swapped.sites[0], swapped.sites[1]);
  const std::vector<std::string> ids = {"alpha", "beta"};
  const auto a = evaluation_by_site(listed, ids);
  const auto b = evaluation_by_site(swapped, ids);
  ASSERT_GT(a[0] + a[1], 0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_GT(a[i], 0) << i;  // both sites serve and are handed evaluation
    EXPECT_NEAR(a[i], b[i], 1e-9 * a[i]) << i;
  }
}

TEST(BrokerRouting, ASiteListedElsewhereRunsTheSameInExactFidelity) {
  // Every job an engine activity. Among sites that would start a job equally soon (often all
  // idle ones) the broker picks the lowest site id, not the site listed first, so the order
  // of the list decides nothing here either.
  // Three sites, so that two away from home can tie: beta and gamma alike.
  auto listed = dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/two-sites.yaml");
  listed.fidelity.aggregated = false;
  listed.sites.push_back(listed.sites[1]);
  listed.sites.back().id = "gamma";
  auto reversed = listed;
  std::reverse(reversed.sites.begin(), reversed.sites.end());
  const std::vector<std::string> ids = {"alpha", "beta", "gamma"};
  const auto a = runs_by_site(listed, ids);
  const auto b = runs_by_site(reversed, ids);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_GT(a[i], 0) << i;
    EXPECT_NEAR(a[i], b[i], 1e-9 * a[i]) << i;
  }
}

TEST(AggregatedRouting, WorkWithADataSetMovesOnlyWhereItWaitsLessBeyondTheTransfer) {
  // The same jobs as above. Evaluation's jobs handed to each site, against those homed there.
  auto s = movable_evaluation_trace();
  const std::vector<std::string> ids = {"alpha", "beta"};
  std::vector<double> homed(2, 0.0);
  for (const auto& j : s.trace) {
    if (j.job_class == 0) homed[j.site] += 1;
  }
  // Free to move, evaluation leaves busy alpha for beta.
  const auto free = evaluation_by_site(s, ids);
  EXPECT_GT(free[3], homed[1] + 1000);
  // A data set that takes 93 days over the WAN, longer than the run: no wait at alpha is
  // that long, so nothing moves, and every job is handed to its home whole. (With one of
  // 22 hours, 66 jobs moved: when discrete jobs hold all of alpha, its small work's expected
  // wait is its queue over one GPU.)
  s.job_classes[0].dataset_gb = 1e8;
  const auto heavy = evaluation_by_site(s, ids);
  EXPECT_DOUBLE_EQ(heavy[2], homed[0]);
  EXPECT_DOUBLE_EQ(heavy[3], homed[1]);
}

namespace {

// tests/data/two-sites.yaml with a trace: at alpha a pre-training job holds
// half the site for 10 h and one of the whole site, 4 h long, waits behind it (4 h of queue
// over alpha's GPUs); beta is full for two hours with nothing queued. An evaluation job of one
// GPU and 10 minutes, free to move, arrives at alpha 100 s into the second hour: by the queue
// per GPU beta looks quicker (its GPUs free in 3,500 s, alpha's queue is 14,400 s), yet at
// alpha EASY starts it at once, as it ends long before the head's reservation.
dctwin::sim::Scenario queue_ahead_but_room_now(bool aggregated) {
  auto s = dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/two-sites.yaml");
  s.job_classes[0].may_move = true;   // evaluation
  s.job_classes[1].may_move = false;  // pre-training stays where the trace puts it
  s.fidelity.aggregated = aggregated;
  s.trace = {{0, 36000, 128, 0, 1}, {0, 7200, 256, 1, 1}, {10, 14400, 256, 0, 1}, {3700, 600, 1, 0, 0}};
  return s;
}

}  // namespace

TEST(BrokerRouting, AJobGoesWhereItWouldStartAtOnceWhateverTheQueueThere) {
  // The evaluation job's site and wait, in exact fidelity. Weighing the queue alone sent it to
  // beta, where it waited 3,500 s for the pre-training job to end.
  const auto out = in_child(2, [] {
    const auto r = dctwin::sim::Twin(queue_ahead_but_room_now(false)).run();
    for (const auto& j : r.jobs) {
      if (j.job.job_class == 0) return std::vector<double>{static_cast<double>(j.run_site), j.first_start_s - j.job.submit_s};
    }
    return std::vector<double>{-1, -1};
  });
  EXPECT_EQ(out[0], 0) << "it runs at alpha, its home";
  EXPECT_NEAR(out[1], 0, 1e-6) << "and starts on arrival";
}

TEST(AggregatedRouting, ALongSmallJobGoesWhereItWouldStartAtOnce) {
  // The same with the evaluation job two hours long, held from step to step rather than short
  // work. By the expected waits alone it went to beta and waited there for the pre-training
  // job to end; at alpha it starts at once, as it ends before the head's reservation.
  auto s = queue_ahead_but_room_now(true);
  s.fidelity.small_max_h = 3;
  s.trace.back().duration_s = 7200;
  const auto at = evaluation_by_site(s, {"alpha", "beta"});
  EXPECT_DOUBLE_EQ(at[2], 1) << "the job is handed to alpha";
  EXPECT_DOUBLE_EQ(at[3], 0);
  EXPECT_NEAR(at[0], 7200, 1e-6) << "and served there";
}

TEST(AggregatedRouting, ShortWorkTakesSpareGpusBeforeWaitingWhereTheQueueIsShorter) {
  // The same in aggregated fidelity: the evaluation job is short work, kept at home on alpha's
  // spare GPUs; by the expected waits alone it went to beta.
  const auto s = queue_ahead_but_room_now(true);
  const auto at = evaluation_by_site(s, {"alpha", "beta"});
  EXPECT_DOUBLE_EQ(at[2], 1) << "the job is handed to alpha";
  EXPECT_DOUBLE_EQ(at[3], 0);
  EXPECT_NEAR(at[0], 600, 1e-6) << "and served there";
}

namespace {

// tests/data/two-sites.yaml with a trace: pre-training jobs hold 192 of alpha's 256 GPUs and
// 128 of beta's for ten hours. In one step twenty debug jobs of 8 GPUs, which stay home at a
// class below the movable ones, arrive at alpha: 96,000 GPU-seconds for the 57,600 its free
// GPUs do in a step, so they wait for whole nodes. In the same step come, homed at alpha and
// free to move, ten evaluation jobs of one GPU and two of 8 GPUs, ten minutes each. Returns,
// per class of evaluation (0: one GPU, 3: 8 GPUs), the jobs handed to alpha and to beta, then
// evaluation's jobs that waited at alpha and debug's mean wait there (s).
std::vector<double> sizes_routed_past_waiting_debug() {
  return in_child(6, [] {
    auto s = dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/two-sites.yaml");
    s.fidelity.aggregated = true;
    s.job_classes[0].may_move = true;   // evaluation
    s.job_classes[1].may_move = false;  // pre-training stays where the trace puts it
    dctwin::sim::JobClass debug = s.job_classes[0];
    debug.id = "debug";
    debug.may_move = false;
    dctwin::sim::JobClass evaluation_8 = s.job_classes[0];
    evaluation_8.id = "evaluation-8";
    s.job_classes.push_back(debug);         // 2
    s.job_classes.push_back(evaluation_8);  // 3
    const double step_s = s.fidelity.step_s;
    const double at = 4 * step_s;
    s.trace = {{0, 36000, 192, 0, 1}, {0, 36000, 128, 1, 1}};
    for (int i = 0; i < 20; ++i) s.trace.push_back({at + 10 + 40.0 * i, 600, 8, 0, 2});
    for (int i = 0; i < 10; ++i) s.trace.push_back({at + 15 + 80.0 * i, 600, 1, 0, 0});
    for (int i = 0; i < 2; ++i) s.trace.push_back({at + 20 + 400.0 * i, 600, 8, 0, 3});
    std::stable_sort(s.trace.begin(), s.trace.end(), [](const auto& a, const auto& b) { return a.submit_s < b.submit_s; });
    const auto r = dctwin::sim::Twin(s).run();
    const std::size_t classes = s.job_classes.size();
    std::vector<double> out(6, 0.0);
    for (std::size_t site = 0; site < 2; ++site) {
      const auto& months = r.sites[site_index(s, site == 0 ? "alpha" : "beta")].aggregate;
      for (std::size_t cell = 0; cell < months.size(); cell += classes) {
        out[site] += months[cell].jobs;
        out[2 + site] += months[cell + 3].jobs;
      }
    }
    out[4] = of_class(r, 0, classes).waited;
    out[5] = of_class(r, 2, classes).mean_wait_h() * 3600;
    return out;
  });
}

}  // namespace

TEST(AggregatedRouting, JobsSmallerThanANodeStartWhereTheSitesOwnJobsOfANodeWait) {
  // As jobs, alpha's debug jobs wait for whole nodes and the one-GPU evaluation jobs start at
  // once on what is left free beside them; the 8-GPU ones would wait as debug's do, and go
  // to beta, which has room. Before the routing weighed the two sizes apart, alpha's waiting
  // debug work took its whole spare and every evaluation job went to beta.
  const auto out = sizes_routed_past_waiting_debug();
  EXPECT_GT(out[5], 0) << "debug's jobs wait at alpha";
  EXPECT_DOUBLE_EQ(out[0], 10) << "one-GPU evaluation jobs stay at alpha";
  EXPECT_DOUBLE_EQ(out[1], 0);
  EXPECT_DOUBLE_EQ(out[4], 0) << "and start there at once";
  EXPECT_DOUBLE_EQ(out[2], 0) << "8-GPU evaluation jobs go to beta";
  EXPECT_DOUBLE_EQ(out[3], 2);
}
