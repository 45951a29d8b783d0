#pragma once
// A site's GPUs as the scheduler sees them: which nodes are usable (commissioned, powered,
// not failed) and how many GPUs each has free. Placement: a job smaller than a node goes to
// the fullest usable node that still holds it (best fit); a larger one takes whole free
// nodes in as few leaf groups and pods as it can: the group with the fewest free nodes that
// holds it all; else the pod with the fewest free nodes that holds it all, its groups with
// the most free nodes first; else the groups with the most free nodes first. No engine.
#include <cstdint>
#include <vector>

#include "dctwin/sim/node_set.h"

namespace dctwin::sim {

struct Slice {
  std::uint32_t node = 0;
  int gpus = 0;
};

class NodePool {
 public:
  // nodes_per_group: nodes under one leaf group (node n is in group n / nodes_per_group);
  // 0 puts every node in one group.
  NodePool(int gpus_per_node, std::size_t nodes, int nodes_per_group = 0, int groups_per_pod = 0);

  int gpus_per_node() const { return gpus_per_node_; }
  std::size_t size() const { return free_.size(); }
  bool usable(std::size_t node) const { return usable_[node] != 0; }
  int free_gpus(std::size_t node) const { return usable_[node] ? free_[node] : 0; }
  int fully_free_nodes() const { return static_cast<int>(by_free_.back().size()); }
  int usable_nodes() const { return usable_count_; }
  int busy_gpus() const { return busy_; }

  // A usable node must be idle to become unusable.
  void set_usable(std::size_t node, bool usable);
  void take(const std::vector<Slice>& slices);
  void give(const std::vector<Slice>& slices);

  bool fits(int gpus) const;
  std::vector<Slice> place(int gpus) const;  // empty if it doesn't fit now
  // Up to `gpus` free GPUs on any nodes, the fullest nodes first (whole free nodes last):
  // where small jobs carried in aggregate go.
  std::vector<Slice> place_spread(int gpus) const;
  // Free GPUs per node count: histogram[f] = usable nodes with f free GPUs.
  std::vector<int> histogram() const;
  int group_of(std::size_t node) const { return static_cast<int>(node / nodes_per_group_); }
  int pod_of_group(std::size_t group) const { return static_cast<int>(group / groups_per_pod_); }
  int groups_spanned(const std::vector<Slice>& slices) const;

 private:
  void move(std::size_t node, int new_free);

  int gpus_per_node_;
  std::vector<int> free_;
  std::vector<char> usable_;
  std::vector<NodeSet> by_free_;  // usable nodes indexed by their free GPUs
  int usable_count_ = 0;
  int busy_ = 0;
  std::size_t nodes_per_group_;
  std::size_t groups_per_pod_;
  std::vector<int> whole_free_in_group_;
};

}  // namespace dctwin::sim
