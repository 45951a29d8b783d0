#include "hold_view.h"

#include <algorithm>
#include <cmath>

namespace dctwin::sim::engine {

RunningJob hold_freed_at_end(const RunningJob& hold, int kept_gpus) {
  RunningJob freed{hold.expected_end_s, {}};
  freed.slices.reserve(hold.slices.size());  // built for every reservation a pass works out
  for (const Slice& sl : hold.slices) {
    const int kept = std::min(kept_gpus, sl.gpus);
    kept_gpus -= kept;
    if (sl.gpus > kept) freed.slices.push_back({sl.node, sl.gpus - kept});
  }
  return freed;
}

int served_gpus_of_hold(int hold_gpus, double served_ahead_gpu_s, double all_gpu_s, bool all_served_ahead) {
  if (hold_gpus <= 0) return 0;
  if (all_gpu_s <= 0) return all_served_ahead ? hold_gpus : 0;
  const double share = std::clamp(served_ahead_gpu_s / all_gpu_s, 0.0, 1.0);
  return static_cast<int>(std::lround(share * hold_gpus));
}

}  // namespace dctwin::sim::engine
