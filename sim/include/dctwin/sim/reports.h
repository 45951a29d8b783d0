#pragma once
// The CSV reports of a run (columns: docs/reports.md), built in memory, then written
// atomically: every file goes to a temporary name in the output folder and is renamed into
// place only when all were written, so a failed run leaves no partial report.
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "dctwin/sim/run_result.h"
#include "dctwin/sim/scenario.h"

namespace dctwin::sim {

struct Table {
  std::string file_name;  // e.g. "summary.csv"
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // For tables too long to hold as strings (a row per job): writes the rows, after the
  // header, straight into the file instead of `rows`.
  std::function<void(std::ostream&)> stream_rows = {};
};

// A file's name in the output folder and what writes its content.
using FileWriter = std::pair<std::string, std::function<void(std::ostream&)>>;

// Writes every file to a temporary name in `dir`, then renames them all into place; on any
// failure removes what it wrote and throws std::runtime_error.
void write_atomically(const std::vector<FileWriter>& files, const std::filesystem::path& dir);

struct ReportOptions {
  bool hourly = false;  // also site_hourly.csv: one row per site and facility step
  bool jobs = true;     // jobs.csv: one row per discrete job (gigabytes for years in exact fidelity)
};

std::vector<Table> build_reports(const Scenario& scenario, const RunResult& result, const ReportOptions& options = {});

// Throws std::runtime_error when the folder can't be written; nothing is left half-written.
void write_reports(const std::vector<Table>& tables, const std::filesystem::path& out_dir);

std::string to_csv(const Table& table);

}  // namespace dctwin::sim
