#include "exit_status.h"

#include <exception>
#include <iostream>

#include "dctwin/sim/scenario_error.h"

namespace dctwin::cli {

int run_guarded(const std::string& command, const std::function<int()>& body) {
  try {
    return body();
  } catch (const sim::ScenarioError& e) {
    std::cerr << e.what() << '\n';
    return kBadInput;
  } catch (const std::exception& e) {
    std::cerr << command << ": " << e.what() << '\n';
    return 1;
  }
}

}  // namespace dctwin::cli
