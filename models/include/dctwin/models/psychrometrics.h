#pragma once
// Moist-air relations of ASHRAE Handbook—Fundamentals (2017), chapter 1, in SI units.
// Temperatures in °C, pressures in Pa, humidity ratio in kg water per kg dry air, relative
// humidity as a fraction 0..1. Equations and sources: docs/cooling-and-climate.md.
// Every function throws std::invalid_argument outside the range its formula is valid for.

namespace dctwin::models {

// Standard atmosphere (ASHRAE 2017 ch.1 eq. 3); valid in the troposphere, -500..11,000 m.
double pressure_at_altitude_pa(double altitude_m);

// Hyland–Wexler (ASHRAE 2017 ch.1 eqs. 5 and 6): over ice below 0 °C, over liquid water
// from 0 °C; valid -100..200 °C.
double saturation_vapour_pressure_pa(double t_c);

// W = 0.621945 p_w / (p − p_w) with p_w = rh × p_ws(t) (eqs. 12, 20, 22).
double humidity_ratio(double t_c, double rh_fraction, double p_pa);

// Inverse of humidity_ratio; capped at 1 (air holding more water than saturation would
// have condensed it).
double relative_humidity(double t_c, double humidity_ratio, double p_pa);

// Thermodynamic wet bulb: the t* solving the psychrometric equation (eq. 33 for t* ≥ 0 °C,
// eq. 35 below) for the state's humidity ratio, by bracketed false position to 1e-7 K.
double wet_bulb_c(double t_c, double rh_fraction, double p_pa);

// Temperature at which the vapour pressure is saturation (over ice below 0 °C, so a frost
// point there), by inverting saturation_vapour_pressure_pa; rh_fraction must be > 0.
double dew_point_c(double t_c, double rh_fraction, double p_pa);

}  // namespace dctwin::models
