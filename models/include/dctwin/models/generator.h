#pragma once
// Standby diesel generation: per-unit fuel curves on an electrical-output basis and a plant
// of identical units sharing load equally. Equations and sources: docs/power-and-grid.md.
#include <vector>

namespace dctwin::models {

// UK DEFRA conversion factors 2025: 100 % mineral diesel, kg CO2e per litre.
inline constexpr double kDieselKgCo2PerLitre = 2.66155;

// Fuel use of one generator set against its ELECTRICAL output.
struct FuelCurve {
  double rated_kw = 0;                // electrical output at 100 % load
  std::vector<double> load_fraction;  // of rated_kw, strictly increasing, in (0, 1]
  std::vector<double> litres_per_hour;

  // Throws std::invalid_argument unless rated_kw > 0, >= 2 points, fractions strictly
  // increasing within (0, 1], litres > 0 and non-decreasing.
  void validate() const;
  // Piecewise linear between points; below the lowest point the first segment is extended
  // towards zero load (never below 0 L/h). Above the highest point (but <= rated) the last
  // segment is extended. Throws std::invalid_argument if load_kw < 0 or > rated_kw.
  double fuel_l_per_h(double load_kw) const;
};

// Cummins QSK60-G4, 1500 rpm, prime 1730 kWm (data sheet FR-6345): 394/291/200/114 L/h at
// 100/75/50/25 % ENGINE load, moved to electrical kW with the Caterpillar 3516 2000 kW
// alternator efficiencies 96.2/96.2/95.7/93.2 % (TMI 2013). Rated 1730 × 0.962 = 1664.26 kWe.
FuelCurve qsk60_g4_prime_fuel_curve();

struct GeneratorOutput {
  double served_kw = 0;       // min(load, capacity)
  double unserved_kw = 0;     // load above capacity (0 unless overloaded)
  bool overloaded = false;
  int running_units = 0;      // ceil(served / unit rating); they share served_kw equally
  double unit_load_kw = 0;    // electrical load on each running unit
  double bridged_s = 0;       // start-up time the UPS must carry (from_cold runs only)
  double energy_kwh = 0;      // electrical energy delivered
  double litres = 0;
  double co2_kg = 0;          // litres × kDieselKgCo2PerLitre
};

class GeneratorPlant {
 public:
  // units >= 1 identical sets; start_s >= 0 is the start-to-load time (NFPA 110 Type 10:
  // <= 10 s). Throws std::invalid_argument on a bad curve or argument.
  GeneratorPlant(int units, FuelCurve per_unit, double start_s);

  int units() const { return units_; }
  double start_s() const { return start_s_; }
  double capacity_kw() const { return units_ * per_unit_.rated_kw; }
  const FuelCurve& per_unit() const { return per_unit_; }

  // Runs the plant at load_kw for duration_s. Above capacity the output is clamped to
  // capacity and flagged, not refused. from_cold: the first start_s carries no load and
  // burns no fuel (cranking fuel ignored). Throws if load_kw or duration_s is negative.
  GeneratorOutput run(double load_kw, double duration_s, bool from_cold = false) const;

 private:
  int units_;
  FuelCurve per_unit_;
  double start_s_;
};

}  // namespace dctwin::models
