#include "dctwin/models/cooling.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include "require.h"

namespace dctwin::models {
namespace {

constexpr double kLatentHeat_j_per_kg = 2.45e6;  // evaporation near 20 °C
constexpr double kRatingChw_c = 6.67;            // AHRI 550/590 rating point
constexpr double kAirCooledRatingAmbient_c = 35.0;
// Range of evaporator temperatures the DOE-2 curve was fitted over: warmer chilled water earns
// no further credit (conservative), colder is not extrapolated.
constexpr double kCurveMinChw_c = 5.0;
constexpr double kCurveMaxChw_c = 10.0;

constexpr detail::Require require{"cooling"};

bool has_liquid_loop(CoolingKind k) {
  return k == CoolingKind::kLiquidDryCooler || k == CoolingKind::kHybrid;
}
bool water_cooled(CoolingKind k) {
  return k == CoolingKind::kWaterCooledChiller || k == CoolingKind::kHybrid;
}

double clamp01(double x) {
  return std::clamp(x, 0.0, 1.0);
}
bool finite_heat(double x) {
  return std::isfinite(x) && x >= 0;
}

}  // namespace

double doe2_centrifugal_eir_ft(double te, double tc) {
  return 0.933884 - 0.058212 * te + 0.00450036 * te * te + 0.00243 * tc + 0.000486 * tc * tc -
         0.001215 * te * tc;
}

double doe2_chiller_cop(double rated_cop, double t_chw_leaving_c, double t_cond_entering_c) {
  return rated_cop / doe2_centrifugal_eir_ft(t_chw_leaving_c, t_cond_entering_c);
}

CoolingParams CoolingParams::defaults(CoolingKind kind) {
  CoolingParams p;  // member initialisers hold the shared defaults; sources in the doc
  p.kind = kind;
  p.liquid_fraction = has_liquid_loop(kind) ? 0.8 : 0.0;  // ASSUMPTION: cold plates take ~80 %
  return p;
}

CoolingPlant::CoolingPlant(CoolingParams params) : p_(params) {
  auto finite_nonneg = [](double x) { return std::isfinite(x) && x >= 0; };
  require(p_.liquid_fraction >= 0 && p_.liquid_fraction <= 1, "liquid_fraction must be in [0, 1]");
  require(has_liquid_loop(p_.kind) || p_.liquid_fraction == 0,
          "liquid_fraction must be 0 for a plant without a liquid loop");
  require(std::isfinite(p_.chw_supply_c) && p_.chw_supply_c >= 4 && p_.chw_supply_c <= 25,
          "chw_supply_c must be within 4..25 C");
  require(std::isfinite(p_.liquid_supply_c) && p_.liquid_supply_c >= 15 && p_.liquid_supply_c <= 60,
          "liquid_supply_c must be within 15..60 C");
  require(p_.chw_delta_t_k > 0 && p_.chw_delta_t_k <= 20, "chw_delta_t_k must be in (0, 20]");
  require(p_.liquid_delta_t_k > 0 && p_.liquid_delta_t_k <= 30,
          "liquid_delta_t_k must be in (0, 30]");
  require(p_.rated_cop > 0 && p_.rated_cop <= 15, "rated_cop must be in (0, 15]");
  require(p_.air_cooled_rated_cop > 0 && p_.air_cooled_rated_cop <= 10,
          "air_cooled_rated_cop must be in (0, 10]");
  require(std::isfinite(p_.min_condenser_entering_c) && p_.min_condenser_entering_c >= 10 &&
              p_.min_condenser_entering_c <= 35,
          "min_condenser_entering_c must be within 10..35 C (the chiller curve turns below 10)");
  for (double x :
       {p_.air_cooled_condenser_approach_k, p_.tower_approach_k, p_.economizer_approach_k,
        p_.dry_cooler_approach_k, p_.crah_fan_w_per_w_heat, p_.chw_pump_w_per_w_heat,
        p_.tower_fan_w_per_w_heat, p_.dry_cooler_fan_w_per_w_heat, p_.liquid_pump_w_per_w_heat}) {
    require(finite_nonneg(x), "approaches and fan/pump coefficients must be finite and >= 0");
  }
  require(p_.cycles_of_concentration > 1 && std::isfinite(p_.cycles_of_concentration),
          "cycles_of_concentration must be > 1");
}

CoolingResult CoolingPlant::at(double it_heat_w, double other_heat_w, const WeatherHour& w) const {
  require(finite_heat(it_heat_w) && finite_heat(other_heat_w), "heat must be finite and >= 0");
  require(std::isfinite(w.drybulb_c) && std::isfinite(w.wetbulb_c), "weather must be finite");
  const bool towers = water_cooled(p_.kind);

  // Air path. Fan and pump work inside the building ends as heat in the water it moves.
  const double q_air = (1.0 - p_.liquid_fraction) * it_heat_w + other_heat_w;
  const double crah_w = p_.crah_fan_w_per_w_heat * q_air;
  const double chw_pump_w = p_.chw_pump_w_per_w_heat * q_air;
  const double q_chw = q_air + crah_w + chw_pump_w;
  // Water-side economizer in series on the return: it pre-cools the return water towards the
  // source temperature, so its share falls linearly from 1 to 0 across one CHW ΔT.
  const double source_c =
      towers ? w.wetbulb_c + p_.tower_approach_k : w.drybulb_c + p_.dry_cooler_approach_k;
  const double chw_return_c = p_.chw_supply_c + p_.chw_delta_t_k;
  const double f_free =
      clamp01((chw_return_c - p_.economizer_approach_k - source_c) / p_.chw_delta_t_k);
  const double q_free = f_free * q_chw;

  // Liquid path: dry coolers cool the return towards dry bulb + approach; the chiller trims the
  // rest down to the supply temperature.
  const double q_liq = has_liquid_loop(p_.kind) ? p_.liquid_fraction * it_heat_w : 0.0;
  const double liquid_pump_w = p_.liquid_pump_w_per_w_heat * q_liq;
  const double q_loop = q_liq + liquid_pump_w;
  const double dry_leaving_c = w.drybulb_c + p_.dry_cooler_approach_k;
  const double f_dry =
      clamp01((p_.liquid_supply_c + p_.liquid_delta_t_k - dry_leaving_c) / p_.liquid_delta_t_k);
  const double q_dry = f_dry * q_loop;

  // Chillers. Condenser entering: tower water, or outdoor air for air-cooled machines, never
  // below the floor their head-pressure control holds.
  const double tc = std::max(p_.min_condenser_entering_c,
                             towers ? w.wetbulb_c + p_.tower_approach_k
                                    : w.drybulb_c + p_.air_cooled_condenser_approach_k);
  auto cop = [&](double te_c) {
    const double te = std::clamp(te_c, kCurveMinChw_c, kCurveMaxChw_c);
    if (towers) return doe2_chiller_cop(p_.rated_cop, te, tc);
    // Air-cooled: the centrifugal curve's shape scaled to the air-cooled rating (approximation).
    return p_.air_cooled_rated_cop *
           doe2_centrifugal_eir_ft(kRatingChw_c, kAirCooledRatingAmbient_c) /
           doe2_centrifugal_eir_ft(te, tc);
  };
  const double chiller_w =
      (q_chw - q_free) / cop(p_.chw_supply_c) + (q_loop - q_dry) / cop(p_.liquid_supply_c);

  const double heat_rejected_w = q_chw + q_loop + chiller_w;
  // Towers take everything but the dry coolers' share; air-cooled plants reject free cooling
  // through dry coils and the chillers' heat through their own (COP-rated) condenser fans.
  const double tower_w = towers ? heat_rejected_w - q_dry : 0.0;
  const double dry_w = q_dry + (towers ? 0.0 : q_free);

  CoolingResult r;
  r.chiller_w = chiller_w;
  r.fans_pumps_w = crah_w + chw_pump_w + liquid_pump_w + p_.tower_fan_w_per_w_heat * tower_w +
                   p_.dry_cooler_fan_w_per_w_heat * dry_w;
  r.electric_w = r.chiller_w + r.fans_pumps_w;
  // All tower heat taken as evaporation (an upper bound; cold towers also reject sensibly).
  const double evaporation_kg_per_s = tower_w / kLatentHeat_j_per_kg;
  r.water_kg_per_s = evaporation_kg_per_s * (1.0 + 1.0 / (p_.cycles_of_concentration - 1.0));
  const double load_w = q_chw + q_loop;
  r.free_cooling_fraction = load_w > 0 ? (q_free + q_dry) / load_w : 0.0;
  r.heat_rejected_w = heat_rejected_w;
  return r;
}

}  // namespace dctwin::models
