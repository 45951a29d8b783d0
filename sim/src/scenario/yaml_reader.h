#pragma once
// Strict, position-aware reading of YAML nodes: every failure is a ScenarioError at the
// node that caused it. Internal to the scenario loader.
#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dctwin/models/calendar.h"
#include "dctwin/sim/scenario_error.h"

namespace dctwin::sim::detail {

// Closest candidate within a small edit distance, or "" when none is close.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

class YamlValue {
 public:
  YamlValue(YAML::Node node, std::string file, std::string path);

  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }

  [[noreturn]] void fail(const std::string& problem) const;

  // A map whose keys must all be in `allowed`; unknown keys fail with "did you mean".
  void expect_map(std::initializer_list<std::string_view> allowed) const;
  YamlValue required(std::string_view key) const;
  std::optional<YamlValue> optional(std::string_view key) const;

  std::vector<YamlValue> sequence(std::size_t min_size = 0) const;

  std::string as_string() const;
  double as_number(double min, double max) const;
  long long as_integer(long long min, long long max) const;
  models::Date as_date() const;

 private:
  const YAML::Node& scalar(const char* expected) const;

  YAML::Node node_;
  std::string file_;
  std::string path_;
};

// Parses YAML text; a syntax error becomes a ScenarioError at its position.
YamlValue parse_yaml(std::string_view text, const std::string& file);

}  // namespace dctwin::sim::detail
