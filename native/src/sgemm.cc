#include "sgemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "thread_pool.h"

namespace gg {

// ---- Micro-kernel geometry: one register tile of MR x NR accumulators. ----
#if defined(__AVX512F__)
constexpr int W = 16;  // floats per vector
constexpr int MR = 8;  // 8 x 32 tile = 16 zmm accumulators
static const char* kSimd = "avx512";
#elif defined(__AVX2__) && defined(__FMA__)
constexpr int W = 8;
constexpr int MR = 6;  // 6 x 16 tile = 12 ymm accumulators
static const char* kSimd = "avx2";
#else
constexpr int W = 4;
constexpr int MR = 4;
static const char* kSimd = "generic";
#endif
constexpr int NR = 2 * W;

// Cache blocking: a KC x NR panel of B (32 KiB at KC=256, NR=32) stays in L1 while the MC x KC
// block of A (128 KiB) sits in L2; NC bounds the packed B block.
constexpr int64_t KC = 256;
constexpr int64_t MC = 128;
constexpr int64_t NC = 2048;

typedef float vf __attribute__((vector_size(W * sizeof(float))));
typedef float vfu __attribute__((vector_size(W * sizeof(float)), aligned(4), may_alias));

// Broadcast of a scalar. Written as an intrinsic because `vf{} + x` costs an extra vaddss per
// broadcast (0 + x is not x for -0.0), which halves the micro-kernel's throughput.
static inline vf splat(float x) {
#if defined(__AVX512F__)
  return (vf)_mm512_set1_ps(x);
#elif defined(__AVX2__)
  return (vf)_mm256_set1_ps(x);
#else
  return vf{x, x, x, x};
#endif
}

const char* simdName() { return kSimd; }
int tileRows() { return MR; }
int tileCols() { return NR; }

// ---- Packing: copy op(A) / op(B) blocks into contiguous, zero-padded micro-panels. ----

static inline float opA(const GemmProblem& p, const float* A, int64_t i, int64_t k) {
  return p.transA ? A[k * p.lda + i] : A[i * p.lda + k];
}

// Packs rows [i0, i0+mc) x cols [k0, k0+kc) of op(A) as MR-row panels: panel-major, then k, then r.
static void packA(const GemmProblem& p, const float* A, int64_t i0, int64_t mc, int64_t k0, int64_t kc,
                  float* dst) {
  for (int64_t ip = 0; ip < mc; ip += MR) {
    const int64_t rows = std::min<int64_t>(MR, mc - ip);
    if (p.transA) {
      // op(A)(i, k) = A[k][i]: the MR values for one k are contiguous.
      for (int64_t k = 0; k < kc; k++) {
        const float* src = A + (k0 + k) * p.lda + i0 + ip;
        int64_t r = 0;
        for (; r < rows; r++) dst[r] = src[r];
        for (; r < MR; r++) dst[r] = 0.f;
        dst += MR;
      }
    } else {
      const float* rowPtr[MR];
      for (int r = 0; r < MR; r++) rowPtr[r] = A + (i0 + ip + std::min<int64_t>(r, rows - 1)) * p.lda + k0;
      for (int64_t k = 0; k < kc; k++) {
        for (int r = 0; r < MR; r++) dst[r] = r < rows ? rowPtr[r][k] : 0.f;
        dst += MR;
      }
    }
  }
}

#if defined(__AVX2__)
// In place: r[i][j] becomes r[j][i] (the standard unpack / shuffle / lane-permute sequence).
static inline void transpose8x8(__m256 r[8]) {
  __m256 t[8], s[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    s[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    s[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    s[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    s[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int i = 0; i < 4; i++) {
    r[i] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x20);
    r[i + 4] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x31);
  }
}
#endif

// Packs rows [k0, k0+kc) x cols [j0, j0+nc) of op(B) as NR-column panels: panel-major, then k, then c.
static void packB(const GemmProblem& p, const float* B, int64_t k0, int64_t kc, int64_t j0, int64_t nc,
                  float* dst) {
  for (int64_t jp = 0; jp < nc; jp += NR) {
    const int64_t cols = std::min<int64_t>(NR, nc - jp);
    if (!p.transB) {
      for (int64_t k = 0; k < kc; k++) {
        const float* src = B + (k0 + k) * p.ldb + j0 + jp;
        if (cols == NR) {
          for (int v = 0; v < NR; v += W) *(vf*)(dst + v) = *(const vfu*)(src + v);
        } else {
          int64_t c = 0;
          for (; c < cols; c++) dst[c] = src[c];
          for (; c < NR; c++) dst[c] = 0.f;
        }
        dst += NR;
      }
    } else {
      // op(B)(k, j) = B[j][k]: read NR rows of B in parallel, each sequentially in k.
      const float* colPtr[NR];
      for (int c = 0; c < NR; c++) colPtr[c] = B + (j0 + jp + std::min<int64_t>(c, cols - 1)) * p.ldb + k0;
      int64_t k = 0;
#if defined(__AVX2__)
      // Whole panels in 8 x 8 blocks: eight rows of B, 8 values of k each, transposed in
      // registers. The scalar gather below made packing cost as much as the multiply when few
      // rows of A share the packed panel (M = 128: the lstm's recurrent gradient, 2x slower).
      if (cols == NR)
        for (; k + 8 <= kc; k += 8) {
          for (int c = 0; c < NR; c += 8) {
            __m256 r[8];
            for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(colPtr[c + i] + k);
            transpose8x8(r);
            for (int i = 0; i < 8; i++) _mm256_storeu_ps(dst + i * NR + c, r[i]);
          }
          dst += 8 * NR;
        }
#endif
      for (; k < kc; k++) {
        for (int c = 0; c < NR; c++) dst[c] = c < cols ? colPtr[c][k] : 0.f;
        dst += NR;
      }
    }
  }
}

// ---- Micro-kernel: an MR x NR tile of C from packed panels a (kc x MR) and b (kc x NR). ----
// `accumulate` false applies beta to C (beta == 0 never reads C, so stale NaNs cannot leak in);
// true adds onto C (later KC blocks).
static inline void microKernel(int64_t kc, const float* __restrict a, const float* __restrict b, float* c,
                               int64_t ldc, int64_t rows, int64_t cols, float alpha, float beta,
                               bool accumulate) {
  vf acc0[MR], acc1[MR];
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++) {
    acc0[r] = vf{};
    acc1[r] = vf{};
  }
  for (int64_t k = 0; k < kc; k++) {
    const vf b0 = *(const vf*)(b);
    const vf b1 = *(const vf*)(b + W);
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
      const vf ar = splat(a[r]);
      acc0[r] += ar * b0;
      acc1[r] += ar * b1;
    }
    a += MR;
    b += NR;
  }
  const vf va = splat(alpha);
  if (rows == MR && cols == NR) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
      vfu* c0 = (vfu*)(c + r * ldc);
      vfu* c1 = (vfu*)(c + r * ldc + W);
      if (accumulate) {
        *c0 = *c0 + va * acc0[r];
        *c1 = *c1 + va * acc1[r];
      } else if (beta == 0.f) {
        *c0 = va * acc0[r];
        *c1 = va * acc1[r];
      } else {
        const vf vb = splat(beta);
        *c0 = vb * *c0 + va * acc0[r];
        *c1 = vb * *c1 + va * acc1[r];
      }
    }
    return;
  }
  alignas(64) float tile[MR * NR];
  for (int r = 0; r < MR; r++) {
    *(vf*)(tile + r * NR) = va * acc0[r];
    *(vf*)(tile + r * NR + W) = va * acc1[r];
  }
  for (int64_t r = 0; r < rows; r++) {
    float* cr = c + r * ldc;
    const float* tr = tile + r * NR;
    if (accumulate) {
      for (int64_t j = 0; j < cols; j++) cr[j] += tr[j];
    } else if (beta == 0.f) {
      for (int64_t j = 0; j < cols; j++) cr[j] = tr[j];
    } else {
      for (int64_t j = 0; j < cols; j++) cr[j] = beta * cr[j] + tr[j];
    }
  }
}

// ---- Per-thread packing buffers (64-byte aligned, grown on demand, kept between calls). ----
struct PackBuffers {
  float* a = nullptr;
  float* b = nullptr;
  size_t aSize = 0, bSize = 0;
  ~PackBuffers() {
    std::free(a);
    std::free(b);
  }
  static float* grow(float* old, size_t& have, size_t need) {
    if (need <= have) return old;
    std::free(old);
    have = (need + 15) & ~size_t(15);
    return static_cast<float*>(std::aligned_alloc(64, have * sizeof(float)));
  }
};
static thread_local PackBuffers tlsPack;

// C(M x N) = alpha op(A) op(B) + beta C for rows [m0, m1) and cols [n0, n1) of one problem.
static void gemmSerial(const GemmProblem& p, const float* A, const float* B, float* C, int64_t m0, int64_t m1,
                       int64_t n0, int64_t n1) {
  if (m1 <= m0 || n1 <= n0) return;
  if (p.K == 0) {
    for (int64_t i = m0; i < m1; i++)
      for (int64_t j = n0; j < n1; j++) C[i * p.ldc + j] = p.beta == 0.f ? 0.f : p.beta * C[i * p.ldc + j];
    return;
  }
  PackBuffers& buf = tlsPack;
  const int64_t ncMax = std::min<int64_t>(NC, n1 - n0);
  const int64_t kcMax = std::min<int64_t>(KC, p.K);
  const int64_t mcMax = std::min<int64_t>(MC, m1 - m0);
  buf.b = PackBuffers::grow(buf.b, buf.bSize, size_t((ncMax + NR - 1) / NR * NR * kcMax));
  buf.a = PackBuffers::grow(buf.a, buf.aSize, size_t((mcMax + MR - 1) / MR * MR * kcMax));
  for (int64_t jc = n0; jc < n1; jc += NC) {
    const int64_t nc = std::min<int64_t>(NC, n1 - jc);
    for (int64_t pc = 0; pc < p.K; pc += KC) {
      const int64_t kc = std::min<int64_t>(KC, p.K - pc);
      packB(p, B, pc, kc, jc, nc, buf.b);
      for (int64_t ic = m0; ic < m1; ic += MC) {
        const int64_t mc = std::min<int64_t>(MC, m1 - ic);
        packA(p, A, ic, mc, pc, kc, buf.a);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int64_t cols = std::min<int64_t>(NR, nc - jr);
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t rows = std::min<int64_t>(MR, mc - ir);
            microKernel(kc, buf.a + ir * kc, buf.b + jr * kc, C + (ic + ir) * p.ldc + jc + jr, p.ldc, rows, cols,
                        p.alpha, p.beta, pc > 0);
          }
        }
      }
    }
  }
}

// ---- Threading policy. ----
#ifndef GG_PIECES_PER_THREAD
// Pieces per thread: 1 keeps packing overhead lowest; more lets the caller take over the work of
// a descheduled worker sooner.
#define GG_PIECES_PER_THREAD 1
#endif
static int gThreads = 1;
static double gMinParallelFlops = 4e6;
static int gSpinMicros = 200;
static ThreadPool* gPool = nullptr;  // leaked on purpose: lives until process exit

void configureThreads(int threads, double minFlops, int spinMicros) {
  gThreads = std::max(1, threads);
  gMinParallelFlops = minFlops;
  gSpinMicros = spinMicros;
  if (gPool == nullptr || gPool->threads() < gThreads) gPool = new ThreadPool(gThreads, gSpinMicros);
}
int configuredThreads() { return gThreads; }
double minParallelFlops() { return gMinParallelFlops; }

struct Job {
  const GemmProblem* p;
};

// Splits the work of a (batched) problem into `parts` pieces: whole batch items when there are
// enough of them, else column (or row) ranges aligned to the register tile.
static void runPart(void* ctx, int part, int parts) {
  const GemmProblem& p = *static_cast<Job*>(ctx)->p;
  if (p.batch >= parts) {
    const int64_t b0 = p.batch * part / parts, b1 = p.batch * (part + 1) / parts;
    for (int64_t b = b0; b < b1; b++)
      gemmSerial(p, p.A + b * p.strideA, p.B + b * p.strideB, p.C + b * p.strideC, 0, p.M, 0, p.N);
    return;
  }
  for (int64_t b = 0; b < p.batch; b++) {
    const float* A = p.A + b * p.strideA;
    const float* B = p.B + b * p.strideB;
    float* C = p.C + b * p.strideC;
    const int64_t nTiles = (p.N + NR - 1) / NR, mTiles = (p.M + MR - 1) / MR;
    if (nTiles >= parts) {
      const int64_t t0 = nTiles * part / parts, t1 = nTiles * (part + 1) / parts;
      gemmSerial(p, A, B, C, 0, p.M, t0 * NR, std::min(p.N, t1 * NR));
    } else {
      const int64_t t0 = mTiles * part / parts, t1 = mTiles * (part + 1) / parts;
      gemmSerial(p, A, B, C, t0 * MR, std::min(p.M, t1 * MR), 0, p.N);
    }
  }
}

void sgemm(const GemmProblem& p) {
  if (p.M == 0 || p.N == 0 || p.batch == 0) return;
  const double flops = 2.0 * double(p.M) * double(p.N) * double(p.K) * double(p.batch);
  int parts = 1;
  if (gPool != nullptr && gThreads > 1 && flops >= gMinParallelFlops) {
    const int64_t units = std::max<int64_t>(p.batch, std::max((p.N + NR - 1) / NR, (p.M + MR - 1) / MR));
    parts = int(std::min<int64_t>(int64_t(gThreads) * GG_PIECES_PER_THREAD, units));
  }
  Job job{&p};
  if (parts <= 1) {
    runPart(&job, 0, 1);
  } else {
    gPool->run(runPart, &job, parts);
  }
}

}  // namespace gg
