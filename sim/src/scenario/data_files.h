#pragma once
// Readers for the reference files in data/ that a scenario names. Internal to the loader.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "dctwin/models/gpu_model.h"
#include "dctwin/sim/scenario.h"

namespace dctwin::sim::detail {

// A CSV file with a header row; quoted fields may hold commas. Bad rows throw ScenarioError
// with their line number.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> row_lines;  // 1-based line of each row
};
CsvTable read_csv(const std::filesystem::path& path);

models::GpuProfile read_gpu_profile(const std::filesystem::path& path, const std::string& id);

// All climates in the file, by id.
std::map<std::string, ClimateNormals> read_climate_normals(const std::filesystem::path& path);

}  // namespace dctwin::sim::detail
