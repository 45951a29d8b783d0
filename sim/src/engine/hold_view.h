#pragma once
// What EASY sees of the fluid's hold at a site (docs/models.md, "The scheduling pass"). The
// hold's GPUs are given back at the step's boundary, but a served load ahead of the queue's
// head in priority takes its share back at that same boundary, before any queued job is
// placed: as running work it never comes free for the head. Internal to the engine.
#include <vector>

#include "dctwin/sim/easy_backfill.h"

namespace dctwin::sim::engine {

// The hold's GPUs that come free for a queued job at the boundary: all but its first
// `kept_gpus` (the served load's, placed first, fullest nodes first), ending at the hold's end.
RunningJob hold_freed_at_end(const RunningJob& hold, int kept_gpus);

// Of a hold of `hold_gpus` GPUs, those standing for a served load ahead of the head: in
// proportion to its work left, `served_ahead_gpu_s` of the hold's `all_gpu_s`. A hold with no
// work left (idle to the boundary) is all the served load's when `all_served_ahead`: it
// carries nothing else.
int served_gpus_of_hold(int hold_gpus, double served_ahead_gpu_s, double all_gpu_s, bool all_served_ahead);

}  // namespace dctwin::sim::engine
