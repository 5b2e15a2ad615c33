// Single-precision GEMM on row-major matrices, the operation behind tfjs's BatchMatMul:
//   C = alpha * op(A) * op(B) + beta * C,   op(X) = X or X^T,
// with op(A) M x K, op(B) K x N, C M x N, and leading dimensions (row strides) lda, ldb, ldc.
// Cache-blocked (Goto/BLIS loop order), packed panels, a register-tiled SIMD micro-kernel.
#pragma once

#include <cstdint>

namespace gg {

/** Which SIMD micro-kernel this build uses ("avx512", "avx2" or "generic"). */
const char* simdName();
/** Rows and columns of the micro-kernel's register tile. */
int tileRows();
int tileCols();

/** One GEMM problem (or a batch of equally shaped ones; strides in elements, 0 = broadcast). */
struct GemmProblem {
  bool transA = false, transB = false;
  int64_t M = 0, N = 0, K = 0;
  float alpha = 1.f, beta = 0.f;
  const float* A = nullptr;
  int64_t lda = 0, strideA = 0;
  const float* B = nullptr;
  int64_t ldb = 0, strideB = 0;
  float* C = nullptr;
  int64_t ldc = 0, strideC = 0;
  int64_t batch = 1;
};

/** Threading policy: at most `threads` threads; problems under `minParallelFlops` run on one. */
void configureThreads(int threads, double minParallelFlops, int spinMicros);
int configuredThreads();
double minParallelFlops();

/** Runs the (batched) GEMM. Sizes and pointers must already be validated. */
void sgemm(const GemmProblem& p);

}  // namespace gg
