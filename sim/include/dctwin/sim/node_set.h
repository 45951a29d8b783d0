#pragma once
// A set of node indices below a fixed capacity, kept as a bitset: insert and erase in O(1),
// the first element at or after an index in O(capacity / 64). NodePool keeps one per free-GPU
// count; ordered like std::set<uint32_t>, so placements are the same, at a fraction of the
// cost of a tree's nodes.
#include <cstdint>
#include <vector>

namespace dctwin::sim {

class NodeSet {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  explicit NodeSet(std::size_t capacity = 0) : words_((capacity + 63) / 64, 0) {}

  void insert(std::uint32_t n) {
    std::uint64_t& w = words_[n >> 6];
    const std::uint64_t bit = std::uint64_t{1} << (n & 63);
    size_ += (w & bit) == 0;
    w |= bit;
  }
  void erase(std::uint32_t n) {
    std::uint64_t& w = words_[n >> 6];
    const std::uint64_t bit = std::uint64_t{1} << (n & 63);
    size_ -= (w & bit) != 0;
    w &= ~bit;
  }
  bool contains(std::uint32_t n) const { return (words_[n >> 6] >> (n & 63)) & 1u; }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::uint32_t first() const { return next(0); }
  // The smallest element >= from, or kNone.
  std::uint32_t next(std::uint32_t from) const;

 private:
  std::vector<std::uint64_t> words_;
  std::size_t size_ = 0;
};

}  // namespace dctwin::sim
