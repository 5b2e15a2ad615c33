#include "epilogue.h"

#include <cmath>

namespace gg {

void biasActivation(float* C, int64_t M, int64_t N, int64_t ldc, const float* bias, Activation act) {
  for (int64_t i = 0; i < M; i++) {
    float* __restrict row = C + i * ldc;
    if (bias != nullptr)
      for (int64_t j = 0; j < N; j++) row[j] += bias[j];
    switch (act) {
      case Activation::Linear:
        break;
      case Activation::Relu:
        for (int64_t j = 0; j < N; j++) row[j] = row[j] > 0.f ? row[j] : 0.f;
        break;
      case Activation::Tanh:
        for (int64_t j = 0; j < N; j++) row[j] = std::tanh(row[j]);
        break;
    }
  }
}

void reluMask(float* __restrict d, const float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) d[i] = y[i] > 0.f ? d[i] : 0.f;
}

}  // namespace gg
