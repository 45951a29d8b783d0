#include "held_jobs.h"

#include <algorithm>

namespace dctwin::sim::engine {

namespace {
// Up to `gpus` GPUs from `slices` onwards of where the last call left off (`next`,
// `left_in_slice`), added to `to`. Returns how many there were.
int take_in_turn(const std::vector<Slice>& slices, std::size_t& next, int& left_in_slice, int gpus,
                 std::vector<Slice>& to) {
  int taken = 0;
  while (taken < gpus && next < slices.size()) {
    const int take = std::min(gpus - taken, left_in_slice);
    to.push_back({slices[next].node, take});
    taken += take;
    left_in_slice -= take;
    if (left_in_slice == 0 && ++next < slices.size()) left_in_slice = slices[next].gpus;
  }
  return taken;
}
}  // namespace

void HeldJobs::file(std::size_t release_step, int gpus, double work_gpu_s,
                    const std::vector<Slice>& slices, std::size_t& next, int& left_in_slice) {
  Step& step = by_release_[release_step];
  // release(s) gives a step's GPUs back at the boundary that begins step s.
  step.jobs.expected_end_s = static_cast<double>(release_step) * step_s_;
  const int filed = take_in_turn(slices, next, left_in_slice, gpus, step.jobs.slices);
  step.gpus += filed;
  if (gpus > 0) step.work_gpu_s += work_gpu_s * filed / gpus;
  gpus_ += filed;
}

void HeldJobs::add(const std::vector<Start>& starts, const std::vector<Slice>& slices) {
  std::size_t next = 0;
  int left_in_slice = slices.empty() ? 0 : slices.front().gpus;
  for (const Start& s : starts)
    file(s.release_step, s.gpus, s.work_in_release_step, slices, next, left_in_slice);
  view_dirty_ = true;
}

bool HeldJobs::due(std::size_t step) const {
  return step < steps_ && by_release_.count(step) > 0;
}

std::vector<Slice> HeldJobs::release(std::size_t step, double& work_gpu_s) {
  work_gpu_s = 0;
  const auto held = by_release_.find(step);
  if (step >= steps_ || held == by_release_.end()) return {};
  std::vector<Slice> freed = std::move(held->second.jobs.slices);
  work_gpu_s = held->second.work_gpu_s;
  gpus_ -= held->second.gpus;
  by_release_.erase(held);
  view_dirty_ = true;
  return freed;
}

double HeldJobs::forget(std::size_t step, Step& s, int gpus, double now) {
  const int take = std::min(gpus, s.gpus);
  if (take <= 0) return 0;
  const double share = static_cast<double>(take) / s.gpus;
  const double work = share * s.work_gpu_s;
  s.work_gpu_s -= work;
  s.gpus -= take;
  gpus_ -= take;
  view_dirty_ = true;
  if (step >= steps_) return 0;  // past the horizon: its work is not waited for
  return take * std::max(0.0, static_cast<double>(step) * step_s_ - now) + work;
}

std::vector<Slice> HeldJobs::drop_all(double now, double& work_gpu_s) {
  work_gpu_s = 0;
  std::vector<Slice> freed;
  for (auto& [step, held] : by_release_) {
    freed.insert(freed.end(), held.jobs.slices.begin(), held.jobs.slices.end());
    work_gpu_s += forget(step, held, held.gpus, now);
  }
  by_release_.clear();
  gpus_ = 0;
  view_dirty_ = true;
  return freed;
}

HeldJobs::OffNode HeldJobs::take_off(std::uint32_t node) {
  OffNode off;
  for (auto& [step, held] : by_release_) {
    int here = 0;
    std::erase_if(held.jobs.slices, [&](const Slice& sl) {
      if (sl.node != node) return false;
      here += sl.gpus;
      off.slices.push_back(sl);
      return true;
    });
    if (here > 0) off.parts.push_back({step, here});
    off.gpus += here;
  }
  if (off.gpus > 0) view_dirty_ = true;
  return off;
}

double HeldJobs::rehome(const OffNode& off, const std::vector<Slice>& elsewhere, double now) {
  std::size_t next = 0;
  int left_in_slice = elsewhere.empty() ? 0 : elsewhere.front().gpus;
  double work = 0;
  for (const OffNode::Part& part : off.parts) {
    Step& held = by_release_.at(part.release_step);
    const int kept = take_in_turn(elsewhere, next, left_in_slice, part.gpus, held.jobs.slices);
    if (kept < part.gpus) work += forget(part.release_step, held, part.gpus - kept, now);
  }
  std::erase_if(by_release_, [](const auto& held) { return held.second.gpus == 0; });
  view_dirty_ = true;
  return work;
}

const std::vector<const RunningJob*>& HeldJobs::view(std::size_t current) const {
  if (!view_dirty_ && view_step_ == current) return view_;
  view_dirty_ = false;
  view_step_ = current;
  view_.clear();
  const auto past = by_release_.lower_bound(steps_);  // held to the end: never free
  for (auto step = by_release_.upper_bound(current); step != past; ++step) view_.push_back(&step->second.jobs);
  return view_;
}

}  // namespace dctwin::sim::engine
