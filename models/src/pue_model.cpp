#include "dctwin/models/pue_model.h"

#include <algorithm>
#include <stdexcept>

namespace dctwin::models {

PueModel::PueModel(const PueModelParams& params) : params_(params) {
  if (params.pue_at_reference < 1.0) throw std::invalid_argument("PUE below 1 is impossible");
  if (params.pue_per_kelvin_above < 0) throw std::invalid_argument("PUE slope must be >= 0");
}

double PueModel::pue(double drybulb_c) const {
  return params_.pue_at_reference +
         params_.pue_per_kelvin_above * std::max(0.0, drybulb_c - params_.reference_drybulb_c);
}

}  // namespace dctwin::models
