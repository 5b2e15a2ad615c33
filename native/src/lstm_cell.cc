// Every operation is rounded on its own (no fused multiply-add), so vector lanes and the scalar
// tail give the same bits, whatever the compiler vectorises.
#pragma GCC optimize("fp-contract=off")

#include "lstm_cell.h"

#include <cstdint>
#include <cstring>

namespace gg {

namespace {

inline float asFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

inline uint32_t asBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

// exp(x) for x in [-126 ln 2, 88] (callers clamp: 2^n must stay a normal number), Cephes' expf: x = n ln2 + r with |r| <= ln2 / 2
// (ln2 split in two so n * the first part is exact), e^r by a degree-7 polynomial, 2^n put in
// the exponent bits. Relative error below 2 ulp; only arithmetic and bit moves, so it vectorises.
inline float expClamped(float x) {
  const float shifter = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer in the low mantissa bits
  const float t = x * 1.44269504088896341f + shifter;
  const float n = t - shifter;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  // The low bits of t hold n (two's complement in 22 bits); the exponent field is n + 127.
  const uint32_t e = (asBits(t) - asBits(shifter) + 127u) << 23;
  return p * asFloat(e);
}

inline float absf(float x) { return asFloat(asBits(x) & 0x7fffffffu); }

// 1 / (1 + e^-x) from e = e^-|x| <= 1 (no overflow): s = 1 / (1 + e) for x >= 0, e s for x < 0.
// Below -126 ln 2 the result would be subnormal (< 2^-126): it is flushed to 0. NaN stays NaN.
inline float sigmoid(float x) {
  const float ax = absf(x);
  const float kMax = 87.33654f;  // 126 ln 2, rounded down
  float e = expClamped(-(ax < kMax ? ax : kMax));
  e = ax < kMax ? e : 0.f;
  const float s = 1.f / (1.f + e);
  return x >= 0.f ? s : (x < 0.f ? e * s : x);
}

// Cephes' tanhf: an odd polynomial below |x| = 0.625, 1 - 2 / (e^{2|x|} + 1) above (1 in float32
// from |x| = 9.01 on); both computed and one selected, so the loop vectorises. NaN stays NaN.
inline float tanhf_(float x) {
  const float ax = absf(x);
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * x + x;
  const float a2 = ax + ax;
  const float e = expClamped(a2 < 88.f ? a2 : 88.f);
  const float big = 1.f - 2.f / (e + 1.f);
  const float signedBig = x < 0.f ? -big : big;
  return ax < 0.625f ? small : (ax >= 0.625f ? signedBig : x);
}

// One row of the forward; kPrev false: the zero previous state (c = i u, cPrev not read).
template <bool kPrev>
void forwardRow(float* __restrict zi, float* __restrict zf, float* __restrict zo, float* __restrict zu,
                const float* __restrict cPrev, float* __restrict c, float* __restrict tc, float* __restrict h,
                int64_t H) {
  for (int64_t j = 0; j < H; j++) {
    const float i = sigmoid(zi[j]), f = sigmoid(zf[j]), o = sigmoid(zo[j]), u = tanhf_(zu[j]);
    zi[j] = i;
    zf[j] = f;
    zo[j] = o;
    zu[j] = u;
    const float cv = kPrev ? i * u + f * cPrev[j] : i * u;
    const float t = tanhf_(cv);
    c[j] = cv;
    tc[j] = t;
    h[j] = o * t;
  }
}

// One row of the backward; kPrev false: the first step (df = 0, cPrev not read).
template <bool kPrev>
void backwardRow(const float* __restrict dh, const float* __restrict ai, const float* __restrict af,
                 const float* __restrict ao, const float* __restrict au, const float* __restrict tc,
                 const float* __restrict cPrev, float* __restrict carry, float* __restrict di, float* __restrict df,
                 float* __restrict dO, float* __restrict du, int64_t H) {
  for (int64_t j = 0; j < H; j++) {
    const float i = ai[j], f = af[j], o = ao[j], u = au[j], g = dh[j], t = tc[j];
    const float dc = g * o * (1.f - t * t) + carry[j];
    di[j] = dc * u * i * (1.f - i);
    df[j] = kPrev ? dc * cPrev[j] * f * (1.f - f) : 0.f;
    dO[j] = g * t * o * (1.f - o);
    du[j] = dc * i * (1.f - u * u);
    carry[j] = dc * f;
  }
}

}  // namespace

void lstmCellForward(float* a, const float* cPrev, float* c, float* tc, float* h, int64_t rows, int64_t H) {
  for (int64_t b = 0; b < rows; b++) {
    float* z = a + b * 4 * H;
    if (cPrev == nullptr) {
      forwardRow<false>(z, z + H, z + 2 * H, z + 3 * H, nullptr, c + b * H, tc + b * H, h + b * H, H);
    } else {
      forwardRow<true>(z, z + H, z + 2 * H, z + 3 * H, cPrev + b * H, c + b * H, tc + b * H, h + b * H, H);
    }
  }
}

void lstmCellBackward(const float* dh, const float* a, const float* tc, const float* cPrev, float* dc, float* dz,
                      int64_t rows, int64_t H) {
  for (int64_t b = 0; b < rows; b++) {
    const float* ab = a + b * 4 * H;
    float* d = dz + b * 4 * H;
    if (cPrev == nullptr) {
      backwardRow<false>(dh + b * H, ab, ab + H, ab + 2 * H, ab + 3 * H, tc + b * H, nullptr, dc + b * H, d, d + H,
                         d + 2 * H, d + 3 * H, H);
    } else {
      backwardRow<true>(dh + b * H, ab, ab + H, ab + 2 * H, ab + 3 * H, tc + b * H, cPrev + b * H, dc + b * H, d,
                        d + H, d + 2 * H, d + 3 * H, H);
    }
  }
}

}  // namespace gg
