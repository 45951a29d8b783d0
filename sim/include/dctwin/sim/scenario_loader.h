#pragma once
// Loads a scenario from YAML and validates it strictly. Every problem is a ScenarioError
// at the position of the offending node; the first problem found is reported.
#include <filesystem>
#include <string>
#include <string_view>

#include "dctwin/sim/scenario.h"

namespace dctwin::sim {

class ScenarioLoader {
 public:
  // data_dir holds gpus/<id>.yaml and climate/monthly_normals.csv.
  explicit ScenarioLoader(std::filesystem::path data_dir);

  Scenario load_file(const std::filesystem::path& path) const;
  Scenario load_text(std::string_view yaml, const std::string& source_name) const;

 private:
  std::filesystem::path data_dir_;
};

// The default scenario (scenarios/cassava-baseline.yaml), embedded in the binary.
std::string_view default_scenario_yaml();
inline constexpr const char* kDefaultScenarioName = "scenarios/cassava-baseline.yaml";

// DCTWIN_DATA_DIR from the environment if set, else the folder configured at build time.
std::filesystem::path default_data_dir();

}  // namespace dctwin::sim
