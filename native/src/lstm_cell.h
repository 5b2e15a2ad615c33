// The elementwise part of an LSTM cell (the gate GEMMs run on sgemm), forward and backward, on
// `rows` rows of hidden size H. Gate pre-activations and activations are [rows, 4H] row-major
// with column blocks i, f, o, u; cell states, their tanh, h and gradients are [rows, H].
//
//   forward:  [i, f, o] = sigmoid(z_i, z_f, z_o), u = tanh(z_u), c = i u + f c_prev, h = o tanh(c)
//   backward: do = dh tanh(c), dc = dh o (1 - tanh(c)^2) + dc_next, then
//             dz = [dc u i(1-i), dc c_prev f(1-f), do o(1-o), dc i (1-u^2)], dc_next = dc f
//
// sigmoid and tanh are vectorisable float32 functions of plain arithmetic (lstm_cell.cc; relative
// error below 4 ulp, measured 3.4 and 2.3; test/lstm-cell.test.ts bounds it): the C library's
// expf/tanhf, one call per element, do not vectorise and made the forward cell 13x slower
// (1.28 vs 0.096 ms a step at B=128, H=256, measured in a C++ loop on this machine). Every
// operation is the same in vector and scalar lanes (no contraction), so an element's result does
// not depend on its position or on B.
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
