#include "yaml_reader.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace dctwin::sim {

ScenarioError::ScenarioError(std::string file, int line, int column, std::string key_path,
                             std::string problem)
    : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                         (key_path.empty() ? std::string("(document)") : key_path) + ": " + problem),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_path_(std::move(key_path)),
      problem_(std::move(problem)) {}

namespace detail {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "'" + n.Scalar() + "'";
    default: return "an undefined value";
  }
}

std::string format_number(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

YamlValue::YamlValue(YAML::Node node, std::string file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {}

void YamlValue::fail(const std::string& problem) const {
  const YAML::Mark m = node_.Mark();
  const bool has_position = m.line >= 0 && !m.is_null();
  throw ScenarioError(file_, has_position ? m.line + 1 : 0, has_position ? m.column + 1 : 0, path_,
                      problem);
}

void YamlValue::expect_map(std::initializer_list<std::string_view> allowed) const {
  if (!node_.IsMap()) fail("expected a map of keys, got " + describe(node_));
  std::vector<std::string> names(allowed.begin(), allowed.end());
  std::vector<std::string> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (std::find(names.begin(), names.end(), key) != names.end()) {
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        YamlValue(it->first, file_, path_.empty() ? key : path_ + "." + key).fail("key '" + key + "' appears twice");
      }
      seen.push_back(key);
      continue;
    }
    const std::string hint = closest_match(key, names);
    YamlValue key_value(it->first, file_, path_.empty() ? key : path_ + "." + key);
    key_value.fail("unknown key '" + key + "'" +
                   (hint.empty() ? std::string() : "; did you mean '" + hint + "'?"));
  }
}

std::optional<YamlValue> YamlValue::optional(std::string_view key) const {
  const std::string k(key);
  const YAML::Node child = node_[k];
  if (!child.IsDefined()) return std::nullopt;
  return YamlValue(child, file_, path_.empty() ? k : path_ + "." + k);
}

YamlValue YamlValue::required(std::string_view key) const {
  if (auto v = optional(key)) return *v;
  fail("missing required key '" + std::string(key) + "'");
}

std::vector<YamlValue> YamlValue::sequence(std::size_t min_size) const {
  if (!node_.IsSequence()) fail("expected a list, got " + describe(node_));
  if (node_.size() < min_size) {
    fail("expected at least " + std::to_string(min_size) + " entries, got " +
         std::to_string(node_.size()));
  }
  std::vector<YamlValue> items;
  items.reserve(node_.size());
  for (std::size_t i = 0; i < node_.size(); ++i) {
    items.emplace_back(node_[i], file_, path_ + "[" + std::to_string(i) + "]");
  }
  return items;
}

const YAML::Node& YamlValue::scalar(const char* expected) const {
  if (!node_.IsScalar()) fail(std::string("expected ") + expected + ", got " + describe(node_));
  return node_;
}

std::string YamlValue::as_string() const {
  const std::string s = scalar("a string").Scalar();
  if (s.empty()) fail("expected a non-empty string");
  return s;
}

double YamlValue::as_number(double min, double max) const {
  const std::string& s = scalar("a number").Scalar();
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(x)) {
    fail("expected a number, got '" + s + "'");
  }
  if (x < min || x > max) {
    fail("value " + s + " is out of range [" + format_number(min) + ", " + format_number(max) + "]");
  }
  return x;
}

long long YamlValue::as_integer(long long min, long long max) const {
  const std::string& s = scalar("an integer").Scalar();
  char* end = nullptr;
  errno = 0;
  const long long x = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE) {
    fail("expected an integer, got '" + s + "'");
  }
  if (x < min || x > max) {
    fail("value " + s + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return x;
}

models::Date YamlValue::as_date() const {
  const std::string& s = scalar("a date YYYY-MM-DD").Scalar();
  const auto d = models::parse_date(s);
  if (!d) fail("expected a date YYYY-MM-DD, got '" + s + "'");
  return *d;
}

YamlValue parse_yaml(std::string_view text, const std::string& file) {
  try {
    return YamlValue(YAML::Load(std::string(text)), file, "");
  } catch (const YAML::ParserException& e) {
    throw ScenarioError(file, e.mark.line + 1, e.mark.column + 1, "", "YAML syntax: " + e.msg);
  }
}

}  // namespace detail
}  // namespace dctwin::sim
