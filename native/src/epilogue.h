// The elementwise tail of a dense layer on a row-major M x N matrix, in place: add a bias row,
// then an activation. With sgemm's beta=1 accumulation it makes a whole layer two native calls.
#pragma once

#include <cstdint>

namespace gg {

enum class Activation { Linear = 0, Relu = 1, Tanh = 2 };

/** C[i][j] = act(C[i][j] + bias[j]) over rows i < M (row stride ldc); bias may be null. */
void biasActivation(float* C, int64_t M, int64_t N, int64_t ldc, const float* bias, Activation act);

/** ReLU's backward through its output: d[i] = y[i] > 0 ? d[i] : 0 over n floats (d, y distinct). */
void reluMask(float* d, const float* y, int64_t n);

}  // namespace gg
