// A contracted a*b+c (one rounding) would differ from tfjs's separate Mul and Add kernels.
// (The build passes -fno-math-errno: a sqrt that may set errno keeps the loop from vectorising.)
#pragma GCC optimize("fp-contract=off")

#include "adam.h"

#include <cmath>

namespace gg {

namespace {

// The step over n floats. Multiplying by gradScale even when it is 1 changes no bit and keeps
// the loop branch-free, so it vectorises.
template <typename WIn, typename WOut>
inline void adamLoop(WIn w, WOut wOut, const float* __restrict g, float* __restrict m, float* __restrict v,
                     int64_t n, const AdamStep& s) {
  const float b1 = s.beta1, b2 = s.beta2, a1 = s.oneMinusBeta1, a2 = s.oneMinusBeta2;
  const float c1 = s.biasCorrection1, c2 = s.biasCorrection2, negLr = s.negLr, eps = s.epsilon;
  const float scale = s.gradScale;
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i] * scale;
    const float mi = m[i] * b1 + gi * a1;
    const float vi = v[i] * b2 + (gi * gi) * a2;
    m[i] = mi;
    v[i] = vi;
    wOut[i] = ((mi / c1) / (__builtin_sqrtf(vi / c2) + eps)) * negLr + w[i];
  }
}

}  // namespace

void adamUpdate(const float* w, float* wOut, const float* g, float* m, float* v, int64_t n, const AdamStep& s) {
  if (w == wOut) {
    adamLoop<float*, float*>(wOut, wOut, g, m, v, n, s);
  } else {
    adamLoop<const float* __restrict, float* __restrict>(w, wOut, g, m, v, n, s);
  }
}

double sumSquares(const float* x, int64_t n) {
  // Eight independent partial sums: a single accumulator would serialise on the add latency.
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; k++) acc[k] += double(x[i + k]) * double(x[i + k]);
  for (; i < n; i++) acc[0] += double(x[i]) * double(x[i]);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

}  // namespace gg
