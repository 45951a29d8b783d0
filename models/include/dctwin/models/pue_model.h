#pragma once
// The first facility model: PUE rises linearly with outdoor dry bulb above a reference.
// A placeholder for the plant models of the physics issue, stated as an assumption in each
// scenario. Facility power = IT power * PUE.

namespace dctwin::models {

struct PueModelParams {
  double pue_at_reference = 1.3;
  double reference_drybulb_c = 20.0;
  double pue_per_kelvin_above = 0.0;  // added per kelvin above the reference
};

class PueModel {
 public:
  explicit PueModel(const PueModelParams& params);  // throws std::invalid_argument if PUE < 1
  double pue(double drybulb_c) const;

 private:
  PueModelParams params_;
};

}  // namespace dctwin::models
