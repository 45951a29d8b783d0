#pragma once
#include <string>

#include "dctwin/sim/reports.h"

namespace dctwin::cli {

// The short table `dctwin run` prints: the summary report, a row per site and the programme.
std::string format_summary_table(const sim::Table& summary);

}  // namespace dctwin::cli
