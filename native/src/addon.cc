// N-API bindings (plain C API from Node's headers, no node-addon-api) for the GEMM kernels.
// Operands are ArrayBuffers or TypedArrays plus a byte offset, so the kernels can run directly on
// the tfjs wasm backend's heap (the caller passes the current heap every call: it can grow).
//
//   sgemm(transA, transB, M, N, K, alpha, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc)
//   sgemmBatched(transA, transB, M, N, K, alpha, A, aOffset, lda, strideA, B, bOffset, ldb, strideB,
//                beta, C, cOffset, ldc, strideC, batch)          strides in elements, 0 = broadcast
//   adamUpdate(memory, wOffset, gOffset, mOffset, vOffset, woutOffset, n, beta1, beta2, oneMinusBeta1,
//              oneMinusBeta2, biasCorrection1, biasCorrection2, negLr, epsilon, gradScale)
//   sumSquares(memory, offset, n) -> number
//   biasActivation(memory, cOffset, M, N, ldc, biasMemory, biasOffset, activation)
//                biasMemory null for none; activation 0 linear, 1 relu, 2 tanh
//   reluMask(memory, dOffset, yOffset, n)        d = y > 0 ? d : 0
//   lstmCellForward(memory, aOffset, cOffset, tcOffset, hOffset, rows, H, cPrevMemory, cPrevOffset)
//   lstmCellBackward(memory, dhOffset, aOffset, tcOffset, dcOffset, dzOffset, rows, H, cPrevMemory, cPrevOffset)
//                cPrevMemory null for the zero previous cell state (see lstm_cell.h)
//   config() -> {simd, threads, minParallelFlops, tileRows, tileCols}
//   setThreads(threads, minParallelFlops?)
#include <node_api.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cctype>
#include <cstring>
#include <string>
#include <thread>

#include "adam.h"
#include "epilogue.h"
#include "lstm_cell.h"
#include "sgemm.h"

namespace {

struct ArgError {
  std::string message;
};

napi_value throwError(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

bool getBool(napi_env env, napi_value v, const char* fn, const char* name) {
  bool out = false;
  if (napi_get_value_bool(env, v, &out) != napi_ok)
    throw ArgError{std::string(fn) + ": " + name + " must be a boolean"};
  return out;
}

double getNumber(napi_env env, napi_value v, const char* fn, const char* name) {
  double out = 0;
  if (napi_get_value_double(env, v, &out) != napi_ok || !std::isfinite(out))
    throw ArgError{std::string(fn) + ": " + name + " must be a finite number"};
  return out;
}

// Shortest readable form of a JS number for error messages ("-1", "1.5").
std::string formatNumber(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

int64_t getCount(napi_env env, napi_value v, const char* fn, const char* name) {
  const double d = getNumber(env, v, fn, name);
  if (d < 0 || d != std::floor(d) || d > 9007199254740991.0)
    throw ArgError{std::string(fn) + ": " + name + "=" + formatNumber(d) +
                   " is not allowed; it must be an integer >= 0"};
  return int64_t(d);
}

// Resolves an ArrayBuffer or TypedArray plus a byte offset to a float pointer and the number of
// floats available from there.
float* getFloats(napi_env env, napi_value v, napi_value offsetValue, const char* fn, const char* name,
                 int64_t* available) {
  void* data = nullptr;
  size_t bytes = 0;
  bool isArrayBuffer = false, isTypedArray = false;
  napi_is_arraybuffer(env, v, &isArrayBuffer);
  if (isArrayBuffer) {
    napi_get_arraybuffer_info(env, v, &data, &bytes);
  } else if (napi_is_typedarray(env, v, &isTypedArray) == napi_ok && isTypedArray) {
    napi_typedarray_type type;
    size_t length = 0;
    napi_value arrayBuffer;
    size_t byteOffset = 0;
    napi_get_typedarray_info(env, v, &type, &length, &data, &arrayBuffer, &byteOffset);
    static const size_t elementBytes[] = {1, 1, 1, 2, 2, 4, 4, 4, 8, 8, 8};
    bytes = length * (type <= napi_biguint64_array ? elementBytes[type] : 1);
  } else {
    throw ArgError{std::string(fn) + ": " + name + " must be an ArrayBuffer or a TypedArray"};
  }
  const std::string offName = std::string(1, char(std::tolower(name[0]))) + (name + 1) + "Offset";
  const int64_t offset = getCount(env, offsetValue, fn, offName.c_str());
  if (offset % 4 != 0)
    throw ArgError{std::string(fn) + ": " + offName + "=" + std::to_string(offset) +
                   " is not allowed; it must be a multiple of 4 bytes"};
  if (uint64_t(offset) > bytes)
    throw ArgError{std::string(fn) + ": " + offName + "=" + std::to_string(offset) + " is past the end of " + name +
                   " (" + std::to_string(bytes) + " bytes)"};
  if (data == nullptr && bytes > 0) throw ArgError{std::string(fn) + ": " + name + " has no data"};
  *available = int64_t((bytes - offset) / 4);
  return reinterpret_cast<float*>(static_cast<char*>(data) + offset);
}

// Floats touched by `batch` row-major rows x cols matrices with row stride ld and batch stride.
int64_t extent(int64_t rows, int64_t cols, int64_t ld, int64_t stride, int64_t batch) {
  if (rows == 0 || cols == 0 || batch == 0) return 0;
  return (batch - 1) * stride + (rows - 1) * ld + cols;
}

// Throws unless the `available` floats from operand `name`'s offset cover the `need` the kernel touches.
void checkFits(const char* fn, const char* name, int64_t need, int64_t available) {
  if (need > available)
    throw ArgError{std::string(fn) + ": " + name + " needs " + std::to_string(need) + " floats from its offset but has " +
                   std::to_string(available)};
}

void checkOperand(const char* fn, const char* name, const char* ldName, int64_t rows, int64_t cols, int64_t ld,
                  int64_t stride, int64_t batch, int64_t available) {
  if (ld < cols && rows > 1)
    throw ArgError{std::string(fn) + ": " + ldName + "=" + std::to_string(ld) + " is below the row length " +
                   std::to_string(cols) + " of " + name + "; allowed: " + ldName + " >= " + std::to_string(cols)};
  checkFits(fn, name, extent(rows, cols, ld, stride, batch), available);
}

// Every kernel entry point takes a fixed number of arguments and reports a bad one as a single JS
// Error, never a crash; this is that shared prologue (fetch argv, check the count) and epilogue
// (an ArgError thrown while parsing becomes the JS exception), so each entry point holds only its
// own argument parsing and kernel call. `body(argv)` returns the JS result, nullptr for undefined.
// A template, so argv stays a stack array and the lambda is inlined: no cost on the hot path.
template <size_t Expected, typename Body>
napi_value withArgs(napi_env env, napi_callback_info info, const char* fn, Body body) {
  size_t argc = Expected;  // in: argv's capacity; out: how many arguments JS passed (may exceed it)
  napi_value argv[Expected];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != Expected)
    return throwError(env, std::string(fn) + ": got " + std::to_string(argc) + " arguments; expected " +
                               std::to_string(Expected));
  try {
    return body(argv);
  } catch (const ArgError& e) {
    return throwError(env, e.message);
  }
}

// sgemm's and sgemmBatched's argument parsing (the batched form adds the strides and the batch).
napi_value runGemm(napi_env env, const napi_value* argv, const char* fn, bool batched) {
  gg::GemmProblem p;
  size_t i = 0;
  p.transA = getBool(env, argv[i++], fn, "transA");
  p.transB = getBool(env, argv[i++], fn, "transB");
  p.M = getCount(env, argv[i++], fn, "M");
  p.N = getCount(env, argv[i++], fn, "N");
  p.K = getCount(env, argv[i++], fn, "K");
  p.alpha = float(getNumber(env, argv[i++], fn, "alpha"));
  int64_t availA = 0, availB = 0, availC = 0;
  p.A = getFloats(env, argv[i], argv[i + 1], fn, "A", &availA);
  i += 2;
  p.lda = getCount(env, argv[i++], fn, "lda");
  if (batched) p.strideA = getCount(env, argv[i++], fn, "strideA");
  p.B = getFloats(env, argv[i], argv[i + 1], fn, "B", &availB);
  i += 2;
  p.ldb = getCount(env, argv[i++], fn, "ldb");
  if (batched) p.strideB = getCount(env, argv[i++], fn, "strideB");
  p.beta = float(getNumber(env, argv[i++], fn, "beta"));
  p.C = getFloats(env, argv[i], argv[i + 1], fn, "C", &availC);
  i += 2;
  p.ldc = getCount(env, argv[i++], fn, "ldc");
  if (batched) {
    p.strideC = getCount(env, argv[i++], fn, "strideC");
    p.batch = getCount(env, argv[i++], fn, "batch");
  }
  // Stored shapes: A is M x K (K x M if transposed), B is K x N (N x K if transposed), C is M x N.
  checkOperand(fn, "A", "lda", p.transA ? p.K : p.M, p.transA ? p.M : p.K, p.lda, p.strideA, p.batch, availA);
  checkOperand(fn, "B", "ldb", p.transB ? p.N : p.K, p.transB ? p.K : p.N, p.ldb, p.strideB, p.batch, availB);
  checkOperand(fn, "C", "ldc", p.M, p.N, p.ldc, p.strideC, p.batch, availC);
  if (p.batch > 1 && p.strideC < p.M * p.ldc && p.M > 0 && p.N > 0)
    throw ArgError{std::string(fn) + ": strideC=" + std::to_string(p.strideC) +
                   " makes batch outputs overlap; allowed: strideC >= M*ldc = " + std::to_string(p.M * p.ldc)};
  gg::sgemm(p);
  return nullptr;
}

napi_value Sgemm(napi_env env, napi_callback_info info) {
  return withArgs<16>(env, info, "sgemm", [&](const napi_value* argv) { return runGemm(env, argv, "sgemm", false); });
}

napi_value SgemmBatched(napi_env env, napi_callback_info info) {
  return withArgs<20>(env, info, "sgemmBatched",
                      [&](const napi_value* argv) { return runGemm(env, argv, "sgemmBatched", true); });
}

// One Adam step: weights W (read), gradient G (read), moments M and V (updated in place) and the
// new weights Wout, all in `memory` at the given byte offsets; Wout may be W itself, every other
// pair must be disjoint. The constants come rounded to float32 (see adam.h).
napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  const char* fn = "adamUpdate";
  return withArgs<16>(env, info, fn, [&](const napi_value* argv) {
    const int64_t n = getCount(env, argv[6], fn, "n");
    int64_t avail[5] = {0, 0, 0, 0, 0};
    static const char* names[5] = {"W", "G", "M", "V", "Wout"};
    float* p[5];
    for (int k = 0; k < 5; k++) {
      p[k] = getFloats(env, argv[0], argv[1 + k], fn, names[k], &avail[k]);
      checkFits(fn, names[k], n, avail[k]);
    }
    for (int a = 0; a < 5; a++)
      for (int b = a + 1; b < 5; b++) {
        if (a == 0 && b == 4 && p[a] == p[b]) continue;  // the update in place
        if (n > 0 && p[a] < p[b] + n && p[b] < p[a] + n)
          throw ArgError{std::string(fn) + ": " + names[a] + " and " + names[b] + " overlap; allowed: distinct arrays (Wout may equal W)"};
      }
    gg::AdamStep s;
    float* fields[9] = {&s.beta1, &s.beta2, &s.oneMinusBeta1, &s.oneMinusBeta2, &s.biasCorrection1,
                        &s.biasCorrection2, &s.negLr, &s.epsilon, &s.gradScale};
    static const char* fieldNames[9] = {"beta1", "beta2", "oneMinusBeta1", "oneMinusBeta2", "biasCorrection1",
                                        "biasCorrection2", "negLr", "epsilon", "gradScale"};
    for (int k = 0; k < 9; k++) *fields[k] = float(getNumber(env, argv[7 + k], fn, fieldNames[k]));
    if (!(s.biasCorrection1 > 0.f) || !(s.biasCorrection2 > 0.f))
      throw ArgError{std::string(fn) + ": biasCorrection1/2 must be > 0 in float32, got " + formatNumber(s.biasCorrection1) +
                     " and " + formatNumber(s.biasCorrection2)};
    gg::adamUpdate(p[0], p[4], p[1], p[2], p[3], n, s);
    return nullptr;
  });
}

// Sum of squares of n floats at a byte offset in `memory`, accumulated in double.
napi_value SumSquares(napi_env env, napi_callback_info info) {
  const char* fn = "sumSquares";
  return withArgs<3>(env, info, fn, [&](const napi_value* argv) {
    int64_t avail = 0;
    const float* x = getFloats(env, argv[0], argv[1], fn, "X", &avail);
    const int64_t n = getCount(env, argv[2], fn, "n");
    checkFits(fn, "X", n, avail);
    napi_value out;
    napi_create_double(env, gg::sumSquares(x, n), &out);
    return out;
  });
}

// Adds a bias row and applies an activation in place on an M x N row-major matrix (see epilogue.h).
napi_value BiasActivation(napi_env env, napi_callback_info info) {
  const char* fn = "biasActivation";
  return withArgs<8>(env, info, fn, [&](const napi_value* argv) {
    int64_t availC = 0, availBias = 0;
    float* C = getFloats(env, argv[0], argv[1], fn, "C", &availC);
    const int64_t M = getCount(env, argv[2], fn, "M");
    const int64_t N = getCount(env, argv[3], fn, "N");
    const int64_t ldc = getCount(env, argv[4], fn, "ldc");
    checkOperand(fn, "C", "ldc", M, N, ldc, 0, 1, availC);
    napi_valuetype biasType;
    napi_typeof(env, argv[5], &biasType);
    const float* bias = nullptr;
    if (biasType != napi_null && biasType != napi_undefined) {
      bias = getFloats(env, argv[5], argv[6], fn, "Bias", &availBias);
      checkFits(fn, "Bias", N, availBias);
    }
    const int64_t act = getCount(env, argv[7], fn, "activation");
    if (act > 2) throw ArgError{std::string(fn) + ": activation=" + std::to_string(act) + " is not allowed; allowed: 0 (linear), 1 (relu), 2 (tanh)"};
    gg::biasActivation(C, M, N, ldc, bias, gg::Activation(act));
    return nullptr;
  });
}

// ReLU's backward through its output, in place on D (see epilogue.h).
napi_value ReluMask(napi_env env, napi_callback_info info) {
  const char* fn = "reluMask";
  return withArgs<4>(env, info, fn, [&](const napi_value* argv) {
    int64_t availD = 0, availY = 0;
    float* d = getFloats(env, argv[0], argv[1], fn, "D", &availD);
    const float* y = getFloats(env, argv[0], argv[2], fn, "Y", &availY);
    const int64_t n = getCount(env, argv[3], fn, "n");
    if (availD < n || availY < n)
      throw ArgError{std::string(fn) + ": D and Y need " + std::to_string(n) + " floats from their offsets, have " +
                     std::to_string(availD) + " and " + std::to_string(availY)};
    if (n > 0 && d < y + n && y < d + n) throw ArgError{std::string(fn) + ": D and Y overlap; they must be distinct"};
    gg::reluMask(d, y, n);
    return nullptr;
  });
}

// One operand of the lstm cell kernels: its name, pointer and size in floats.
struct Span {
  const char* name;
  const float* p;
  int64_t n;
  bool output;
};

// Throws unless every operand fits in its memory and no output overlaps another operand.
void checkSpans(const char* fn, const Span* spans, int count, const int64_t* available) {
  for (int k = 0; k < count; k++) checkFits(fn, spans[k].name, spans[k].n, available[k]);
  for (int a = 0; a < count; a++)
    for (int b = a + 1; b < count; b++) {
      const Span &x = spans[a], &y = spans[b];
      if ((x.output || y.output) && x.n > 0 && y.n > 0 && x.p < y.p + y.n && y.p < x.p + x.n)
        throw ArgError{std::string(fn) + ": " + x.name + " and " + y.name + " overlap; they must be distinct"};
    }
}

// The previous cell state: null (none) or memory + byte offset.
const float* getOptionalFloats(napi_env env, napi_value memory, napi_value offset, const char* fn, const char* name,
                               int64_t* available) {
  napi_valuetype type;
  napi_typeof(env, memory, &type);
  if (type == napi_null || type == napi_undefined) {
    *available = 0;
    return nullptr;
  }
  return getFloats(env, memory, offset, fn, name, available);
}

// The lstm cell's forward on `rows` rows, gates in place (see lstm_cell.h).
napi_value LstmCellForward(napi_env env, napi_callback_info info) {
  const char* fn = "lstmCellForward";
  return withArgs<9>(env, info, fn, [&](const napi_value* argv) {
    const int64_t rows = getCount(env, argv[5], fn, "rows");
    const int64_t H = getCount(env, argv[6], fn, "H");
    int64_t avail[5] = {0, 0, 0, 0, 0};
    float* a = getFloats(env, argv[0], argv[1], fn, "A", &avail[0]);
    float* c = getFloats(env, argv[0], argv[2], fn, "C", &avail[1]);
    float* tc = getFloats(env, argv[0], argv[3], fn, "Tc", &avail[2]);
    float* h = getFloats(env, argv[0], argv[4], fn, "H", &avail[3]);
    const float* cPrev = getOptionalFloats(env, argv[7], argv[8], fn, "CPrev", &avail[4]);
    const Span spans[5] = {{"A", a, 4 * rows * H, true}, {"C", c, rows * H, true}, {"Tc", tc, rows * H, true},
                           {"H", h, rows * H, true}, {"CPrev", cPrev, cPrev == nullptr ? 0 : rows * H, false}};
    checkSpans(fn, spans, 5, avail);
    gg::lstmCellForward(a, cPrev, c, tc, h, rows, H);
    return nullptr;
  });
}

// One step of the lstm cell's backward (see lstm_cell.h).
napi_value LstmCellBackward(napi_env env, napi_callback_info info) {
  const char* fn = "lstmCellBackward";
  return withArgs<10>(env, info, fn, [&](const napi_value* argv) {
    const int64_t rows = getCount(env, argv[6], fn, "rows");
    const int64_t H = getCount(env, argv[7], fn, "H");
    int64_t avail[6] = {0, 0, 0, 0, 0, 0};
    const float* dh = getFloats(env, argv[0], argv[1], fn, "Dh", &avail[0]);
    const float* a = getFloats(env, argv[0], argv[2], fn, "A", &avail[1]);
    const float* tc = getFloats(env, argv[0], argv[3], fn, "Tc", &avail[2]);
    float* dc = getFloats(env, argv[0], argv[4], fn, "Dc", &avail[3]);
    float* dz = getFloats(env, argv[0], argv[5], fn, "Dz", &avail[4]);
    const float* cPrev = getOptionalFloats(env, argv[8], argv[9], fn, "CPrev", &avail[5]);
    const Span spans[6] = {{"Dh", dh, rows * H, false}, {"A", a, 4 * rows * H, false}, {"Tc", tc, rows * H, false},
                           {"Dc", dc, rows * H, true}, {"Dz", dz, 4 * rows * H, true},
                           {"CPrev", cPrev, cPrev == nullptr ? 0 : rows * H, false}};
    checkSpans(fn, spans, 6, avail);
    gg::lstmCellBackward(dh, a, tc, cPrev, dc, dz, rows, H);
    return nullptr;
  });
}

napi_value Config(napi_env env, napi_callback_info) {
  napi_value obj, v;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, gg::simdName(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "simd", v);
  napi_create_int32(env, gg::configuredThreads(), &v);
  napi_set_named_property(env, obj, "threads", v);
  napi_create_double(env, gg::minParallelFlops(), &v);
  napi_set_named_property(env, obj, "minParallelFlops", v);
  napi_create_int32(env, gg::tileRows(), &v);
  napi_set_named_property(env, obj, "tileRows", v);
  napi_create_int32(env, gg::tileCols(), &v);
  napi_set_named_property(env, obj, "tileCols", v);
  return obj;
}

int envInt(const char* name, int fallback) {
  const char* s = std::getenv(name);
  return s != nullptr && *s != '\0' ? std::atoi(s) : fallback;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  try {
    if (argc < 1) throw ArgError{"setThreads: expected (threads, minParallelFlops?)"};
    const int64_t threads = getCount(env, argv[0], "setThreads", "threads");
    if (threads < 1 || threads > 64)
      throw ArgError{"setThreads: threads=" + std::to_string(threads) + " is not allowed; allowed: 1..64"};
    double minFlops = gg::minParallelFlops();
    if (argc >= 2) minFlops = getNumber(env, argv[1], "setThreads", "minParallelFlops");
    gg::configureThreads(int(threads), minFlops, envInt("GLIMPSE_NATIVE_SPIN_US", 200));
  } catch (const ArgError& e) {
    return throwError(env, e.message);
  }
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  static bool configured = false;
  if (!configured) {
    configured = true;
    const int hw = int(std::thread::hardware_concurrency());
    const int threads = envInt("GLIMPSE_NATIVE_THREADS", hw < 1 ? 1 : (hw > 2 ? 2 : hw));
    gg::configureThreads(threads < 1 ? 1 : threads, 4e6, envInt("GLIMPSE_NATIVE_SPIN_US", 200));
  }
  const napi_property_descriptor props[] = {
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sgemmBatched", nullptr, SgemmBatched, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"adamUpdate", nullptr, AdamUpdate, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sumSquares", nullptr, SumSquares, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"biasActivation", nullptr, BiasActivation, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reluMask", nullptr, ReluMask, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"lstmCellForward", nullptr, LstmCellForward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"lstmCellBackward", nullptr, LstmCellBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"config", nullptr, Config, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
