#include "dctwin/models/power_chain.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include "require.h"

namespace dctwin::models {
namespace {
constexpr detail::Require require{"power chain"};
}  // namespace

void LossCurve::validate() const {
  require(std::isfinite(rated_w) && rated_w > 0, "rated_w must be positive");
  for (double f : {no_load_fraction, proportional_fraction, quadratic_fraction}) {
    require(std::isfinite(f) && f >= 0, "loss fractions must be finite and >= 0");
  }
}

double LossCurve::loss_w(double load_w) const {
  require(std::isfinite(load_w) && load_w >= 0, "load must be finite and >= 0");
  const double x = load_w / rated_w;
  return rated_w * (no_load_fraction + proportional_fraction * x + quadratic_fraction * x * x);
}

double LossCurve::efficiency(double load_w) const {
  if (load_w == 0) return 0;
  return load_w / input_w(load_w);
}

LossCurve LossCurve::from_efficiencies(double rated_w, double eff_25, double eff_50,
                                       double eff_100) {
  for (double e : {eff_25, eff_50, eff_100}) require(e > 0 && e <= 1, "efficiency in (0, 1]");
  // Loss per unit of rating at x: x (1/eff - 1). Three points, three unknowns, solved by hand.
  const double l25 = 0.25 * (1 / eff_25 - 1);
  const double l50 = 0.5 * (1 / eff_50 - 1);
  const double l100 = 1 / eff_100 - 1;
  // l50 - l25 = 0.25 a1 + 0.1875 a2 ; l100 - l50 = 0.5 a1 + 0.75 a2
  const double a2 = ((l100 - l50) - 2 * (l50 - l25)) / 0.375;
  const double a1 = ((l50 - l25) - 0.1875 * a2) / 0.25;
  const double a0 = l100 - a1 - a2;
  require(a0 >= 0 && a1 >= 0 && a2 >= 0, "efficiencies give a negative loss coefficient");
  LossCurve c{rated_w, a0, a1, a2};
  c.validate();
  return c;
}

PowerChain::PowerChain(LossCurve transformer, LossCurve ups, LossCurve pdu)
    : transformer_(transformer), ups_(ups), pdu_(pdu) {
  transformer_.validate();
  ups_.validate();
  pdu_.validate();
}

PowerChain PowerChain::with_defaults(double design_it_w) {
  require(std::isfinite(design_it_w) && design_it_w > 0, "design IT load must be positive");
  // Transformer: 0.3 % core loss + 0.9 % copper loss at rating (ASSUMPTION) -> 98.6-99.0 %.
  const LossCurve transformer{kDefaultTransformerRatingPerItW * design_it_w, 0.003, 0, 0.009};
  // Double-conversion UPS >= 200 kVA (ASSUMPTION anchored on FEMP/ENERGY STAR 96.7 % average
  // and "up to 97 %" for large double conversion; reference/power_equipment.csv).
  const LossCurve ups =
      LossCurve::from_efficiencies(kDefaultUpsRatingPerItW * design_it_w, 0.945, 0.965, 0.97);
  // PDU: metering/control 0.1 % + cable and breaker I²R 0.4 % at rating (ASSUMPTION).
  const LossCurve pdu{design_it_w, 0.001, 0, 0.004};
  return PowerChain(transformer, ups, pdu);
}

PowerChainLosses PowerChain::losses(double it_w, double mechanical_w) const {
  require(std::isfinite(mechanical_w) && mechanical_w >= 0, "mechanical load must be >= 0");
  PowerChainLosses l;
  l.pdu_w = pdu_.loss_w(it_w);
  const double ups_out_w = it_w + l.pdu_w;
  l.ups_w = ups_.loss_w(ups_out_w);
  l.transformer_w = transformer_.loss_w(ups_out_w + l.ups_w + mechanical_w);
  return l;
}

double PowerChain::input_w(double it_w, double mechanical_w) const {
  return it_w + mechanical_w + losses(it_w, mechanical_w).total_w();
}

}  // namespace dctwin::models
