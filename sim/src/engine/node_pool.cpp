#include "dctwin/sim/node_pool.h"

#include <stdexcept>

namespace dctwin::sim {

NodePool::NodePool(int gpus_per_node, std::size_t nodes)
    : gpus_per_node_(gpus_per_node),
      free_(nodes, gpus_per_node),
      usable_(nodes, 0),
      by_free_(static_cast<std::size_t>(gpus_per_node) + 1) {}

void NodePool::move(std::size_t node, int new_free) {
  if (usable_[node]) {
    by_free_[static_cast<std::size_t>(free_[node])].erase(static_cast<std::uint32_t>(node));
    by_free_[static_cast<std::size_t>(new_free)].insert(static_cast<std::uint32_t>(node));
  }
  free_[node] = new_free;
}

void NodePool::set_usable(std::size_t node, bool usable) {
  if (usable == (usable_[node] != 0)) return;
  if (usable) {
    usable_[node] = 1;
    ++usable_count_;
    by_free_[static_cast<std::size_t>(free_[node])].insert(static_cast<std::uint32_t>(node));
    return;
  }
  if (free_[node] != gpus_per_node_) throw std::logic_error("a node with work can't be taken out of service");
  by_free_.back().erase(static_cast<std::uint32_t>(node));
  usable_[node] = 0;
  --usable_count_;
}

void NodePool::take(const std::vector<Slice>& slices) {
  for (const Slice& s : slices) {
    move(s.node, free_[s.node] - s.gpus);
    busy_ += s.gpus;
  }
}

void NodePool::give(const std::vector<Slice>& slices) {
  for (const Slice& s : slices) {
    move(s.node, free_[s.node] + s.gpus);
    busy_ -= s.gpus;
  }
}

bool NodePool::fits(int gpus) const {
  if (gpus >= gpus_per_node_) return fully_free_nodes() >= gpus / gpus_per_node_;
  for (int f = gpus; f <= gpus_per_node_; ++f) {
    if (!by_free_[static_cast<std::size_t>(f)].empty()) return true;
  }
  return false;
}

std::vector<Slice> NodePool::place(int gpus) const {
  std::vector<Slice> out;
  if (gpus < gpus_per_node_) {
    for (int f = gpus; f <= gpus_per_node_; ++f) {
      const auto& nodes = by_free_[static_cast<std::size_t>(f)];
      if (!nodes.empty()) return {{*nodes.begin(), gpus}};
    }
    return out;
  }
  const auto needed = static_cast<std::size_t>(gpus / gpus_per_node_);
  const auto& whole = by_free_.back();
  if (whole.size() < needed) return out;
  for (auto it = whole.begin(); out.size() < needed; ++it) out.push_back({*it, gpus_per_node_});
  return out;
}

std::vector<int> NodePool::histogram() const {
  std::vector<int> h(by_free_.size());
  for (std::size_t f = 0; f < by_free_.size(); ++f) h[f] = static_cast<int>(by_free_[f].size());
  return h;
}

}  // namespace dctwin::sim
