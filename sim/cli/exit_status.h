#pragma once
// One rule for every command's exit status: 0 done; 2 bad input, reported as its one line
// file:line:col: key.path: problem; 1 any other failure, reported after the command's name.
#include <functional>
#include <string>

namespace dctwin::cli {

inline constexpr int kBadInput = 2;

int run_guarded(const std::string& command, const std::function<int()>& body);

}  // namespace dctwin::cli
