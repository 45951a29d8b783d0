#pragma once
// `dctwin workload [SCENARIO] [--days N] [--out DIR]`: generates the scenario's jobs without
// running the engine and prints the mix, by class and by size bucket, as shares of jobs and
// of GPU-time: the figures the published GPU-cluster traces report (docs/workloads.md).
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace dctwin::cli {

void add_workload_command(CLI::App& app, const std::string& data_dir, std::optional<int>& status);

}  // namespace dctwin::cli
