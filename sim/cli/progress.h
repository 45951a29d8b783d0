#pragma once
// How a run tells its progress: a bar on a terminal, JSON lines for programs, or nothing.
#include <chrono>
#include <string>

#include "dctwin/sim/twin.h"

namespace dctwin::cli {

enum class ProgressMode { kAuto, kBar, kJsonl, kNone };

class ProgressReporter {
 public:
  explicit ProgressReporter(ProgressMode mode);
  ProgressMode mode() const { return mode_; }

  void update(const sim::Progress& p);
  void finish();
  // One JSON object on stdout (jsonl mode only).
  void event(const std::string& json_object) const;

 private:
  ProgressMode mode_;
  int last_percent_ = -1;
  bool bar_drawn_ = false;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace dctwin::cli
