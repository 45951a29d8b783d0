#pragma once
#include <stdexcept>
#include <string>

namespace dctwin::sim {

// Bad input, located: prints as "file:line:col: key.path: problem". Line and column are
// 1-based; 0 when the problem has no position (e.g. an unreadable file).
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(std::string file, int line, int column, std::string key_path, std::string problem);

  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& key_path() const { return key_path_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string key_path_;
  std::string problem_;
};

}  // namespace dctwin::sim
