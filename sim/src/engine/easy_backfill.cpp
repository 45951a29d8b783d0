#include "dctwin/sim/easy_backfill.h"

#include <algorithm>
#include <limits>

namespace dctwin::sim {

void EasyBackfill::adjust(const NodePool& pool, std::uint32_t node, int delta_gpus) {
  if (!pool.usable(node)) return;
  if (delta_[node] == 0) touched_.push_back(node);
  const int before = pool.free_gpus(node) + delta_[node];
  delta_[node] += delta_gpus;
  --histogram_[static_cast<std::size_t>(before)];
  ++histogram_[static_cast<std::size_t>(before + delta_gpus)];
}

bool EasyBackfill::head_fits(int head_gpus, int gpus_per_node) const {
  if (head_gpus >= gpus_per_node) return histogram_.back() >= head_gpus / gpus_per_node;
  for (std::size_t f = static_cast<std::size_t>(head_gpus); f < histogram_.size(); ++f) {
    if (histogram_[f] > 0) return true;
  }
  return false;
}

void EasyBackfill::start_from(const NodePool& pool) {
  histogram_ = pool.histogram();
  delta_.resize(pool.size(), 0);
  for (std::uint32_t n : touched_) delta_[n] = 0;
  touched_.clear();
}

double EasyBackfill::shadow_time(const NodePool& pool, EndOrder& by_end, int head_gpus, double now_s,
                                 const std::vector<Slice>& also_taken) {
  start_from(pool);
  for (const Slice& s : also_taken) adjust(pool, s.node, -s.gpus);
  double shadow = std::numeric_limits<double>::infinity();
  if (head_fits(head_gpus, pool.gpus_per_node())) {
    shadow = now_s;
  } else {
    by_end.rewind();
    for (const RunningJob* r = by_end.next(); r != nullptr; r = by_end.next()) {
      for (const Slice& s : r->slices) adjust(pool, s.node, s.gpus);
      if (head_fits(head_gpus, pool.gpus_per_node())) {
        shadow = std::max(now_s, r->expected_end_s);
        break;
      }
    }
  }
  for (std::uint32_t n : touched_) delta_[n] = 0;
  touched_.clear();
  return shadow;
}

double EasyBackfill::shadow_time(const NodePool& pool, const std::vector<const RunningJob*>& by_end, int head_gpus,
                                 double now_s, const std::vector<Slice>& also_taken) {
  ListedEndOrder order(by_end);
  return shadow_time(pool, order, head_gpus, now_s, also_taken);
}

bool EasyBackfill::may_backfill(const NodePool& pool, EndOrder& by_end, int head_gpus, double shadow_s,
                                const std::vector<Slice>& placement, double end_s) {
  if (end_s <= shadow_s) return true;
  reserve(pool, by_end, shadow_s);
  return leaves_room(pool, head_gpus, placement);
}

bool EasyBackfill::may_backfill(const NodePool& pool, const std::vector<const RunningJob*>& by_end, int head_gpus,
                                double shadow_s, const std::vector<Slice>& placement, double end_s) {
  ListedEndOrder order(by_end);
  return may_backfill(pool, order, head_gpus, shadow_s, placement, end_s);
}

void EasyBackfill::reserve(const NodePool& pool, EndOrder& by_end, double shadow_s) {
  start_from(pool);
  by_end.rewind();
  for (const RunningJob* r = by_end.next(); r != nullptr && r->expected_end_s <= shadow_s; r = by_end.next()) {
    for (const Slice& s : r->slices) adjust(pool, s.node, s.gpus);
  }
}

// Freeing GPUs only ever helps the head fit, so it fits by the reservation exactly when it
// fits once everything ending by then is gone.
bool EasyBackfill::leaves_room(const NodePool& pool, int head_gpus, const std::vector<Slice>& placement) {
  for (const Slice& s : placement) adjust(pool, s.node, -s.gpus);
  const bool fits = head_fits(head_gpus, pool.gpus_per_node());
  for (const Slice& s : placement) adjust(pool, s.node, s.gpus);
  return fits;
}

}  // namespace dctwin::sim
