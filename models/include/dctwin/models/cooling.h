#pragma once
// A site's cooling plant at one hour's weather: CRAH fans and chilled water for the heat that
// leaves the IT in air, a warm-water loop with dry coolers for heat captured by direct liquid
// cooling, chillers for what free cooling cannot reach, and cooling towers' water use.
// Steady state, full-load chiller curves. Equations and sources: docs/cooling-and-climate.md.
#include "dctwin/models/climate.h"

namespace dctwin::models {

// DOE-2 centrifugal chiller EIR as a function of temperature (EnergyPlus Chiller:Electric:EIR
// "DOE-2 Centrifugal/5.50COP"): 1.0 at 6.67 °C chilled water leaving, 29.4 °C condenser water
// entering. Fitted over 5–10 °C and 24–35 °C; outside that it is an extrapolation.
double doe2_centrifugal_eir_ft(double t_chw_leaving_c, double t_cond_entering_c);
// rated_cop / doe2_centrifugal_eir_ft(...): full-load COP at those temperatures.
double doe2_chiller_cop(double rated_cop, double t_chw_leaving_c, double t_cond_entering_c);

enum class CoolingKind {
  kAirCooledChiller,    // all heat in air; air-cooled chillers with a dry free-cooling coil
  kWaterCooledChiller,  // all heat in air; water-cooled chillers, towers, water-side economizer
  kLiquidDryCooler,     // liquid share to dry coolers; the rest as kAirCooledChiller
  kHybrid,              // liquid share to dry coolers; the rest as kWaterCooledChiller
};

struct CoolingParams {
  CoolingKind kind = CoolingKind::kWaterCooledChiller;
  double liquid_fraction = 0;  // share of IT heat in the liquid loop; 0 for the chiller kinds
  double chw_supply_c = 15;
  double chw_delta_t_k = 6;  // chilled water return − supply
  double rated_cop = 5.5;    // water-cooled, at 6.67 °C CHW / 29.4 °C condenser water
  double air_cooled_rated_cop =
      2.96;  // at 6.67 °C CHW / 35 °C outdoor air, condenser fans included
  double air_cooled_condenser_approach_k = 2;  // condenser inlet air above the weather's dry bulb
  double min_condenser_entering_c = 18;        // head-pressure / tower-bypass floor
  double tower_approach_k = 4;                 // tower leaving water above wet bulb
  double economizer_approach_k = 2;            // free-cooling heat exchanger
  double liquid_supply_c = 32;       // facility water to the liquid-cooled racks (ASHRAE W32)
  double liquid_delta_t_k = 10;      // liquid return − supply
  double dry_cooler_approach_k = 6;  // dry cooler leaving fluid above dry bulb
  double crah_fan_w_per_w_heat = 0.03;
  double chw_pump_w_per_w_heat = 0.015;       // chilled + condenser water pumps
  double tower_fan_w_per_w_heat = 0.01;       // per W rejected by towers
  double dry_cooler_fan_w_per_w_heat = 0.02;  // per W rejected by dry coolers or coils
  double liquid_pump_w_per_w_heat = 0.01;     // CDU + facility water pumps
  double cycles_of_concentration = 4;

  static CoolingParams defaults(CoolingKind kind);
};

struct CoolingResult {
  double electric_w = 0;             // chiller_w + fans_pumps_w
  double chiller_w = 0;              // compressors (and air-cooled condenser fans, rated with them)
  double fans_pumps_w = 0;           // CRAH fans, pumps, tower and dry-cooler fans
  double water_kg_per_s = 0;         // tower evaporation + blowdown
  double free_cooling_fraction = 0;  // share of the heat load removed without compressors
  double heat_rejected_w =
      0;  // to outdoors: the load, in-building fan and pump heat, compressor work
};

class CoolingPlant {
 public:
  // Throws std::invalid_argument for an inconsistent or out-of-range parameter.
  explicit CoolingPlant(CoolingParams params);

  const CoolingParams& params() const { return p_; }

  // it_heat_w: heat from the IT (nodes); other_heat_w: other heat in the white space (power
  // chain losses, lighting), always in air. Throws std::invalid_argument on negative heat or
  // non-finite weather.
  CoolingResult at(double it_heat_w, double other_heat_w, const WeatherHour& w) const;

 private:
  CoolingParams p_;
};

}  // namespace dctwin::models
