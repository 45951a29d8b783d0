#pragma once
// `dctwin calibrate fit CSV... --base PROFILE --out PROFILE`: fits the GPU model to
// dctwin-calibrate measurements and writes a profile for data/gpus/. docs/calibration.md.
#include <optional>

namespace CLI {
class App;
}

namespace dctwin::cli {

// Adds the `calibrate` subcommand to `app`. The command runs as a CLI11 callback inside
// app.parse() and handles its own errors, so main only returns what it leaves in
// `exit_status`: 0 done, 2 bad input (one line file:line:col: key: problem, nothing written),
// 1 any other failure. `exit_status` stays empty when another subcommand was chosen.
void add_calibrate_command(CLI::App& app, std::optional<int>& exit_status);

}  // namespace dctwin::cli
