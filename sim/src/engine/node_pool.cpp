#include "dctwin/sim/node_pool.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace dctwin::sim {

NodePool::NodePool(int gpus_per_node, std::size_t nodes, int nodes_per_group, int groups_per_pod)
    : gpus_per_node_(gpus_per_node),
      free_(nodes, gpus_per_node),
      usable_(nodes, 0),
      by_free_(static_cast<std::size_t>(gpus_per_node) + 1, NodeSet(nodes)),
      nodes_per_group_(nodes_per_group > 0 ? static_cast<std::size_t>(nodes_per_group) : std::max<std::size_t>(nodes, 1)),
      groups_per_pod_(groups_per_pod > 0 ? static_cast<std::size_t>(groups_per_pod) : nodes / nodes_per_group_ + 1),
      whole_free_in_group_(nodes / nodes_per_group_ + 1, 0) {}

void NodePool::move(std::size_t node, int new_free) {
  if (usable_[node]) {
    by_free_[static_cast<std::size_t>(free_[node])].erase(static_cast<std::uint32_t>(node));
    by_free_[static_cast<std::size_t>(new_free)].insert(static_cast<std::uint32_t>(node));
    const int group = group_of(node);
    whole_free_in_group_[static_cast<std::size_t>(group)] +=
        (new_free == gpus_per_node_) - (free_[node] == gpus_per_node_);
  }
  free_[node] = new_free;
}

int NodePool::groups_spanned(const std::vector<Slice>& slices) const {
  std::vector<int> groups;
  for (const Slice& s : slices) groups.push_back(group_of(s.node));
  std::sort(groups.begin(), groups.end());
  return static_cast<int>(std::unique(groups.begin(), groups.end()) - groups.begin());
}

void NodePool::set_usable(std::size_t node, bool usable) {
  if (usable == (usable_[node] != 0)) return;
  const auto group = static_cast<std::size_t>(group_of(node));
  if (usable) {
    usable_[node] = 1;
    ++usable_count_;
    by_free_[static_cast<std::size_t>(free_[node])].insert(static_cast<std::uint32_t>(node));
    whole_free_in_group_[group] += free_[node] == gpus_per_node_;
    return;
  }
  if (free_[node] != gpus_per_node_) throw std::logic_error("a node with work can't be taken out of service");
  by_free_.back().erase(static_cast<std::uint32_t>(node));
  --whole_free_in_group_[group];
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
      if (!nodes.empty()) return {{nodes.first(), gpus}};
    }
    return out;
  }
  const auto needed = static_cast<std::size_t>(gpus / gpus_per_node_);
  const auto& whole = by_free_.back();
  if (whole.size() < needed) return out;
  // Groups in the order to draw from: the best single fit, else the fullest-free first.
  std::vector<std::size_t> order(whole_free_in_group_.size());
  for (std::size_t g = 0; g < order.size(); ++g) order[g] = g;
  std::size_t best = order.size();
  for (std::size_t g = 0; g < order.size(); ++g) {
    const auto n = static_cast<std::size_t>(whole_free_in_group_[g]);
    if (n >= needed && (best == order.size() || n < static_cast<std::size_t>(whole_free_in_group_[best]))) best = g;
  }
  auto most_free_first = [&](std::size_t a, std::size_t b) { return whole_free_in_group_[a] > whole_free_in_group_[b]; };
  if (best < order.size()) {
    order = {best};
  } else {
    // The pod with the fewest free nodes that holds the job, if one does.
    const std::size_t pods = (order.size() + groups_per_pod_ - 1) / groups_per_pod_;
    std::size_t best_pod = pods;
    long best_free = 0;
    for (std::size_t p = 0; p < pods; ++p) {
      long free = 0;
      for (std::size_t g = p * groups_per_pod_; g < std::min(order.size(), (p + 1) * groups_per_pod_); ++g) {
        free += whole_free_in_group_[g];
      }
      if (free >= static_cast<long>(needed) && (best_pod == pods || free < best_free)) {
        best_pod = p;
        best_free = free;
      }
    }
    std::stable_sort(order.begin(), order.end(), most_free_first);
    if (best_pod < pods) {
      std::stable_partition(order.begin(), order.end(),
                            [&](std::size_t g) { return pod_of_group(g) == static_cast<int>(best_pod); });
    }
  }
  for (std::size_t g : order) {
    for (std::uint32_t n = whole.next(static_cast<std::uint32_t>(g * nodes_per_group_));
         n != NodeSet::kNone && n < (g + 1) * nodes_per_group_ && out.size() < needed; n = whole.next(n + 1)) {
      out.push_back({n, gpus_per_node_});
    }
    if (out.size() == needed) break;
  }
  return out;
}

std::vector<Slice> NodePool::place_spread(int gpus) const {
  std::vector<Slice> out;
  out.reserve(std::min(static_cast<std::size_t>(std::max(gpus, 0)), static_cast<std::size_t>(usable_count_)));
  for (int f = 1; f <= gpus_per_node_ && gpus > 0; ++f) {
    const NodeSet& nodes = by_free_[static_cast<std::size_t>(f)];
    for (std::uint32_t node = nodes.first(); node != NodeSet::kNone; node = nodes.next(node + 1)) {
      const int take = std::min(f, gpus);
      out.push_back({node, take});
      gpus -= take;
      if (gpus == 0) break;
    }
  }
  return out;
}

std::uint32_t NodeSet::next(std::uint32_t from) const {
  std::size_t i = from >> 6;
  if (i >= words_.size()) return kNone;
  std::uint64_t w = words_[i] & (~std::uint64_t{0} << (from & 63));
  while (w == 0) {
    if (++i == words_.size()) return kNone;
    w = words_[i];
  }
  return static_cast<std::uint32_t>(i * 64 + static_cast<std::size_t>(std::countr_zero(w)));
}

std::vector<int> NodePool::histogram() const {
  std::vector<int> h(by_free_.size());
  for (std::size_t f = 0; f < by_free_.size(); ++f) h[f] = static_cast<int>(by_free_[f].size());
  return h;
}

}  // namespace dctwin::sim
