// Aggregated fidelity: small jobs as a fluid load beside the discrete jobs. Jobs no longer
// than an aggregate step are work that the fluid's GPUs do within a step; longer ones hold
// their GPUs from step to step until their run ends.
#include "site_scheduler.h"

#include "broker.h"
#include "held_placement.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

namespace dctwin::sim::engine {

HeldSplit split_held(const std::vector<Slice>& slices, int sub_node_gpus) {
  HeldSplit split;
  std::vector<int> held(slices.size(), 0);
  for (bool took = true; sub_node_gpus > 0 && took;) {
    took = false;
    for (std::size_t i = 0; i < slices.size() && sub_node_gpus > 0; ++i) {
      if (held[i] == slices[i].gpus) continue;
      ++held[i];
      --sub_node_gpus;
      took = true;
    }
  }
  for (std::size_t i = 0; i < slices.size(); ++i) {
    if (held[i] > 0) split.held.push_back({slices[i].node, held[i]});
    if (slices[i].gpus > held[i]) split.short_work.push_back({slices[i].node, slices[i].gpus - held[i]});
  }
  return split;
}

namespace {
namespace sg4 = simgrid::s4u;
constexpr double kTimeEpsilon_s = 1e-6;
constexpr int kTopPriority = std::numeric_limits<int>::max();  // running work that lost its GPUs

// Passes an order through, counting the GPUs of the running work it has handed out, so that
// a reservation and the GPUs free by then come from one walk of the running work.
class GpusWalked final : public EndOrder {
 public:
  explicit GpusWalked(EndOrder& order) : order_(order) {}
  void rewind() override {
    order_.rewind();
    started_ = true;
    gpus_ = 0;
  }
  const RunningJob* next() override {
    const RunningJob* r = order_.next();
    if (r != nullptr) {
      for (const Slice& s : r->slices) gpus_ += s.gpus;
    }
    return r;
  }
  bool started() const { return started_; }
  int gpus() const { return gpus_; }

 private:
  EndOrder& order_;
  bool started_ = false;
  int gpus_ = 0;
};

// GPUs that do `work_gpu_s` in `seconds` at full clock; capped, as an overloaded site's
// backlog over a moment would not fit an int.
int gpus_to_do(double work_gpu_s, double seconds) {
  return work_gpu_s > 0 ? static_cast<int>(std::min(std::ceil(work_gpu_s / seconds - 1e-9), 1e9)) : 0;
}
}  // namespace

// At an aggregate step boundary: the last step's short work is done with its GPUs, long
// holds whose runs end in this step let go of their GPUs (their last part is short work of
// the step), and the small jobs arriving in the step now beginning join the queue: one batch
// per priority level, taken to arrive at the step's middle, whose short work the fluid
// spreads over the step (as jobs arriving through the step and starting as they arrive would
// use it).
void SiteScheduler::aggregate_boundary(double now) {
  const double step = scenario_.fidelity.step_s;
  std::vector<Slice> ending;
  if (aggregate_running_ && now >= aggregate_plan_.expected_end_s - kTimeEpsilon_s) ending = end_step_hold(now);
  const auto current = static_cast<std::size_t>(now / step + kTimeEpsilon_s);
  if (held_.due(current)) release_long_due(current, now);
  drop_unserved(current);
  const std::size_t classes = small_.classes;
  // A step's arrivals are a few batches: found by a look along them, queued in key order.
  std::vector<std::pair<std::tuple<std::size_t, int, bool>, Batch>>& batches = arriving_;
  batches.clear();
  auto batch = [&](std::size_t bin, std::size_t job_class) -> Batch& {
    const JobClass& jc = scenario_.job_classes[job_class];
    const std::tuple<std::size_t, int, bool> key{bin, class_levels_[job_class], jc.served};
    auto at = std::find_if(batches.begin(), batches.end(), [&](const auto& kb) { return kb.first == key; });
    if (at == batches.end()) at = batches.insert(batches.end(), {key, Batch{}});
    Batch& b = at->second;
    if (b.jobs.empty()) {
      b.arrive_s = (static_cast<double>(bin) + 0.5) * step;
      b.jobs.assign(classes, 0);
      b.gpu_s.assign(classes, 0);
      b.served = jc.served;
    }
    return b;
  };
  // In step and class order, whichever home's routing handed them first, so that the
  // batches' sums don't hang on the order of the sites.
  std::stable_sort(small_inbox_.begin(), small_inbox_.end(), [](const SmallArrival& x, const SmallArrival& y) {
    return std::tie(x.bin, x.job_class) < std::tie(y.bin, y.job_class);
  });
  for (const SmallArrival& in : small_inbox_) {
    Batch& b = batch(in.bin, in.job_class);
    b.jobs[in.job_class] += in.jobs;
    b.gpu_s[in.job_class] += in.gpu_s;
    b.total_gpu_s += in.gpu_s;
    b.node_sized_gpu_s += in.node_sized_gpu_s;
    const auto month = static_cast<std::size_t>(calendar_.month_index_at(b.arrive_s));
    auto& m = series_.aggregate[month * classes + in.job_class];
    m.jobs += in.jobs;
    m.work_gpu_s += in.gpu_s;
  }
  for (const LongSmallJob& j : long_inbox_) {
    batch(static_cast<std::size_t>(j.submit_s / step), j.job_class).long_jobs.push_back(j);
    ++level_books_[class_levels_[j.job_class]].long_jobs;
    const double work = j.gpus * static_cast<double>(j.duration_s);
    auto& m = series_.aggregate[static_cast<std::size_t>(calendar_.month_index_at(j.submit_s)) * classes + j.job_class];
    m.jobs += 1;
    m.work_gpu_s += work;
    long_waiting_gpu_s_ += work;
    note_long_waiting(j.gpus, j.job_class, +1);
  }
  small_inbox_.clear();
  long_inbox_.clear();
  inbox_gpu_s_ = 0;
  inbox_long_gpu_s_ = 0;
  inbox_long_gpus_ = 0;
  node_sized_below_.inbox_gpu_s = 0;
  node_sized_below_.inbox_long_gpus = 0;
  std::sort(batches.begin(), batches.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  for (auto& [key, b] : batches) {
    b.left_gpu_s = b.total_gpu_s;
    add_work(std::get<1>(key), b);
    backlog_[std::get<1>(key)].push_back(std::move(b));
  }
  keep_tail(now, std::move(ending));
}

// The hold's GPUs did `g × Δprogress` GPU-seconds of work since it was last set (a throttled
// clock serves less); that work is served and the hold's count starts again from `now`.
void SiteScheduler::serve_hold_until(double now) {
  account_it_energy(now);
  account_busy(now);
  serve(aggregate_gpus_ * (progress_s(now) - aggregate_progress_start_s_), aggregate_since_s_, now, hold_spare_gpus_);
  aggregate_since_s_ = now;
  aggregate_progress_start_s_ = progress_s(now);
}

void SiteScheduler::serve_fluid_until(double now) {
  if (aggregate_running_ && aggregate_since_s_ < now - kTimeEpsilon_s) serve_hold_until(now);
}

std::vector<Slice> SiteScheduler::end_step_hold(double now) {
  serve_hold_until(now);
  std::vector<Slice> ending = std::move(aggregate_plan_.slices);
  aggregate_plan_.slices.clear();
  aggregate_gpus_ = tail_gpus_;
  aggregate_running_ = tail_gpus_ > 0;
  aggregate_plan_.expected_end_s = next_boundary_s(now, scenario_.fidelity.step_s);
  return ending;
}

// Small jobs running at a boundary hold their GPUs until they end, and a node of them is free
// only once the last has ended (node_free_s_), whether or not a discrete job waits then: one
// arriving later in the step finds them still running where the load has fallen. Before the
// discrete jobs are placed:
// - if a discrete job began to wait in the step now ending, the small jobs that were in flight
//   then run on to their own ends (EASY holds to its reservation only the jobs that start
//   while it waits): of the GPUs the short work had then, equal parts taken node by node let
//   go at node_free_s_ after that moment;
// - of the rest, as many as the jobs' work keeps busy stay held, in equal parts until
//   node_free_s_ from now, but, while a discrete job waits, not past its reservation beyond
//   the GPUs it won't need then.
// The other GPUs are free now.
void SiteScheduler::keep_tail(double now, std::vector<Slice> ending) {
  int ending_gpus = 0;
  for (const Slice& sl : ending) ending_gpus += sl.gpus;
  const double step = scenario_.fidelity.step_s;
  // A served load has no jobs to stay in flight: only the jobs' work keeps GPUs busy.
  const double jobs_work = jobs_left_gpu_s();
  const int busy = gpus_to_do(jobs_work, step);
  const DiscreteHead head = discrete_head();
  std::size_t next = 0;  // the first of `ending`'s slices not yet all in the tail
  int kept = 0;
  // Parts of `gpus` GPUs each, from `ending` in order (so a node's GPUs stay together), ending
  // at end_of(k); a part already over is not kept.
  auto keep_parts = [&](int gpus, auto end_of) {
    const int parts = static_cast<int>(node_free_s_.size());
    for (int q = 0; q < parts; ++q) {
      int want = gpus / parts + (q < gpus % parts ? 1 : 0);
      RunningJob part{end_of(q, want), {}};
      if (part.expected_end_s <= now + kTimeEpsilon_s) continue;
      while (want > 0 && next < ending.size()) {
        Slice& sl = ending[next];
        const int take = std::min(want, sl.gpus);
        part.slices.push_back({sl.node, take});
        kept += take;
        sl.gpus -= take;
        want -= take;
        if (sl.gpus == 0) ++next;
      }
      if (!part.slices.empty()) add_tail_part(std::move(part));
    }
  };
  if (node_free_s_.back() > kTimeEpsilon_s) {
    account_it_energy(now);
    account_busy(now);
    const bool began_in_step = head.any && head.job == waiting_head_ && waiting_since_s_ > now - step + kTimeEpsilon_s;
    if (began_in_step && waiting_hold_gpus_ > 0) {
      keep_parts(std::min(ending_gpus, waiting_hold_gpus_),
                 [&](int q, int) { return waiting_since_s_ + node_free_s_[static_cast<std::size_t>(q)]; });
    }
    const int keep = std::min(ending_gpus - kept, std::max(0, busy - tail_gpus_ - kept));
    if (keep > 0) {
      HeadRoom room;  // with no discrete job waiting, no reservation to end the parts by
      if (head.any) {
        // The head's reservation as it stands with the rest of the ending GPUs free.
        std::vector<Slice> rest(ending.begin() + static_cast<std::ptrdiff_t>(next), ending.end());
        pool_.give(rest);
        room = head_room(head, now);  // the parts kept so far count as running
        pool_.take(rest);
      }
      int extra = room.extra_gpus;
      keep_parts(keep, [&](int q, int want) {
        double end = now + node_free_s_[static_cast<std::size_t>(q)];
        if (end > room.shadow_s) {
          if (extra >= want) extra -= want;
          else end = room.shadow_s;
        }
        return end;
      });
    }
    tail_gpus_ += kept;
    aggregate_gpus_ += kept;
    aggregate_running_ = aggregate_gpus_ > 0;
  }
  std::erase_if(ending, [](const Slice& sl) { return sl.gpus == 0; });
  if (!ending.empty()) {
    account_it_energy(now);
    account_busy(now);
    pool_.give(ending);
  }
}

// Kept in order of release; of equal times, the one added first goes first.
void SiteScheduler::add_tail_part(RunningJob part) {
  const auto by_end = [](const RunningJob& a, const RunningJob& b) { return a.expected_end_s < b.expected_end_s; };
  tail_.insert(std::upper_bound(tail_.begin(), tail_.end(), part, by_end), std::move(part));
}

// Tranches of the tail whose time is up let go of their GPUs; the hold goes on with the rest.
void SiteScheduler::release_tail_due(double now) {
  if (tail_.empty() || tail_.front().expected_end_s > now + kTimeEpsilon_s) return;
  serve_hold_until(now);
  std::size_t due = 0;
  for (; due < tail_.size() && tail_[due].expected_end_s <= now + kTimeEpsilon_s; ++due) {
    int gpus = 0;
    for (const Slice& sl : tail_[due].slices) gpus += sl.gpus;
    pool_.give(tail_[due].slices);
    tail_gpus_ -= gpus;
    aggregate_gpus_ -= gpus;
  }
  tail_.erase(tail_.begin(), tail_.begin() + static_cast<std::ptrdiff_t>(due));
  aggregate_running_ = aggregate_gpus_ > 0;
  rebalance(now);
}

// A served load's step is over: what it didn't get is dropped (requests not served in time),
// by class in proportion to its work in the batch.
void SiteScheduler::drop_unserved(std::size_t current_step) {
  const double step = scenario_.fidelity.step_s;
  const std::size_t classes = small_.classes;
  for (const int level : served_levels_) {
    const auto at = backlog_.find(level);
    if (at == backlog_.end()) continue;
    auto& [priority, queue] = *at;
    for (Batch& b : queue) {
      if (!b.served || b.left_gpu_s <= 0 || static_cast<std::size_t>(b.arrive_s / step) >= current_step) continue;
      const auto month = static_cast<std::size_t>(calendar_.month_index_at(b.arrive_s));
      for (std::size_t c = 0; c < classes; ++c) {
        if (b.gpu_s[c] <= 0) continue;
        const double share = b.gpu_s[c] / b.total_gpu_s;
        series_.aggregate[month * classes + c].served_gpu_s += (b.total_gpu_s - b.left_gpu_s) * share;
        series_.aggregate[month * classes + c].unserved_gpu_s += b.left_gpu_s * share;
      }
      take_work(priority, b, b.left_gpu_s);
    }
    pop_done(priority, queue);
  }
}

void SiteScheduler::admit_small(std::size_t bin, std::size_t job_class, double jobs, double gpu_s,
                                double node_sized_gpu_s) {
  small_inbox_.push_back({bin, job_class, jobs, gpu_s, node_sized_gpu_s});
  inbox_gpu_s_ += gpu_s;
  if (below_movable(job_class)) node_sized_below_.inbox_gpu_s += node_sized_gpu_s;
}

void SiteScheduler::admit_long(const LongSmallJob& job) {
  long_inbox_.push_back(job);
  const double work = job.gpus * static_cast<double>(job.duration_s);
  inbox_gpu_s_ += work;
  inbox_long_gpu_s_ += work;
  inbox_long_gpus_ += job.gpus;
  if (job.gpus >= gpus_per_node_ && below_movable(job.job_class)) node_sized_below_.inbox_long_gpus += job.gpus;
}

// The discrete job that heads the queue: the first that could start under today's power
// budget (one that can't doesn't hold up the others, see schedule()).
SiteScheduler::DiscreteHead SiteScheduler::discrete_head() const {
  DiscreteHead head;
  const int slowest = gpu_.pstate_count() - 1;
  for (const auto& [neg_priority, submit, job] : queue_) {
    const int gpus = records_[job].job.gpus;
    if (it_power_w(slowest, powered_count_, gpus) > it_budget_w_) continue;
    head = {true, -neg_priority, submit, gpus, job};
    break;
  }
  return head;
}

void SiteScheduler::note_waiting_head(std::uint32_t job, double now) {
  if (job == waiting_head_) return;
  waiting_head_ = job;
  waiting_since_s_ = now;
  waiting_hold_gpus_ = aggregate_running_ ? aggregate_gpus_ - tail_gpus_ : 0;
}

// Small jobs are ahead of the discrete head in queue order when of a higher priority, or of
// its priority and arrived before it.
bool SiteScheduler::ahead_of(const DiscreteHead& head, int priority, const Batch& b) const {
  if (!head.any) return true;
  return priority > head.priority || (priority == head.priority && b.arrive_s <= head.submit_s);
}

// What EASY leaves behind the discrete head: its reservation, and the GPUs free then beyond
// what it needs (first come, first served: nothing).
SiteScheduler::HeadRoom SiteScheduler::head_room(const DiscreteHead& head, double now) {
  HeadRoom room;
  if (!head.any) return room;
  if (scenario_.scheduling.policy != SchedulingPolicy::kEasyBackfill) {
    room.shadow_s = now;
    return room;
  }
  RunningEndOrder by_end = running_by_end(head.priority);
  GpusWalked walked(by_end);
  room.shadow_s = easy_.shadow_time(pool_, walked, head.gpus, now);
  // What EASY walked ended by the reservation; the order is by end, so the rest of what ends
  // by then comes next.
  int free_then = pool_.usable_nodes() * gpus_per_node_ - pool_.busy_gpus() + walked.gpus();
  if (!walked.started()) by_end.rewind();
  for (const RunningJob* r = by_end.next(); r != nullptr && r->expected_end_s <= room.shadow_s; r = by_end.next()) {
    for (const Slice& s : r->slices) free_then += s.gpus;
  }
  room.extra_gpus = std::max(0, free_then - head.gpus);
  return room;
}

// The GPUs that do by the boundary (`to_boundary_s` away) the short work of its level that
// arrived before a long job submitted at `submit_s` in batch `b`: `earlier_gpu_s` of the
// batches before it, and of `b` the work left that arrived by then (a batch's jobs arrive
// evenly over its step and are served in arrival order, so what is left arrived last).
int SiteScheduler::gpus_for_short_before(const Batch& b, double submit_s, double earlier_gpu_s,
                                         double to_boundary_s) const {
  if (to_boundary_s <= kTimeEpsilon_s) return 0;
  const double step = scenario_.fidelity.step_s;
  const double arrived = std::clamp((submit_s - (b.arrive_s - 0.5 * step)) / step, 0.0, 1.0);
  const double work = earlier_gpu_s + std::max(0.0, b.left_gpu_s - b.total_gpu_s * (1.0 - arrived));
  return gpus_to_do(work, to_boundary_s);
}

// Once per call of a pass (ahead of the discrete head, then the rest): starts the long small
// jobs that fit in `capacity` free GPUs, highest priority first, in arrival order within a
// level, skipping those that don't fit (first fit); a job of a node or more needs as many
// whole free nodes, as a job would. Behind the head they start only if they end by its EASY
// reservation or use GPUs it won't need then (FCFS: not at all). Returns the GPUs they took;
// the caller places them.
int SiteScheduler::start_long(double now, int capacity, bool ahead_only, const DiscreteHead& head,
                              const std::function<HeadRoom&()>& room_now,
                              const std::function<void(int, const std::deque<Batch>&, int&)>& after_level,
                              int& sub_node_gpus) {
  sub_node_gpus = 0;
  const double step = scenario_.fidelity.step_s;
  double& planned = long_planned_at_s_[ahead_only ? 0 : 1];
  const bool may_start = planned != now && long_waiting_gpu_s_ > 0;
  planned = now;
  const std::size_t classes = small_.classes;
  HeadRoom none;
  HeadRoom& room = may_start && !ahead_only && head.any ? room_now() : none;
  const double shadow = room.shadow_s;
  int& extra = room.extra_gpus;  // used up as held jobs take them (and the short work behind the head)
  int whole_nodes = pool_.fully_free_nodes();  // used up as held jobs of a node or more take them
  int taken = 0;
  for (auto& [priority, queue] : backlog_) {
    LevelBooks& level = level_books_[priority];
    int& long_jobs = level.long_jobs;
    // Long jobs only join new batches at the back, so the leading batches without any stay so
    // until they are gone; an overloaded level has thousands of them.
    std::size_t& skip = level.batches_before_long;
    while (skip < queue.size() && queue[skip].long_jobs.empty()) ++skip;
    // First come, first served within the level: a long job leaves the GPUs free to the short
    // work that arrived before it, as many as do that work by the boundary.
    double short_before_gpu_s = 0;  // of the batches before the one looked at
    if (capacity > 0 && may_start && long_jobs > 0) {
      short_before_gpu_s = level.left_gpu_s;
      for (auto at = queue.begin() + static_cast<std::ptrdiff_t>(skip); at != queue.end(); ++at)
        short_before_gpu_s -= at->left_gpu_s;
      short_before_gpu_s = std::max(0.0, short_before_gpu_s);
    }
    const double to_boundary_s = next_boundary_s(now, step) - now;
    for (auto at = queue.begin() + static_cast<std::ptrdiff_t>(skip); at != queue.end(); ++at) {
      Batch& b = *at;
      if (capacity <= 0 || !may_start || long_jobs == 0) break;
      const bool ahead = ahead_of(head, priority, b);
      if (ahead_only && !ahead) break;  // later batches of the level are behind too
      auto keep = b.long_jobs.begin();
      for (auto it = b.long_jobs.begin(); it != b.long_jobs.end(); ++it) {
        const bool past_reservation = !ahead && now + it->duration_s > shadow;
        const int nodes = it->gpus >= gpus_per_node_ ? it->gpus / gpus_per_node_ : 0;
        const int for_short_before = gpus_for_short_before(b, it->submit_s, short_before_gpu_s, to_boundary_s);
        if (it->gpus > capacity - for_short_before || (past_reservation && it->gpus > extra) || nodes > whole_nodes) {
          *keep++ = *it;
          continue;
        }
        if (past_reservation) extra -= it->gpus;
        --long_jobs;
        whole_nodes -= nodes;
        capacity -= it->gpus;
        taken += it->gpus;
        if (it->gpus < gpus_per_node_) sub_node_gpus += it->gpus;
        const double d = it->duration_s;
        const double end = now + d;
        const auto release = static_cast<std::size_t>(end / step + kTimeEpsilon_s);
        (it->gpus < gpus_per_node_ ? started_sub_node_ : started_whole_)
            .push_back({release, it->gpus, it->gpus * (end - static_cast<double>(release) * step)});
        long_waiting_gpu_s_ -= it->gpus * d;
        note_long_waiting(it->gpus, it->job_class, -1);
        const auto month = static_cast<std::size_t>(calendar_.month_index_at(now));
        series_.aggregate[month * classes + it->job_class].add_wait(now - it->submit_s, 1.0);
        add_served(it->job_class, 1, it->gpus * d, now, end);
      }
      b.long_jobs.erase(keep, b.long_jobs.end());
      short_before_gpu_s += b.left_gpu_s;
    }
    after_level(priority, queue, capacity);  // the level's short work, before lower levels
    pop_done(priority, queue);
  }
  return taken;
}

// Work (of jobs already counted as served) that must still be done: first in line. Jobs that
// lost their GPUs wait again for all of it at once. The last parts of held jobs (`running`)
// are work of jobs still running on their GPUs beside the new arrivals, not waiting ahead of
// them: it comes in over the step, as a batch's arrivals do.
void SiteScheduler::requeue_work(double gpu_s, double now, bool running) {
  if (gpu_s <= 0) return;
  Batch b;
  b.arrive_s = running ? now + 0.5 * scenario_.fidelity.step_s : now;
  b.running = running;
  b.jobs.assign(small_.classes, 0);
  b.gpu_s.assign(small_.classes, 0);
  b.total_gpu_s = b.left_gpu_s = gpu_s;
  b.counted = true;
  add_work(kTopPriority, b);
  backlog_[kTopPriority].push_front(std::move(b));
  ++level_books_[kTopPriority].batches_before_long;  // it has none
}

// A batch's work joins the books (the backlog's, its level's and the jobs' units) as it
// joins the queue, and leaves them as it is done: one place keeps the three alike.
void SiteScheduler::add_work(int priority, const Batch& b) {
  count_jobs_left(b, 0);
  backlog_gpu_s_ += b.left_gpu_s;
  LevelBooks& level = level_books_[priority];
  level.left_gpu_s += b.left_gpu_s;
  level.node_sized_left_gpu_s += b.left_gpu_s * node_sized_share(b);
}

void SiteScheduler::take_work(int priority, Batch& b, double gpu_s) {
  const double left_before = b.left_gpu_s;
  b.left_gpu_s -= gpu_s;
  count_jobs_left(b, left_before);
  backlog_gpu_s_ = std::max(0.0, backlog_gpu_s_ - gpu_s);
  LevelBooks& level = level_books_[priority];
  level.left_gpu_s = std::max(0.0, level.left_gpu_s - gpu_s);
  level.node_sized_left_gpu_s = std::max(0.0, level.node_sized_left_gpu_s - gpu_s * node_sized_share(b));
}

// A batch's jobs of each size are served alike, so what is left of it keeps its share.
double SiteScheduler::node_sized_share(const Batch& b) {
  return b.total_gpu_s > 0 ? std::min(1.0, b.node_sized_gpu_s / b.total_gpu_s) : 0.0;
}

void SiteScheduler::count_jobs_left(const Batch& b, double left_before) {
  if (b.served) return;
  jobs_left_units_ += work_units(b.left_gpu_s) - work_units(left_before);
}

void SiteScheduler::pop_done(int priority, std::deque<Batch>& queue) {
  LevelBooks& level = level_books_[priority];
  while (!queue.empty() && queue.front().done()) {
    Batch& gone = queue.front();
    const double rounding_left = gone.left_gpu_s;
    gone.left_gpu_s = 0;
    count_jobs_left(gone, rounding_left);
    queue.pop_front();
    if (level.batches_before_long > 0) --level.batches_before_long;
  }
  if (!queue.empty()) return;
  level.left_gpu_s = 0;  // what rounding left
  level.node_sized_left_gpu_s = 0;
}

std::int64_t SiteScheduler::work_units(double gpu_s) { return std::llround(std::ldexp(gpu_s, 10)); }

double SiteScheduler::jobs_left_gpu_s() const { return std::ldexp(static_cast<double>(jobs_left_units_), -10); }

void SiteScheduler::release_long_due(std::size_t step_index, double now) {
  account_it_energy(now);
  double work = 0;
  const std::vector<Slice> freed = held_.release(step_index, work);
  if (!freed.empty()) {
    account_busy(now);
    pool_.give(freed);
  }
  requeue_work(work, now, true);
}

// Every long hold loses its GPUs; the jobs' work left goes back to the front of the queue.
void SiteScheduler::drop_long(double now) {
  account_it_energy(now);
  account_busy(now);
  double work = 0;
  pool_.give(held_.drop_all(now, work));
  requeue_work(work, now);
}

// A node going down: the long holds on it move to free GPUs elsewhere, as far as there are,
// each keeping its end; the rest lose their GPUs, and their jobs' work waits again.
void SiteScheduler::move_long_off(std::uint32_t node, double now) {
  const HeldJobs::OffNode off = held_.take_off(node);
  if (off.gpus == 0) return;
  account_busy(now);
  account_it_energy(now);
  std::vector<Slice> elsewhere;
  for (const Slice& s : pool_.place_spread(off.gpus)) {
    if (s.node != node) elsewhere.push_back(s);
  }
  pool_.take(elsewhere);
  pool_.give(off.slices);
  requeue_work(held_.rehome(off, elsewhere, now), now);
}

// Served work of a class over [from, to), split over the months it spans.
void SiteScheduler::add_served(std::size_t job_class, double jobs, double gpu_s, double from_s, double to_s) {
  const std::size_t classes = small_.classes;
  const double end = std::min(to_s, horizon_s_);
  const int first = calendar_.month_index_at(std::min(from_s, horizon_s_ - 1));
  series_.aggregate[static_cast<std::size_t>(first) * classes + job_class].served_jobs += jobs;
  if (end <= from_s) {
    series_.aggregate[static_cast<std::size_t>(first) * classes + job_class].served_gpu_s += gpu_s;
    return;
  }
  const double rate = gpu_s / (to_s - from_s);
  for (int m = first; static_cast<std::size_t>(m) * classes < series_.aggregate.size(); ++m) {
    const double lo = std::max(from_s, calendar_.month_start_seconds(m));
    const double hi = std::min(end, calendar_.month_start_seconds(m + 1));
    if (hi <= lo) break;
    series_.aggregate[static_cast<std::size_t>(m) * classes + job_class].served_gpu_s += rate * (hi - lo);
  }
}

// The GPUs left free beside the hold, on which the small jobs of its backlog would start at
// once (`free_now`, within the power budget): all of them with no discrete job waiting or
// its reservation beyond the boundary, else those the head won't need then (EASY; none under
// FCFS). They pace the jobs' starts in `serve`, not the work the hold does, nor its energy.
void SiteScheduler::note_hold_spare(const DiscreteHead& head, bool head_blocks, double end, int free_now,
                                    const std::function<HeadRoom&()>& room_now) {
  if (!head.any) {
    hold_spare_gpus_ = free_now;
  } else if (head_blocks) {
    hold_spare_gpus_ = 0;
  } else {
    const HeadRoom& room = room_now();
    hold_spare_gpus_ = room.shadow_s >= end - kTimeEpsilon_s ? free_now : std::min(free_now, std::max(0, room.extra_gpus));
  }
}

// Holds free GPUs (within the power budget at the slowest clock) for the long small jobs
// that fit, then, until the next boundary, as many as the short work needs at full clock.
// Called twice a pass: for the small jobs ahead of the discrete head in queue order before
// the discrete jobs are placed, and for the rest after; the second call adds to the first.
void SiteScheduler::start_aggregate(double now, bool ahead_only) {
  const double end = next_boundary_s(now, scenario_.fidelity.step_s);
  if (end - now <= kTimeEpsilon_s) return;
  int free_gpus = pool_.usable_nodes() * gpus_per_node_ - pool_.busy_gpus();
  const int slowest = gpu_.pstate_count() - 1;
  while (free_gpus > 0 && it_power_w(slowest, powered_count_, pool_.busy_gpus() + free_gpus) > it_budget_w_)
    --free_gpus;
  if (free_gpus <= 0) {
    hold_spare_gpus_ = 0;
    return;
  }
  const DiscreteHead head = discrete_head();
  const bool adding = aggregate_running_;  // to the first call's hold, at this same instant
  const int held = adding ? aggregate_gpus_ : 0;  // the tail's too: topped up as it lets go
  // Level by level, highest first: its long jobs, then GPUs for its short work at full
  // clock until the boundary (the short work of every level so far, less what is held).
  double ahead_work = 0, behind_work = 0;
  int want = 0;
  // Under FCFS nothing passes a discrete head that waits, short work included.
  const bool head_blocks = head.any && scenario_.scheduling.policy != SchedulingPolicy::kEasyBackfill;
  // Behind a head that waits, work runs only until its reservation or on GPUs it won't need
  // then (EASY). When the reservation comes before the boundary, the GPUs the work behind the
  // head takes beyond those let go at the reservation, as a part of the tail.
  // (The reservation is worked out once, when first needed: often nothing waits behind.)
  HeadRoom room;
  bool room_known = false;
  auto room_now = [&]() -> HeadRoom& {
    if (!room_known) room = head_room(head, now);
    room_known = true;
    return room;
  };
  int until_reservation = 0;
  auto claim_short = [&](int priority, const std::deque<Batch>& queue, int& capacity) {
    // A level is wholly ahead of the head or wholly behind it, but for the head's own, where
    // the batches that arrived by the head's submission are ahead (a level's batches are in
    // arrival order).
    const double level_work = level_books_[priority].left_gpu_s;
    const bool blocked = ahead_only || head_blocks;
    if (!head.any || priority > head.priority) {
      ahead_work += level_work;
    } else if (priority < head.priority) {
      if (!blocked) behind_work += level_work;
    } else {
      double ahead_here = 0;
      for (const Batch& b : queue) {
        if (!ahead_of(head, priority, b)) break;
        ahead_here += b.left_gpu_s;
      }
      ahead_work += ahead_here;
      if (!blocked) behind_work += std::max(0.0, level_work - ahead_here);
    }
    const auto gpus_for = [&](double work) { return gpus_to_do(work, end - now); };
    int claim = std::min(capacity, std::max(0, gpus_for(ahead_work + behind_work) - held - want));
    const int for_ahead = std::min(claim, std::max(0, gpus_for(ahead_work) - held - want));
    if (claim > for_ahead && !ahead_only && head.any && room_now().shadow_s < end - kTimeEpsilon_s &&
        room.shadow_s > now + kTimeEpsilon_s) {
      const int spare = std::min(claim - for_ahead, std::max(0, room.extra_gpus));
      room.extra_gpus -= spare;
      until_reservation += claim - for_ahead - spare;
    }
    want += claim;
    capacity -= claim;
  };
  int sub_node_gpus = 0;
  started_whole_.clear();
  started_sub_node_.clear();
  // By reference: a std::function holding the lambdas themselves would allocate at every pass.
  const int long_gpus =
      start_long(now, free_gpus, ahead_only, head, std::ref(room_now), std::ref(claim_short), sub_node_gpus);
  if (long_gpus + want <= 0) {
    note_hold_spare(head, head_blocks, end, free_gpus, std::ref(room_now));
    return;
  }
  account_it_energy(now);
  account_busy(now);
  if (long_gpus > sub_node_gpus) {  // on whole nodes, which start_long found free
    const std::vector<Slice> whole = pool_.place(long_gpus - sub_node_gpus);
    pool_.take(whole);
    held_.add(started_whole_, whole);
  }
  std::vector<Slice> short_slices = pool_.place_spread(sub_node_gpus + want);
  pool_.take(short_slices);
  if (sub_node_gpus > 0) {  // else all of it is short work
    HeldSplit split = split_held(short_slices, sub_node_gpus);
    held_.add(started_sub_node_, split.held);
    short_slices = std::move(split.short_work);
  }
  if (until_reservation > 0) {  // from the whole free nodes, placed last, which the head needs most
    RunningJob part{room.shadow_s, {}};
    for (int left = until_reservation; left > 0 && !short_slices.empty();) {
      Slice& sl = short_slices.back();
      const int take = std::min(left, sl.gpus);
      part.slices.push_back({sl.node, take});
      sl.gpus -= take;
      left -= take;
      if (sl.gpus == 0) short_slices.pop_back();
    }
    add_tail_part(std::move(part));
    tail_gpus_ += until_reservation;
  }
  if (want > 0) {
    if (!adding) {
      aggregate_plan_ = {end, {}};
      aggregate_since_s_ = now;
      aggregate_progress_start_s_ = progress_s(now);
      aggregate_running_ = true;
    }
    aggregate_plan_.slices.insert(aggregate_plan_.slices.end(), short_slices.begin(), short_slices.end());
    aggregate_gpus_ += want;
  }
  note_hold_spare(head, head_blocks, end, std::max(0, free_gpus - long_gpus - want), std::ref(room_now));
  rebalance(now);
}

// Mid-step: a node's worth of free GPUs, and small work waiting that the running hold will not
// reach by the boundary (short work beyond what its GPUs do by then, or long jobs not
// started). Fewer free GPUs would re-plan the hold at almost every event of exact fidelity's
// served load (30 % slower on the 30-day case) for little.
bool SiteScheduler::fluid_wants_more(double now) const {
  if (pool_.usable_nodes() * gpus_per_node_ - pool_.busy_gpus() < gpus_per_node_) return false;
  // Only long jobs that could start now: one that waits for whole nodes would otherwise have
  // every later pass set the hold again, and results would hang on wake-ups that change
  // nothing (tests/cli/no_op_events.sh).
  if (long_waiting_sub_node_ > 0) return true;
  if (!long_waiting_nodes_.empty() && long_waiting_nodes_.begin()->first <= pool_.fully_free_nodes()) return true;
  const double end = next_boundary_s(now, scenario_.fidelity.step_s);
  const double covered = aggregate_gpus_ * (end - aggregate_since_s_);
  return backlog_gpu_s_ - covered > 0.5 * (end - now);  // at least half a GPU until the boundary
}

void SiteScheduler::note_long_waiting(int gpus, std::size_t job_class, int change) {
  long_waiting_gpus_ += change * gpus;
  if (gpus < gpus_per_node_) {
    long_waiting_sub_node_ += change;
    return;
  }
  if (below_movable(job_class)) node_sized_below_.long_gpus += change * gpus;
  const int nodes = gpus / gpus_per_node_;
  if ((long_waiting_nodes_[nodes] += change) == 0) long_waiting_nodes_.erase(nodes);
}

void SiteScheduler::stop_aggregate(double now, bool keep_in_flight) {
  serve_hold_until(now);
  pool_.give(aggregate_plan_.slices);
  aggregate_plan_.slices.clear();
  if (keep_in_flight && tail_gpus_ > 0) {
    aggregate_gpus_ = tail_gpus_;
    return;
  }
  for (const RunningJob& t : tail_) pool_.give(t.slices);
  tail_.clear();
  tail_gpus_ = 0;
  aggregate_gpus_ = 0;
  aggregate_running_ = false;
}


namespace {
// Small work in a hold: what waits at the hold's start, and what arrives per second.
struct FluidLoad {
  double backlog = 0, arrival_rate = 0;
};
// What a hold serving `rate` GPUs has done of a load by `tau` into it: all it can while the
// load has a backlog, then the load's arrivals as they come (a fluid queue's output).
double done_by(double tau, double rate, FluidLoad load) {
  return std::min(rate * tau, load.backlog + load.arrival_rate * tau);
}
// One batch's share of a hold: the levels ahead of it (together `ahead`) take their part
// first, and the batch gets what the load `with` it takes beyond that. Returns the first
// `tau` at which the batch has done `x` of its work (piecewise linear, so exact), or
// infinity if that lies beyond `span`.
double reached_at(double x, double rate, double span, FluidLoad ahead, FluidLoad with) {
  const auto drained = [&](FluidLoad l) {  // when a load's backlog is gone: it then takes only its arrivals
    return rate > l.arrival_rate ? l.backlog / (rate - l.arrival_rate) : std::numeric_limits<double>::infinity();
  };
  const double knots[] = {0.0, std::min(drained(ahead), span), std::min(drained(with), span), span};
  auto share = [&](double tau) { return done_by(tau, rate, with) - done_by(tau, rate, ahead); };
  for (int k = 1; k < 4; ++k) {
    const double lo = knots[k - 1], hi = std::max(lo, knots[k]);
    const double at_lo = share(lo), at_hi = share(hi);
    if (at_hi + 1e-9 < x) continue;
    if (at_hi - at_lo <= 1e-12) return lo;
    return lo + (hi - lo) * std::clamp((x - at_lo) / (at_hi - at_lo), 0.0, 1.0);
  }
  return std::numeric_limits<double>::infinity();
}
}  // namespace

// Highest priority first, then first in, first out: the work served in [from, to) finishes
// batches in that order. A batch's jobs arrive spread over its step [a, a + T) and each starts
// once the work of its own batch ahead of it is done; a level gets the hold's GPUs that the
// levels above it don't need for their backlog and their arrivals (a priority fluid queue),
// so in a hold large enough for the step's work no job waits. Four quarter-points of the
// batch's arrivals stand for its jobs, each started in the hold whose service reaches it.
// The jobs start as the hold's GPUs and the `spare_gpus` left free beside it reach them (a
// backlog of jobs starts at once where GPUs are free), while the work done is the hold's
// `gpu_s`, which paces its energy: the spare GPUs move starts, not work.
void SiteScheduler::serve(double gpu_s, double from_s, double to_s, double spare_gpus) {
  const std::size_t classes = small_.classes;
  const double step = scenario_.fidelity.step_s;
  const double span = to_s - from_s;
  const double served_rate = span > 0 ? gpu_s / span : 0;
  const double rate = served_rate > 0 ? served_rate + spare_gpus : 0;
  FluidLoad ahead;  // every batch before the one at hand, in serving order
  for (auto& [priority, queue] : backlog_) {
    for (Batch& b : queue) {
      if (done_by(span, rate, ahead) >= gpu_s - 1e-9) break;  // the levels ahead took it all
      if (b.left_gpu_s <= 1e-6 * std::max(1.0, b.total_gpu_s)) continue;
      // This batch at the hold's start: its work not yet arrived comes in evenly until its
      // step ends (work of jobs that lost their GPUs, requeued by the fluid itself, all at once).
      const double arrived = b.arrive_s - 0.5 * step;  // the step's start
      const double still_to_come = b.counted && !b.running
                                       ? 0.0
                                       : b.total_gpu_s * std::clamp(1 - (from_s - arrived) / step, 0.0, 1.0);
      const FluidLoad own{std::max(0.0, b.left_gpu_s - still_to_come), still_to_come > 0 ? b.total_gpu_s / step : 0.0};
      const FluidLoad with{ahead.backlog + own.backlog, ahead.arrival_rate + own.arrival_rate};
      const FluidLoad before = ahead;
      ahead = with;
      // The batch's quarter-points of arrivals start where the fluid has done that much of
      // its work; what it had done before this hold counts (D0), so a batch served over
      // several holds gets each point's start in the hold that reaches it.
      const double done_before = b.total_gpu_s - b.left_gpu_s;
      auto start_of = [&](double x) { return from_s + std::min(span, reached_at(x - done_before, rate, span, before, with)); };
      // What the fluid did of this batch: no more than has arrived.
      const double take = std::clamp(std::min(done_by(span, rate, with), gpu_s) - std::min(done_by(span, rate, before), gpu_s), 0.0, b.left_gpu_s);
      take_work(priority, b, take);
      const bool finished = b.left_gpu_s <= 1e-6 * b.total_gpu_s;
      if (!b.counted) {
        for (; b.points_started < 4; ++b.points_started) {
          const double x = (0.125 + 0.25 * b.points_started) * b.total_gpu_s;
          const double tau = x <= done_before ? 0.0 : reached_at(x - done_before, rate, span, before, with);
          if (tau > span && !finished) break;
          b.point_start_s[b.points_started] = x <= done_before ? from_s : start_of(x);
        }
      }
      if (!finished) continue;
      take_work(priority, b, b.left_gpu_s);  // the rounding left over
      if (b.counted) continue;
      const double last_start = b.point_start_s[3];
      const auto month = static_cast<std::size_t>(calendar_.month_index_at(std::min(last_start, horizon_s_ - 1)));
      for (std::size_t c = 0; c < classes; ++c) {
        if (b.gpu_s[c] <= 0) continue;
        auto& m = series_.aggregate[month * classes + c];
        m.served_gpu_s += b.gpu_s[c];
        if (b.jobs[c] <= 0) continue;  // a served load: work, no jobs to wait
        m.served_jobs += b.jobs[c];
        for (int k = 0; k < 4; ++k) {
          m.add_wait(b.point_start_s[k] - (arrived + (0.125 + 0.25 * k) * step), b.jobs[c] / 4);
        }
      }
    }
    pop_done(priority, queue);
  }
}

}  // namespace dctwin::sim::engine
