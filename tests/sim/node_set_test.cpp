#include "dctwin/sim/node_set.h"

#include <gtest/gtest.h>

#include <set>

#include "dctwin/models/random_stream.h"

using dctwin::sim::NodeSet;

TEST(NodeSet, BehavesLikeAnOrderedSetOfIndices) {
  dctwin::models::RandomStream rng(11, 3);
  for (std::size_t capacity : {1u, 63u, 64u, 65u, 300u, 2500u}) {
    NodeSet bits(capacity);
    std::set<std::uint32_t> reference;
    for (int op = 0; op < 5000; ++op) {
      const auto n = static_cast<std::uint32_t>(rng.uniform() * static_cast<double>(capacity));
      if (rng.uniform() < 0.55) {
        bits.insert(n);
        reference.insert(n);
      } else {
        bits.erase(n);
        reference.erase(n);
      }
      ASSERT_EQ(bits.size(), reference.size());
      ASSERT_EQ(bits.empty(), reference.empty());
      const auto from = static_cast<std::uint32_t>(rng.uniform() * static_cast<double>(capacity + 1));
      const auto it = reference.lower_bound(from);
      ASSERT_EQ(bits.next(from), it == reference.end() ? NodeSet::kNone : *it) << "capacity " << capacity;
    }
    std::vector<std::uint32_t> walked;
    for (auto n = bits.first(); n != NodeSet::kNone; n = bits.next(n + 1)) walked.push_back(n);
    EXPECT_EQ(walked, std::vector<std::uint32_t>(reference.begin(), reference.end()));
  }
}
