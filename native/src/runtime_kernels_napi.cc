// The runtime's kernels on the addon (src/export/native_kernels.ts adapts them to the runtime's Kernels):
// rtConvFloat, rtConvBits, rtConvBinary, rtStep and the light ops (rtLif, rtAddReal, rtAffine, rtAvgPool,
// rtMaxPool, rtGlobalAvgPoolReal/Bits) read the caller's typed arrays in place and return a new one. The C source (native/kernels/) is compiled three times (runtime_kernels_{base,avx2,avx512}.c) and the
// best build the CPU runs is picked once; rtIsa/rtSetIsa name and switch it (tests run every build).
// Every length is checked against the shape here, since the C code trusts them: a mismatch is a JS Error
// naming the op, the argument and the shape, never a read past a buffer.
#include "runtime_kernels_napi.h"

#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

// The C declarations once per build, each under its own prefix (the header has no include guard for this).
#define RK_PREFIX rk_base_
#include "kernels/runtime_kernels.h"
#undef RK_PREFIX
#if defined(__x86_64__) && defined(__GNUC__)
#define RK_PREFIX rk_avx2_
#include "kernels/runtime_kernels.h"
#undef RK_PREFIX
#define RK_PREFIX rk_avx512_
#include "kernels/runtime_kernels.h"
#undef RK_PREFIX
#endif

namespace {

struct Isa {
  const char* name;
  bool (*supported)();
  decltype(&rk_base_conv_float) convFloat;
  decltype(&rk_base_conv_bits) convBits;
  decltype(&rk_base_conv_bits_lut_floats) convBitsLutFloats;
  decltype(&rk_base_conv_binary) convBinary;
  decltype(&rk_base_conv_binary_scratch_bytes) convBinaryScratchBytes;
  decltype(&rk_base_step) step;
  decltype(&rk_base_lif) lif;
  decltype(&rk_base_add_real) addReal;
  decltype(&rk_base_affine) affine;
  decltype(&rk_base_avg_pool) avgPool;
  decltype(&rk_base_max_pool) maxPool;
  decltype(&rk_base_global_avg_pool_real) gapReal;
  decltype(&rk_base_global_avg_pool_bits) gapBits;
};

#define RK_ISA(name, prefix, test)                                                                                   \
  {name, test, prefix##conv_float, prefix##conv_bits, prefix##conv_bits_lut_floats, prefix##conv_binary, prefix##conv_binary_scratch_bytes, prefix##step, prefix##lif, prefix##add_real, \
   prefix##affine, prefix##avg_pool, prefix##max_pool, prefix##global_avg_pool_real, prefix##global_avg_pool_bits}

const Isa kIsas[] = {
#if defined(__x86_64__) && defined(__GNUC__)
    RK_ISA("avx512", rk_avx512_, [] {
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vpopcntdq") &&
             __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("popcnt") &&
             __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
    }),
    RK_ISA("avx2", rk_avx2_, [] {
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("popcnt") &&
             __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
    }),
#endif
    RK_ISA("base", rk_base_, [] { return true; }),
};

// The first (fastest) build this CPU runs; kIsas ends with one that runs everywhere.
const Isa* best() {
  for (const Isa& isa : kIsas)
    if (isa.supported()) return &isa;
  return &kIsas[sizeof(kIsas) / sizeof(kIsas[0]) - 1];
}

const Isa* g_isa = best();

// At most 2^31 − 1 elements per array: the C code indexes within an array with int products.
constexpr int64_t kMaxElements = INT32_MAX;

struct Shape {
  int64_t n, h, w, cin, cout, kernel, stride, padding, oh, ow;
  std::string text() const {
    return "n=" + std::to_string(n) + " h=" + std::to_string(h) + " w=" + std::to_string(w) + " cin=" + std::to_string(cin) +
           " cout=" + std::to_string(cout) + " kernel=" + std::to_string(kernel) + " stride=" + std::to_string(stride) +
           " padding=" + std::to_string(padding);
  }
  int64_t words() const { return (cin + 31) / 32; }
};

// Bits are packed one per activation (kernels/runtime_kernels.c): a pixel of c channels takes 1, 2 or
// 4·⌈c/32⌉ bytes, and an array of `pixels` of them ⌈pixels·bytes/4⌉ Uint32 words.
int64_t pixelBytes(int64_t c) { return c <= 8 ? 1 : c <= 16 ? 2 : 4 * ((c + 31) / 32); }
int64_t packedWords(int64_t pixels, int64_t c) { return (pixels * pixelBytes(c) + 3) / 4; }

[[noreturn]] void fail(Napi::Env env, const char* op, const std::string& what) {
  throw Napi::Error::New(env, std::string("htaf native ") + op + ": " + what);
}

int64_t intField(Napi::Env env, const char* op, Napi::Object o, const char* key, int64_t min) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) fail(env, op, std::string("shape.") + key + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= static_cast<double>(min)) || d > kMaxElements || d != static_cast<double>(static_cast<int64_t>(d))) {
    fail(env, op, std::string("shape.") + key + " must be an integer ≥ " + std::to_string(min) + ", got " + v.ToString().Utf8Value());
  }
  return static_cast<int64_t>(d);
}

Shape shapeArg(const Napi::CallbackInfo& info, const char* op, size_t i) {
  Napi::Env env = info.Env();
  if (!info[i].IsObject()) fail(env, op, "argument 'shape' must be an object {n, h, w, cin, cout, kernel, stride, padding}");
  Napi::Object o = info[i].As<Napi::Object>();
  Shape s{};
  s.n = intField(env, op, o, "n", 1);
  s.h = intField(env, op, o, "h", 1);
  s.w = intField(env, op, o, "w", 1);
  s.cin = intField(env, op, o, "cin", 1);
  s.cout = intField(env, op, o, "cout", 1);
  s.kernel = intField(env, op, o, "kernel", 1);
  s.stride = intField(env, op, o, "stride", 1);
  s.padding = intField(env, op, o, "padding", 0);
  if (s.h + 2 * s.padding < s.kernel || s.w + 2 * s.padding < s.kernel) {
    fail(env, op, "the kernel is larger than the padded input (" + s.text() + ")");
  }
  s.oh = (s.h + 2 * s.padding - s.kernel) / s.stride + 1;
  s.ow = (s.w + 2 * s.padding - s.kernel) / s.stride + 1;
  return s;
}

// Checks that n·… fits before it is multiplied out, so a product never overflows int64.
int64_t product(Napi::Env env, const char* op, std::initializer_list<int64_t> dims, const std::string& shape) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (d != 0 && p > kMaxElements / d) fail(env, op, "the arrays of this shape exceed 2^31 − 1 elements (" + shape + ")");
    p *= d;
  }
  return p;
}

template <typename T>
const char* typeName();
template <> const char* typeName<float>() { return "Float32Array"; }
template <> const char* typeName<uint32_t>() { return "Uint32Array"; }
template <> const char* typeName<int32_t>() { return "Int32Array"; }
template <> const char* typeName<double>() { return "Float64Array"; }
template <typename T>
napi_typedarray_type typeTag();
template <> napi_typedarray_type typeTag<float>() { return napi_float32_array; }
template <> napi_typedarray_type typeTag<uint32_t>() { return napi_uint32_array; }
template <> napi_typedarray_type typeTag<int32_t>() { return napi_int32_array; }
template <> napi_typedarray_type typeTag<double>() { return napi_float64_array; }

// The typed array `v` of element type T and exactly `length` elements (at least, when `atLeast`).
template <typename T>
T* arrayArg(Napi::Env env, const char* op, Napi::Value v, const char* name, int64_t length, const std::string& shape,
            bool atLeast = false) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != typeTag<T>()) {
    fail(env, op, std::string("argument '") + name + "' must be a " + typeName<T>());
  }
  auto a = v.As<Napi::TypedArrayOf<T>>();
  int64_t got = static_cast<int64_t>(a.ElementLength());
  if (atLeast ? got < length : got != length) {
    fail(env, op, std::string("argument '") + name + "' holds " + std::to_string(got) + " values but " +
                      (atLeast ? "at least " : "") + std::to_string(length) + " are needed (" + shape + ")");
  }
  return a.Data();
}

bool absent(Napi::Value v) { return v.IsUndefined() || v.IsNull(); }

int i(int64_t v) { return static_cast<int>(v); }

// The output: `out` (argument i) where it is a Float32Array of exactly `length` elements, which the caller
// gives up (a dead map the executor recycles: a fresh array of megabytes costs its page faults), else new.
Napi::Float32Array outArray(const Napi::CallbackInfo& info, size_t i, int64_t length,
                            std::initializer_list<std::pair<const void*, int64_t>> inputs) {
  if (info.Length() > i && info[i].IsTypedArray() && info[i].As<Napi::TypedArray>().TypedArrayType() == napi_float32_array) {
    auto out = info[i].As<Napi::Float32Array>();
    // Never one that overlaps an input: the kernel would overwrite what it still reads.
    const char* o0 = reinterpret_cast<const char*>(out.Data());
    const char* o1 = o0 + 4 * length;
    bool overlaps = false;
    for (const auto& [p, bytes] : inputs) {
      const char* a0 = static_cast<const char*>(p);
      if (a0 < o1 && o0 < a0 + bytes) overlaps = true;
    }
    if (static_cast<int64_t>(out.ElementLength()) == length && !overlaps) return out;
  }
  return Napi::Float32Array::New(info.Env(), length);
}

// rtConvFloat(x, weight, bias | undefined, shape) -> Float32Array [n, oh, ow, cout]
Napi::Value RtConvFloat(const Napi::CallbackInfo& info) {
  const char* op = "rtConvFloat";
  Napi::Env env = info.Env();
  Shape s = shapeArg(info, op, 3);
  const std::string t = s.text();
  const float* x = arrayArg<float>(env, op, info[0], "x", product(env, op, {s.n, s.h, s.w, s.cin}, t), t);
  const float* w = arrayArg<float>(env, op, info[1], "weight", product(env, op, {s.kernel, s.kernel, s.cin, s.cout}, t), t);
  const float* b = absent(info[2]) ? nullptr : arrayArg<float>(env, op, info[2], "bias", s.cout, t);
  auto y = outArray(info, 4, product(env, op, {s.n, s.oh, s.ow, s.cout}, t), {{x, 4 * s.n * s.h * s.w * s.cin}});
  g_isa->convFloat(y.Data(), x, w, b, i(s.n), i(s.h), i(s.w), i(s.cin), i(s.cout), i(s.kernel), i(s.stride), i(s.padding));
  return y;
}

// rtConvBits(planes: Uint32Array[], weight, bias | undefined, shape) -> Float32Array [n, oh, ow, cout]
Napi::Value RtConvBits(const Napi::CallbackInfo& info) {
  const char* op = "rtConvBits";
  Napi::Env env = info.Env();
  Shape s = shapeArg(info, op, 3);
  const std::string t = s.text();
  if (!info[0].IsArray()) fail(env, op, "argument 'planes' must be an array of Uint32Array");
  Napi::Array list = info[0].As<Napi::Array>();
  product(env, op, {s.n, s.h, s.w, s.words()}, t);  // so n·h·w below cannot overflow
  const int64_t planeLength = packedWords(s.n * s.h * s.w, s.cin);
  std::vector<const unsigned int*> planes(list.Length());
  for (uint32_t k = 0; k < list.Length(); ++k) {
    const std::string name = "planes[" + std::to_string(k) + "]";
    planes[k] = arrayArg<uint32_t>(env, op, list.Get(k), name.c_str(), planeLength, t);
  }
  const float* w = arrayArg<float>(env, op, info[1], "weight", product(env, op, {s.kernel, s.kernel, s.cin, s.cout}, t), t);
  const float* b = absent(info[2]) ? nullptr : arrayArg<float>(env, op, info[2], "bias", s.cout, t);
  Napi::Float32Array y = Napi::Float32Array::New(env, 0);
  {
    const int64_t planeBytes = 4 * planeLength;
    std::pair<const void*, int64_t> p0{planes.empty() ? nullptr : planes[0], planes.empty() ? 0 : planeBytes};
    std::pair<const void*, int64_t> p1{planes.size() < 2 ? nullptr : planes[1], planes.size() < 2 ? 0 : planeBytes};
    // Planes are Uint32Arrays and out a Float32Array: they share memory only through one buffer; the first two
    // planes cover every sum the exporter makes, more are checked by allocating.
    y = planes.size() <= 2 ? outArray(info, 4, product(env, op, {s.n, s.oh, s.ow, s.cout}, t), {p0, p1})
                           : Napi::Float32Array::New(env, product(env, op, {s.n, s.oh, s.ow, s.cout}, t));
  }
  const int np = static_cast<int>(planes.size());
  // The lookup table, when the kernel chooses it, in a buffer kept between calls (one JS thread calls).
  static std::vector<float> lut;
  const long long lutFloats = g_isa->convBitsLutFloats(planes.data(), np, i(s.n), i(s.h), i(s.w), i(s.cin), i(s.cout), i(s.kernel), i(s.stride));
  if (lutFloats > 0 && lut.size() < static_cast<size_t>(lutFloats)) lut.resize(static_cast<size_t>(lutFloats));
  g_isa->convBits(y.Data(), planes.data(), np, w, b, lutFloats > 0 ? lut.data() : nullptr, i(s.n), i(s.h), i(s.w), i(s.cin), i(s.cout),
                  i(s.kernel), i(s.stride), i(s.padding));
  return y;
}

// rtConvBinary(x: Uint32Array, weightBits: Int32Array, scale, bias, shape) -> Float32Array [n, oh, ow, cout]
Napi::Value RtConvBinary(const Napi::CallbackInfo& info) {
  const char* op = "rtConvBinary";
  Napi::Env env = info.Env();
  Shape s = shapeArg(info, op, 4);
  const std::string t = s.text();
  product(env, op, {s.n, s.h, s.w, s.words()}, t);
  const uint32_t* x = arrayArg<uint32_t>(env, op, info[0], "x", packedWords(s.n * s.h * s.w, s.cin), t);
  const int32_t* wb = arrayArg<int32_t>(env, op, info[1], "weightBits", product(env, op, {s.cout, s.kernel, s.kernel, s.words()}, t), t);
  const float* scale = arrayArg<float>(env, op, info[2], "scale", s.cout, t);
  const float* bias = arrayArg<float>(env, op, info[3], "bias", s.cout, t);
  if (product(env, op, {s.kernel, s.kernel, s.cin}, t) > (int64_t{1} << 24)) {
    fail(env, op, "k·k·cin exceeds 2^24, past which float32 no longer holds the popcount sums exactly (" + t + ")");
  }
  auto y = outArray(info, 5, product(env, op, {s.n, s.oh, s.ow, s.cout}, t), {{x, 4 * packedWords(s.n * s.h * s.w, s.cin)}});
  // The packed weights and a pixel's vector, in a buffer kept between calls (one JS thread calls).
  static std::vector<uint64_t> scratch;
  const long long bytes = g_isa->convBinaryScratchBytes(i(s.cin), i(s.cout), i(s.kernel));
  if (scratch.size() * 8 < static_cast<size_t>(bytes)) scratch.resize(static_cast<size_t>(bytes + 7) / 8);
  g_isa->convBinary(y.Data(), x, wb, scale, bias, scratch.data(), i(s.n), i(s.h), i(s.w), i(s.cin), i(s.cout), i(s.kernel), i(s.stride),
                    i(s.padding));
  return y;
}

int64_t intArg(Napi::Env env, const char* op, Napi::Value v, const char* name, int64_t min) {
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!v.IsNumber() || !(d >= static_cast<double>(min)) || d > kMaxElements || d != static_cast<double>(static_cast<int64_t>(d))) {
    fail(env, op, std::string("argument '") + name + "' must be an integer ≥ " + std::to_string(min));
  }
  return static_cast<int64_t>(d);
}

// rtStep(x, pixels, channels, threshold, gain, perExample, margins?: Float64Array) -> Uint32Array [pixels, words]
Napi::Value RtStep(const Napi::CallbackInfo& info) {
  const char* op = "rtStep";
  Napi::Env env = info.Env();
  const int64_t pixels = intArg(env, op, info[1], "pixels", 0);
  const int64_t channels = intArg(env, op, info[2], "channels", 1);
  const int64_t perExample = intArg(env, op, info[5], "perExample", 1);
  const std::string t = "pixels=" + std::to_string(pixels) + " channels=" + std::to_string(channels) +
                        " perExample=" + std::to_string(perExample);
  const float* x = arrayArg<float>(env, op, info[0], "x", product(env, op, {pixels, channels}, t), t);
  const float* thr = arrayArg<float>(env, op, info[3], "threshold", channels, t);
  const float* gain = arrayArg<float>(env, op, info[4], "gain", channels, t);
  double* margins = absent(info[6]) ? nullptr
                                    : arrayArg<double>(env, op, info[6], "margins", (pixels + perExample - 1) / perExample, t, true);
  product(env, op, {pixels, (channels + 31) / 32}, t);
  auto bits = Napi::Uint32Array::New(env, packedWords(pixels, channels));
  g_isa->step(bits.Data(), x, i(pixels), i(channels), thr, gain, i(perExample), margins);
  return bits;
}

double numberArg(Napi::Env env, const char* op, Napi::Value v, const char* name) {
  if (!v.IsNumber()) fail(env, op, std::string("argument '") + name + "' must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

// rtLif(x, n, pixels, c, steps, tau, vThreshold, vReset | null, repeat, margins?) -> Uint32Array [steps·n, pixels, words]
Napi::Value RtLif(const Napi::CallbackInfo& info) {
  const char* op = "rtLif";
  Napi::Env env = info.Env();
  const int64_t n = intArg(env, op, info[1], "n", 1);
  const int64_t pixels = intArg(env, op, info[2], "pixels", 1);
  const int64_t c = intArg(env, op, info[3], "c", 1);
  const int64_t steps = intArg(env, op, info[4], "steps", 1);
  const double tau = numberArg(env, op, info[5], "tau");
  const double vth = numberArg(env, op, info[6], "vThreshold");
  const bool soft = absent(info[7]);
  const double vreset = soft ? 0.0 : numberArg(env, op, info[7], "vReset");
  const bool repeat = info[8].ToBoolean().Value();
  const std::string t = "n=" + std::to_string(n) + " pixels=" + std::to_string(pixels) + " c=" + std::to_string(c) +
                        " steps=" + std::to_string(steps) + (repeat ? " repeat" : "");
  if (!(tau > 1) || !std::isfinite(vth) || !std::isfinite(vreset)) fail(env, op, "needs tau > 1, a finite vThreshold and a finite or null vReset (" + t + ")");
  product(env, op, {steps, n, pixels, std::max<int64_t>(c, 32)}, t);
  const float* x = arrayArg<float>(env, op, info[0], "x", product(env, op, {repeat ? 1 : steps, n, pixels, c}, t), t);
  double* margins = absent(info[9]) ? nullptr : arrayArg<double>(env, op, info[9], "margins", n, t, true);
  std::vector<float> v(static_cast<size_t>(n * pixels * c));
  auto bits = Napi::Uint32Array::New(env, packedWords(steps * n * pixels, c));
  g_isa->lif(bits.Data(), v.data(), x, i(n), i(pixels), i(c), i(steps), tau, vth, vreset, soft, repeat, margins);
  return bits;
}

// rtAddReal(a, b) -> Float32Array a + b
Napi::Value RtAddReal(const Napi::CallbackInfo& info) {
  const char* op = "rtAddReal";
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) fail(env, op, "argument 'a' must be a Float32Array");
  const int64_t len = static_cast<int64_t>(info[0].As<Napi::Float32Array>().ElementLength());
  const std::string t = "a holds " + std::to_string(len) + " values";
  if (len > kMaxElements) fail(env, op, "the arrays exceed 2^31 − 1 elements (" + t + ")");
  const float* a = arrayArg<float>(env, op, info[0], "a", len, t);
  const float* b = arrayArg<float>(env, op, info[1], "b", len, t);
  auto y = outArray(info, 2, len, {});  // element by element: out may be a or b
  g_isa->addReal(y.Data(), a, b, i(len));
  return y;
}

// rtAffine(x, channels, scale, shift, relu) -> Float32Array like x
Napi::Value RtAffine(const Napi::CallbackInfo& info) {
  const char* op = "rtAffine";
  Napi::Env env = info.Env();
  const int64_t channels = intArg(env, op, info[1], "channels", 1);
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) fail(env, op, "argument 'x' must be a Float32Array");
  const int64_t len = static_cast<int64_t>(info[0].As<Napi::Float32Array>().ElementLength());
  const std::string t = "x=" + std::to_string(len) + " values channels=" + std::to_string(channels);
  if (len % channels != 0 || len > kMaxElements) fail(env, op, "x does not hold whole pixels of the channels (" + t + ")");
  const float* x = arrayArg<float>(env, op, info[0], "x", len, t);
  const float* scale = arrayArg<float>(env, op, info[2], "scale", channels, t);
  const float* shift = arrayArg<float>(env, op, info[3], "shift", channels, t);
  auto y = Napi::Float32Array::New(env, len);
  g_isa->affine(y.Data(), x, i(len / channels), i(channels), scale, shift, info[4].ToBoolean().Value());
  return y;
}

// rtAvgPool / rtMaxPool (x, {n, h, w, c, kernel, stride, padding}) -> Float32Array [n, oh, ow, c]
Napi::Value RtPool(const Napi::CallbackInfo& info, bool avg) {
  const char* op = avg ? "rtAvgPool" : "rtMaxPool";
  Napi::Env env = info.Env();
  if (!info[1].IsObject()) fail(env, op, "argument 'shape' must be an object {n, h, w, c, kernel, stride, padding}");
  Napi::Object o = info[1].As<Napi::Object>();
  const int64_t n = intField(env, op, o, "n", 1), h = intField(env, op, o, "h", 1), w = intField(env, op, o, "w", 1);
  const int64_t c = intField(env, op, o, "c", 1), k = intField(env, op, o, "kernel", 1), stride = intField(env, op, o, "stride", 1);
  const int64_t padding = intField(env, op, o, "padding", 0);
  const std::string t = "n=" + std::to_string(n) + " h=" + std::to_string(h) + " w=" + std::to_string(w) + " c=" + std::to_string(c) +
                        " kernel=" + std::to_string(k) + " stride=" + std::to_string(stride) + " padding=" + std::to_string(padding);
  if (h + 2 * padding < k || w + 2 * padding < k) fail(env, op, "the window is larger than the padded input (" + t + ")");
  const float* x = arrayArg<float>(env, op, info[0], "x", product(env, op, {n, h, w, c}, t), t);
  auto side = [&](int64_t s) {
    if (!avg) return (s + 2 * padding - k) / stride + 1;
    int64_t out = (s + 2 * padding - k + stride - 1) / stride + 1;
    if ((out - 1) * stride >= s + padding) out--;
    return out;
  };
  auto y = Napi::Float32Array::New(env, product(env, op, {n, side(h), side(w), c}, t));
  (avg ? g_isa->avgPool : g_isa->maxPool)(y.Data(), x, i(n), i(h), i(w), i(c), i(k), i(stride), i(padding));
  return y;
}
Napi::Value RtAvgPool(const Napi::CallbackInfo& info) { return RtPool(info, true); }
Napi::Value RtMaxPool(const Napi::CallbackInfo& info) { return RtPool(info, false); }

// rtGlobalAvgPoolReal(x, rows, pixels, c, steps) / rtGlobalAvgPoolBits(planes, …) -> Float32Array [rows / steps, c]
Napi::Value RtGlobalPool(const Napi::CallbackInfo& info, bool bits) {
  const char* op = bits ? "rtGlobalAvgPoolBits" : "rtGlobalAvgPoolReal";
  Napi::Env env = info.Env();
  const int64_t rows = intArg(env, op, info[1], "rows", 1);
  const int64_t pixels = intArg(env, op, info[2], "pixels", 1);
  const int64_t c = intArg(env, op, info[3], "c", 1);
  const int64_t steps = intArg(env, op, info[4], "steps", 1);
  const std::string t = "rows=" + std::to_string(rows) + " pixels=" + std::to_string(pixels) + " c=" + std::to_string(c) +
                        " steps=" + std::to_string(steps);
  if (rows % steps != 0) fail(env, op, "rows are not a whole number of steps (" + t + ")");
  product(env, op, {rows, pixels, std::max<int64_t>(c, 32)}, t);
  auto y = Napi::Float32Array::New(env, product(env, op, {rows / steps, c}, t));
  if (!bits) {
    const float* x = arrayArg<float>(env, op, info[0], "x", rows * pixels * c, t);
    g_isa->gapReal(y.Data(), x, i(rows), i(pixels), i(c), i(steps));
    return y;
  }
  if (!info[0].IsArray()) fail(env, op, "argument 'planes' must be an array of Uint32Array");
  Napi::Array list = info[0].As<Napi::Array>();
  std::vector<const unsigned int*> planes(list.Length());
  for (uint32_t k = 0; k < list.Length(); ++k) {
    const std::string name = "planes[" + std::to_string(k) + "]";
    planes[k] = arrayArg<uint32_t>(env, op, list.Get(k), name.c_str(), packedWords(rows * pixels, c), t);
  }
  g_isa->gapBits(y.Data(), planes.data(), static_cast<int>(planes.size()), i(rows), i(pixels), i(c), i(steps));
  return y;
}
Napi::Value RtGlobalAvgPoolReal(const Napi::CallbackInfo& info) { return RtGlobalPool(info, false); }
Napi::Value RtGlobalAvgPoolBits(const Napi::CallbackInfo& info) { return RtGlobalPool(info, true); }

Napi::Value RtIsa(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), g_isa->name); }

// rtIsas() -> the builds this CPU runs, fastest first.
Napi::Value RtIsas(const Napi::CallbackInfo& info) {
  auto out = Napi::Array::New(info.Env());
  uint32_t k = 0;
  for (const Isa& isa : kIsas)
    if (isa.supported()) out.Set(k++, Napi::String::New(info.Env(), isa.name));
  return out;
}

// rtSetIsa(name) -> true if switched; false if this CPU does not run that build. Unknown names throw.
Napi::Value RtSetIsa(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) fail(env, "rtSetIsa", "argument 'name' must be a string");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  for (const Isa& isa : kIsas) {
    if (name != isa.name) continue;
    if (!isa.supported()) return Napi::Boolean::New(env, false);
    g_isa = &isa;
    return Napi::Boolean::New(env, true);
  }
  fail(env, "rtSetIsa", "unknown build '" + name + "'");
}

}  // namespace

namespace htaf {

void registerRuntimeKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("rtConvFloat", Napi::Function::New(env, RtConvFloat, "rtConvFloat"));
  exports.Set("rtConvBits", Napi::Function::New(env, RtConvBits, "rtConvBits"));
  exports.Set("rtConvBinary", Napi::Function::New(env, RtConvBinary, "rtConvBinary"));
  exports.Set("rtStep", Napi::Function::New(env, RtStep, "rtStep"));
  exports.Set("rtLif", Napi::Function::New(env, RtLif, "rtLif"));
  exports.Set("rtAddReal", Napi::Function::New(env, RtAddReal, "rtAddReal"));
  exports.Set("rtAffine", Napi::Function::New(env, RtAffine, "rtAffine"));
  exports.Set("rtAvgPool", Napi::Function::New(env, RtAvgPool, "rtAvgPool"));
  exports.Set("rtMaxPool", Napi::Function::New(env, RtMaxPool, "rtMaxPool"));
  exports.Set("rtGlobalAvgPoolReal", Napi::Function::New(env, RtGlobalAvgPoolReal, "rtGlobalAvgPoolReal"));
  exports.Set("rtGlobalAvgPoolBits", Napi::Function::New(env, RtGlobalAvgPoolBits, "rtGlobalAvgPoolBits"));
  exports.Set("rtIsa", Napi::Function::New(env, RtIsa, "rtIsa"));
  exports.Set("rtIsas", Napi::Function::New(env, RtIsas, "rtIsas"));
  exports.Set("rtSetIsa", Napi::Function::New(env, RtSetIsa, "rtSetIsa"));
}

}  // namespace htaf
