#pragma once
// Electrical losses from the utility transformer to the racks. Each stage's loss follows the
// fixed + proportional + I²R part-load form; equations and defaults: docs/power-and-grid.md.
namespace dctwin::models {

// loss_w(load_w) = rated_w × (no_load + proportional·x + quadratic·x²), x = load_w / rated_w,
// with load_w the stage's OUTPUT power. Loads above rated are allowed (overload).
struct LossCurve {
  double rated_w = 0;
  double no_load_fraction = 0;
  double proportional_fraction = 0;
  double quadratic_fraction = 0;

  double loss_w(double load_w) const;      // throws std::invalid_argument if load_w < 0
  double input_w(double load_w) const { return load_w + loss_w(load_w); }
  double efficiency(double load_w) const;  // load / (load + loss); 0 at zero load

  // Throws std::invalid_argument unless rated_w > 0 and every fraction >= 0 and finite.
  void validate() const;

  // The curve through three efficiency points at 25 %, 50 % and 100 % load (exact fit).
  // Throws std::invalid_argument if an efficiency is outside (0, 1] or a fitted fraction < 0.
  static LossCurve from_efficiencies(double rated_w, double eff_25, double eff_50,
                                     double eff_100);
};

struct PowerChainLosses {
  double pdu_w = 0;
  double ups_w = 0;
  double transformer_w = 0;
  double total_w() const { return pdu_w + ups_w + transformer_w; }
};

// Default sizing of the stages relative to the design IT load (ASSUMPTIONs, see the doc).
inline constexpr double kDefaultUpsRatingPerItW = 1.0;          // N, UPS sized to design IT
inline constexpr double kDefaultTransformerRatingPerItW = 1.5;  // IT + cooling + losses

class PowerChain {
 public:
  // Throws std::invalid_argument if any curve is invalid.
  PowerChain(LossCurve transformer, LossCurve ups, LossCurve pdu);

  // UPS ~94.5/96.5/97 % at 25/50/100 %, transformer ~98.6-99 %, PDU ~99.5 %.
  static PowerChain with_defaults(double design_it_w);

  // PDU carries IT; UPS carries IT + PDU loss; the transformer carries the UPS input plus
  // the mechanical (cooling) load, which is not on the UPS. Throws if a load is negative.
  PowerChainLosses losses(double it_w, double mechanical_w) const;
  // Power drawn from the utility: it_w + mechanical_w + losses(...).total_w().
  double input_w(double it_w, double mechanical_w) const;

  const LossCurve& transformer() const { return transformer_; }
  const LossCurve& ups() const { return ups_; }
  const LossCurve& pdu() const { return pdu_; }

 private:
  LossCurve transformer_, ups_, pdu_;
};

}  // namespace dctwin::models
