#pragma once
// `dctwin fabric [SCENARIO] [--out DIR]`: each site's scale-out fabric, sized for every node
// the site will ever have; prints a table (a column per site) and writes fabric.csv, one
// fabric_<site>.dot per site and, when every site has coordinates, wan.csv.
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace dctwin::cli {

// Registers the subcommand. Its callback runs inside app.parse(), reads `data_dir` then (so
// --data is honoured), and leaves the exit status in `status`: 0 done, 2 bad input (nothing
// written), 1 any other failure. main returns *status when it is set.
void add_fabric_command(CLI::App& app, const std::string& data_dir, std::optional<int>& status);

}  // namespace dctwin::cli
