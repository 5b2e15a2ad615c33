// Fused Adam update and sum of squares over float32 arrays, for the optimizer's step on the tfjs
// wasm heap: one pass per variable instead of ~10 tfjs kernels (each a heap pass of its own).
#pragma once

#include <cstdint>

namespace gg {

/** Constants of one Adam step, already rounded to float32 as tfjs's scalars would be. */
struct AdamStep {
  float beta1, beta2;                      // moment decays
  float oneMinusBeta1, oneMinusBeta2;      // 1 - beta (rounded from the double difference, as tfjs does)
  float biasCorrection1, biasCorrection2;  // 1 - beta^t, the float32 products tfjs keeps
  float negLr;                             // -learning rate
  float epsilon;
  float gradScale;                         // gradient-clipping factor (1 = none)
};

/**
 * Over n floats: g' = g * gradScale; m = m*b1 + g'*(1-b1); v = v*b2 + g'^2*(1-b2) (m, v in
 * place); wOut = (m/c1) / (sqrt(v/c2) + eps) * (-lr) + w (wOut may be w). Same operation order
 * as tfjs's AdamOptimizer and no fused multiply-add, so the result is bit-identical to it.
 */
void adamUpdate(const float* w, float* wOut, const float* g, float* m, float* v, int64_t n, const AdamStep& s);

/** Sum of x[i]^2 accumulated in double. */
double sumSquares(const float* x, int64_t n);

}  // namespace gg
