#pragma once
// The models' one way to refuse bad input: `require(ok, "what is wrong")` throws
// std::invalid_argument("<model>: what is wrong"). Internal to models/src.
#include <stdexcept>
#include <string>
#include <string_view>

namespace dctwin::models::detail {

struct Require {
  const char* model;
  // Nothing is built unless the check fails: some run millions of times per weather year.
  void operator()(bool ok, const char* what) const {
    if (!ok) fail(what);
  }
  void operator()(bool ok, const std::string& what) const {
    if (!ok) fail(what);
  }
  [[noreturn]] void fail(std::string_view what) const {
    throw std::invalid_argument(std::string(model) + ": " + std::string(what));
  }
};

}  // namespace dctwin::models::detail
