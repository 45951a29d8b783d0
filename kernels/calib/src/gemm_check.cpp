// The GEMM reference: float64 on the CPU from the very inputs the GPU used (already rounded
// to the dtype), over a random sample of outputs, so large GEMMs stay cheap to check.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "gemm.h"

namespace calib {

double decode(Dtype t, const unsigned char* p) {
  switch (t) {
    case Dtype::kBf16: {
      std::uint32_t bits = static_cast<std::uint32_t>(p[0] | (p[1] << 8)) << 16;
      float f;
      std::memcpy(&f, &bits, sizeof f);
      return f;
    }
    case Dtype::kFp8E4M3: {  // 1 sign, 4 exponent (bias 7), 3 mantissa; S.1111.111 is NaN
      const int sign = p[0] >> 7, exp = (p[0] >> 3) & 0xF, mant = p[0] & 7;
      if (exp == 15 && mant == 7) return NAN;
      const double mag = exp == 0 ? std::ldexp(mant / 8.0, -6) : std::ldexp(1.0 + mant / 8.0, exp - 7);
      return sign ? -mag : mag;
    }
    default: {
      float f;
      std::memcpy(&f, p, sizeof f);
      return f;
    }
  }
}

namespace {

// Row r (of `len` elements) of a row-major device matrix, decoded to double.
std::vector<double> fetch_row(const void* base, long r, long len, Dtype t) {
  const std::size_t eb = element_bytes(t);
  std::vector<unsigned char> raw(static_cast<std::size_t>(len) * eb);
  CALIB_CHECK(cudaMemcpy(raw.data(), static_cast<const unsigned char*>(base) + static_cast<std::size_t>(r) * len * eb,
                         raw.size(), cudaMemcpyDeviceToHost));
  std::vector<double> out(static_cast<std::size_t>(len));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = decode(t, raw.data() + i * eb);
  return out;
}

// Up to `want` distinct indices in [0, n): always the first and last, the rest random.
std::vector<long> pick(long n, int want, std::mt19937_64& rng) {
  std::vector<long> idx;
  if (n <= want) {
    for (long i = 0; i < n; ++i) idx.push_back(i);
    return idx;
  }
  idx = {0, n - 1};
  std::uniform_int_distribution<long> d(1, n - 2);
  while (static_cast<int>(idx.size()) < want) {
    const long v = d(rng);
    if (std::find(idx.begin(), idx.end(), v) == idx.end()) idx.push_back(v);
  }
  return idx;
}

}  // namespace

double sampled_rel_error(const GemmShape& s, const void* x, const void* w, const void* y, int rows, int cols,
                         std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const Dtype out = output_type(s.dtype);
  const std::vector<long> is = pick(s.m, rows, rng), js = pick(s.n, cols, rng);
  std::vector<std::vector<double>> wrows;
  for (long j : js) wrows.push_back(fetch_row(w, j, s.k, s.dtype));
  double err2 = 0, ref2 = 0;
  for (long i : is) {
    const std::vector<double> xr = fetch_row(x, i, s.k, s.dtype);
    const std::vector<double> yr = fetch_row(y, i, s.n, out);
    for (std::size_t c = 0; c < js.size(); ++c) {
      double ref = 0;
      for (long l = 0; l < s.k; ++l) ref += xr[static_cast<std::size_t>(l)] * wrows[c][static_cast<std::size_t>(l)];
      const double got = yr[static_cast<std::size_t>(js[c])];
      if (!std::isfinite(got)) return NAN;
      err2 += (got - ref) * (got - ref);
      ref2 += ref * ref;
    }
  }
  return ref2 > 0 ? std::sqrt(err2 / ref2) : NAN;
}

}  // namespace calib
