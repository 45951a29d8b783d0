#include "progress.h"

#include <unistd.h>

#include <cstdio>

namespace dctwin::cli {

ProgressReporter::ProgressReporter(ProgressMode mode)
    : mode_(mode), started_(std::chrono::steady_clock::now()) {
  if (mode_ == ProgressMode::kAuto) mode_ = isatty(STDERR_FILENO) ? ProgressMode::kBar : ProgressMode::kNone;
}

void ProgressReporter::update(const sim::Progress& p) {
  if (mode_ == ProgressMode::kNone || p.horizon_s <= 0) return;
  const int percent = static_cast<int>(100.0 * p.sim_s / p.horizon_s);
  if (percent == last_percent_) return;
  last_percent_ = percent;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  if (mode_ == ProgressMode::kJsonl) {
    std::printf(
        "{\"event\":\"progress\",\"percent\":%d,\"sim_day\":%.0f,\"horizon_day\":%.0f,"
        "\"jobs_submitted\":%zu,\"jobs_finished\":%zu,\"wall_s\":%.3f}\n",
        percent, p.sim_s / 86400, p.horizon_s / 86400, p.jobs_submitted, p.jobs_finished, wall);
    std::fflush(stdout);
    return;
  }
  constexpr int kWidth = 40;
  const int filled = percent * kWidth / 100;
  std::fprintf(stderr, "\r[%.*s%*s] %3d%%  day %5.0f/%.0f  %zu jobs done  %.1f s", filled,
               "########################################", kWidth - filled, "", percent, p.sim_s / 86400,
               p.horizon_s / 86400, p.jobs_finished, wall);
  std::fflush(stderr);
  bar_drawn_ = true;
}

void ProgressReporter::finish() {
  if (bar_drawn_) std::fprintf(stderr, "\n");
  bar_drawn_ = false;
}

void ProgressReporter::event(const std::string& json_object) const {
  if (mode_ != ProgressMode::kJsonl) return;
  std::printf("%s\n", json_object.c_str());
  std::fflush(stdout);
}

}  // namespace dctwin::cli
