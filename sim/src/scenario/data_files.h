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

// All climates in the folder (monthly_normals.csv and stations.csv), by id.
std::map<std::string, ClimateNormals> read_climates(const std::filesystem::path& climate_dir);

// data/grid/: tariffs by id, outage profiles by id, carbon intensity by country.
std::map<std::string, models::Tariff> read_tariffs(const std::filesystem::path& path);
std::map<std::string, models::OutageProfile> read_outage_profiles(const std::filesystem::path& path);
std::map<std::string, double> read_carbon_intensity(const std::filesystem::path& path);

// A job trace: job_id,submit_s,duration_s,gpus,site,class (site and class by id).
std::vector<TraceJob> read_trace(const std::filesystem::path& path, const Scenario& scenario);

// data/fabric/site_coordinates.csv: latitude and longitude by climate id.
std::map<std::string, std::pair<double, double>> read_site_coordinates(const std::filesystem::path& path);

// An EPW weather file: 8760 hourly rows (a leap day's rows, if any, are dropped).
std::vector<models::WeatherHour> read_epw(const std::filesystem::path& path);

}  // namespace dctwin::sim::detail
