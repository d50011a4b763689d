// The runtime's kernels on the addon (src/export/native_kernels.ts adapts them to the runtime's Kernels):
// rtConvFloat, rtConvBits, rtConvBinary, rtStep read the caller's typed arrays in place and return a new
// one. The C source (native/kernels/) is compiled three times (runtime_kernels_{base,avx2,avx512}.c) and the
// best build the CPU runs is picked once; rtIsa/rtSetIsa name and switch it (tests run every build).
// Every length is checked against the shape here, since the C code trusts them: a mismatch is a JS Error
// naming the op, the argument and the shape, never a read past a buffer.
#include "runtime_kernels_napi.h"

#include <napi.h>

#include <cstdint>
#include <string>
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
  decltype(&rk_base_conv_binary) convBinary;
  decltype(&rk_base_step) step;
};

#define RK_ISA(name, prefix, test) {name, test, prefix##conv_float, prefix##conv_bits, prefix##conv_binary, prefix##step}

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

// rtConvFloat(x, weight, bias | undefined, shape) -> Float32Array [n, oh, ow, cout]
Napi::Value RtConvFloat(const Napi::CallbackInfo& info) {
  const char* op = "rtConvFloat";
  Napi::Env env = info.Env();
  Shape s = shapeArg(info, op, 3);
  const std::string t = s.text();
  const float* x = arrayArg<float>(env, op, info[0], "x", product(env, op, {s.n, s.h, s.w, s.cin}, t), t);
  const float* w = arrayArg<float>(env, op, info[1], "weight", product(env, op, {s.kernel, s.kernel, s.cin, s.cout}, t), t);
  const float* b = absent(info[2]) ? nullptr : arrayArg<float>(env, op, info[2], "bias", s.cout, t);
  auto y = Napi::Float32Array::New(env, product(env, op, {s.n, s.oh, s.ow, s.cout}, t));
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
  const int64_t planeLength = product(env, op, {s.n, s.h, s.w, s.words()}, t);
  std::vector<const unsigned int*> planes(list.Length());
  for (uint32_t k = 0; k < list.Length(); ++k) {
    const std::string name = "planes[" + std::to_string(k) + "]";
    planes[k] = arrayArg<uint32_t>(env, op, list.Get(k), name.c_str(), planeLength, t);
  }
  const float* w = arrayArg<float>(env, op, info[1], "weight", product(env, op, {s.kernel, s.kernel, s.cin, s.cout}, t), t);
  const float* b = absent(info[2]) ? nullptr : arrayArg<float>(env, op, info[2], "bias", s.cout, t);
  auto y = Napi::Float32Array::New(env, product(env, op, {s.n, s.oh, s.ow, s.cout}, t));
  g_isa->convBits(y.Data(), planes.data(), static_cast<int>(planes.size()), w, b, i(s.n), i(s.h), i(s.w), i(s.cin), i(s.cout),
                  i(s.kernel), i(s.stride), i(s.padding));
  return y;
}

// rtConvBinary(x: Uint32Array, weightBits: Int32Array, scale, bias, shape) -> Float32Array [n, oh, ow, cout]
Napi::Value RtConvBinary(const Napi::CallbackInfo& info) {
  const char* op = "rtConvBinary";
  Napi::Env env = info.Env();
  Shape s = shapeArg(info, op, 4);
  const std::string t = s.text();
  const uint32_t* x = arrayArg<uint32_t>(env, op, info[0], "x", product(env, op, {s.n, s.h, s.w, s.words()}, t), t);
  const int32_t* wb = arrayArg<int32_t>(env, op, info[1], "weightBits", product(env, op, {s.cout, s.kernel, s.kernel, s.words()}, t), t);
  const float* scale = arrayArg<float>(env, op, info[2], "scale", s.cout, t);
  const float* bias = arrayArg<float>(env, op, info[3], "bias", s.cout, t);
  if (product(env, op, {s.kernel, s.kernel, s.cin}, t) > (int64_t{1} << 24)) {
    fail(env, op, "k·k·cin exceeds 2^24, past which float32 no longer holds the popcount sums exactly (" + t + ")");
  }
  auto y = Napi::Float32Array::New(env, product(env, op, {s.n, s.oh, s.ow, s.cout}, t));
  g_isa->convBinary(y.Data(), x, wb, scale, bias, i(s.n), i(s.h), i(s.w), i(s.cin), i(s.cout), i(s.kernel), i(s.stride),
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
  auto bits = Napi::Uint32Array::New(env, product(env, op, {pixels, (channels + 31) / 32}, t));
  g_isa->step(bits.Data(), x, i(pixels), i(channels), thr, gain, i(perExample), margins);
  return bits;
}

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
  exports.Set("rtIsa", Napi::Function::New(env, RtIsa, "rtIsa"));
  exports.Set("rtIsas", Napi::Function::New(env, RtIsas, "rtIsas"));
  exports.Set("rtSetIsa", Napi::Function::New(env, RtSetIsa, "rtSetIsa"));
}

}  // namespace htaf
