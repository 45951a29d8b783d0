#pragma once
// A site's facility: the power chain feeding the IT load and the cooling plant removing its
// heat. Facility power = IT + cooling + power-chain losses, hour by hour; PUE is an output.
#include "dctwin/models/climate.h"
#include "dctwin/models/cooling.h"
#include "dctwin/models/power_chain.h"

namespace dctwin::models {

struct FacilityPower {
  double it_w = 0;
  double cooling_w = 0;         // chillers, fans, pumps, towers, dry coolers
  PowerChainLosses losses;      // PDU, UPS, transformer
  double facility_w = 0;        // = it + cooling + losses: what the grid or generators supply
  double water_kg_per_s = 0;    // evaporated and blown down
  double free_cooling_fraction = 0;
};

class FacilityModel {
 public:
  FacilityModel(CoolingParams cooling, PowerChain chain);

  // UPS and PDU losses are dissipated indoors and cooled; transformer losses are not.
  FacilityPower at(double it_w, const WeatherHour& weather) const;
  // The largest IT load whose facility power stays within limit_w (0 if none), by bisection.
  double max_it_w(double limit_w, const WeatherHour& weather) const;

 private:
  CoolingPlant cooling_;
  PowerChain chain_;
};

}  // namespace dctwin::models
