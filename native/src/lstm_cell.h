// The elementwise part of an LSTM cell (the gate GEMMs run on sgemm), forward and backward, on
// `rows` rows of hidden size H. Gate pre-activations and activations are [rows, 4H] row-major
// with column blocks i, f, o, u; cell states, their tanh, h and gradients are [rows, H].
//
//   forward:  [i, f, o] = sigmoid(z_i, z_f, z_o), u = tanh(z_u), c = i u + f c_prev, h = o tanh(c)
//   backward: do = dh tanh(c), dc = dh o (1 - tanh(c)^2) + dc_next, then
//             dz = [dc u i(1-i), dc c_prev f(1-f), do o(1-o), dc i (1-u^2)], dc_next = dc f
//
// sigmoid and tanh are the vectorisable float32 functions below (max relative error about 2 ulp,
// test/lstm-cell.test.ts bounds it): a call to the C library's expf/tanhf per element does not
// vectorise and made the cell ~10x slower. Every operation is the same in vector and scalar
// lanes (no contraction), so an element's result does not depend on its position or on B.
#pragma once

#include <cstdint>

namespace gg {

/**
 * In place on `a` ([rows, 4H] pre-activations -> activations); writes c, tc = tanh(c) and h
 * ([rows, H] each). `cPrev` null: the zero previous state (c = i u). No output may overlap
 * another operand.
 */
void lstmCellForward(float* a, const float* cPrev, float* c, float* tc, float* h, int64_t rows, int64_t H);

/**
 * One step of the cell's backward: reads dh, the saved activations a, tc = tanh(c) and `cPrev`
 * (null at the first step: df = 0), and the carry dc (the cell gradient from the step after, all
 * zeros at the last step); writes dz ([rows, 4H]) and replaces dc with dc_t f_t for the step
 * before. No output may overlap another operand.
 */
void lstmCellBackward(const float* dh, const float* a, const float* tc, const float* cPrev, float* dc, float* dz,
                      int64_t rows, int64_t H);

}  // namespace gg
