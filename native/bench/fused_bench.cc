// Correctness check and microbenchmark for native/src/fused_activations.cc.
//
//   make -C native/bench run          # checks + timings
//   make -C native/bench check        # checks on every SIMD path (HTAF_SIMD=avx512|avx2|baseline)
//   build/fused_bench [--rounds N] [--threads T] [--dtype float32|float64|both]
//                     [--allocator default|warm|both] [--no-bench] [--no-check] [--grain-sweep]
//
// Reference values are computed per element in long double (64-bit mantissa) with
// the same cancellation-free forms, so they are accurate far beyond float64
// rounding; the exit status is nonzero if any check fails.
#include <torch/torch.h>

#include <algorithm>
#include <climits>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <malloc.h>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "../src/fused_activations.h"

namespace {

using htaf::Surrogate;
using LD = long double;

int g_failures = 0;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

void expect(bool ok, const std::string& what) {
  if (!ok) {
    ++g_failures;
    std::printf("  FAIL: %s\n", what.c_str());
  }
}

// ---------------------------------------------------------------------------
// Long double references
// ---------------------------------------------------------------------------

// sigmoid(s v) with v >= 0 (s = sign), from e = exp(-v).
LD ref_signed_sigmoid(bool nonneg, LD v) {
  const LD e = std::exp(-v);
  return (nonneg ? 1.0L : e) / (1.0L + e);
}
LD ref_sigmoid_product(LD v) {  // sigmoid(v) sigmoid(-v), v = |u|
  const LD e = std::exp(-v);
  return e / ((1.0L + e) * (1.0L + e));
}
LD ref_sech2(LD a) {  // a >= 0
  const LD w = std::exp(-2.0L * a);
  return 4.0L * w / ((1.0L + w) * (1.0L + w));
}

LD ref_htaf(LD x, LD al, LD be) { return ref_signed_sigmoid(x >= 0, be * std::tanh(al * std::fabs(x))); }
LD ref_htaf_grad(LD x, LD al, LD be) {
  const LD a = al * std::fabs(x);
  return al * be * ref_sigmoid_product(be * std::tanh(a)) * ref_sech2(a);
}
LD ref_ss(LD x, LD g) { return ref_signed_sigmoid(x >= 0, g * std::fabs(x)); }
LD ref_sigmoid_grad(LD x, LD k) { return k * ref_sigmoid_product(k * std::fabs(x)); }
LD ref_tanh_sur(LD x, LD k) { return k / 2 * ref_sech2(k * std::fabs(x)); }
LD ref_rect_sur(LD x, LD a) { return std::fabs(x) < a / 2 ? 1.0L / a : 0.0L; }

// ---------------------------------------------------------------------------
// Error accounting: relative error where |ref| is a normal number of the data's dtype (the stated
// bound), absolute below (where a result may underflow).
// ---------------------------------------------------------------------------

struct ErrStats {
  double tiny = 1e-300;  // the smallest normal of the dtype checked
  double max_rel = 0, max_abs_tiny = 0;
  double worst_x = 0;
  int64_t nonfinite = 0;
  void add(double got, LD ref, double x) {
    if (!std::isfinite(got)) {
      ++nonfinite;
      return;
    }
    const LD diff = std::fabs((LD)got - ref);
    if (std::fabs(ref) >= tiny) {
      const double rel = (double)(diff / std::fabs(ref));
      if (rel > max_rel) {
        max_rel = rel;
        worst_x = x;
      }
    } else {
      max_abs_tiny = std::max(max_abs_tiny, (double)diff);
    }
  }
  void merge(const ErrStats& o) {
    if (o.max_rel > max_rel) {
      max_rel = o.max_rel;
      worst_x = o.worst_x;
    }
    max_abs_tiny = std::max(max_abs_tiny, o.max_abs_tiny);
    nonfinite += o.nonfinite;
  }
};

// Test inputs: a dense grid over +-1e4 on a log scale, a linear grid near 0,
// random normals, and special values.
std::vector<double> test_inputs() {
  std::vector<double> xs = {0.0, -0.0, 1e-300, -1e-300, 1e-45, -1e-45, 1e-30, -1e-30, 1e-8, -1e-8, 1e4, -1e4};
  for (int i = 0; i <= 4000; ++i) {
    const double v = std::pow(10.0, -12.0 + 16.0 * i / 4000.0);  // 1e-12 .. 1e4
    xs.push_back(v);
    xs.push_back(-v);
  }
  for (int i = -3000; i <= 3000; ++i) xs.push_back(i * 1e-3);
  std::mt19937_64 rng(42);
  std::normal_distribution<double> nd;
  for (int i = 0; i < 4001; ++i) xs.push_back(nd(rng));  // odd total -> exercises the tail path
  return xs;
}

torch::Tensor make_tensor(const std::vector<double>& xs, torch::ScalarType dt) {
  return torch::tensor(xs, torch::kFloat64).to(dt);
}

// Element i of t as double (t 1-D).
std::vector<double> to_vec(const torch::Tensor& t) {
  const torch::Tensor d = t.to(torch::kFloat64).contiguous();
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

// Compare a kernel over all test inputs against a reference; inputs are first
// rounded to the tensor dtype and the reference uses the rounded value.
ErrStats compare(const std::vector<double>& xs, torch::ScalarType dt,
                 const std::function<torch::Tensor(const torch::Tensor&)>& kernel,
                 const std::function<LD(LD)>& ref) {
  const torch::Tensor x = make_tensor(xs, dt);
  const std::vector<double> xr = to_vec(x), got = to_vec(kernel(x));
  ErrStats s;
  s.tiny = dt == torch::kFloat32 ? (double)std::numeric_limits<float>::min() : 1e-30;
  for (size_t i = 0; i < xr.size(); ++i) s.add(got[i], ref((LD)xr[i]), xr[i]);
  return s;
}

struct Tolerance {
  double rel, abs_tiny;
};
Tolerance tol_for(torch::ScalarType dt) { return dt == torch::kFloat32 ? Tolerance{1e-6, std::numeric_limits<float>::min()} : Tolerance{1e-12, 1e-30}; }

void report(const char* name, torch::ScalarType dt, const ErrStats& s) {
  const Tolerance t = tol_for(dt);
  const bool ok = s.max_rel <= t.rel && s.max_abs_tiny <= t.abs_tiny && s.nonfinite == 0;
  std::printf("  %-34s %-8s max rel %.3e (at x=%.6g)  max abs below normal %.1e  nonfinite %lld  %s\n", name,
              dt == torch::kFloat32 ? "float32" : "float64", s.max_rel, s.worst_x, s.max_abs_tiny,
              (long long)s.nonfinite, ok ? "ok" : "FAIL");
  if (!ok) ++g_failures;
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

void check_accuracy() {
  std::printf("Accuracy vs long-double reference (x over +-1e4, grids + special values):\n");
  const std::vector<double> xs = test_inputs();
  const std::vector<std::pair<double, double>> ab = {{2, 11},    {1, 1},     {8, 2.75},  {0.01, 1e4}, {1e4, 1e4},
                                                      {1e4, 0.01}, {1e-3, 5}, {0.5, 50}, {0.005, 5000}, {1e-4, 1e-4},
                                                      {1e-3, 1e6},  {1, 1e12}, {1, 12}, {3, 12}, {0.5, 8}, {1, 4}, {2, 6}};
  const std::vector<double> gammas = {22, 1, 1e4, 0.01, 1e-4};
  for (torch::ScalarType dt : {torch::kFloat32, torch::kFloat64}) {
    ErrStats hf, hb, sf, sb, ts, rs;
    for (auto [al, be] : ab) {
      hf.merge(compare(xs, dt, [&](const torch::Tensor& x) { return htaf::htaf_forward(x, al, be); },
                       [&](LD x) { return ref_htaf(x, al, be); }));
      // grad = 1 and grad = random values (the grad multiplies exactly)
      hb.merge(compare(xs, dt,
                       [&](const torch::Tensor& x) { return htaf::htaf_backward(torch::ones_like(x), x, al, be); },
                       [&](LD x) { return ref_htaf_grad(x, al, be); }));
    }
    for (double g : gammas) {
      sf.merge(compare(xs, dt, [&](const torch::Tensor& x) { return htaf::ss_forward(x, g); },
                       [&](LD x) { return ref_ss(x, g); }));
      sb.merge(compare(xs, dt, [&](const torch::Tensor& x) { return htaf::ss_backward(torch::ones_like(x), x, g); },
                       [&](LD x) { return ref_sigmoid_grad(x, g); }));
      ts.merge(compare(xs, dt,
                       [&](const torch::Tensor& x) {
                         return htaf::surrogate_backward(torch::ones_like(x), x, Surrogate::Tanh, g);
                       },
                       [&](LD x) { return ref_tanh_sur(x, g); }));
      rs.merge(compare(xs, dt,
                       [&](const torch::Tensor& x) {
                         return htaf::surrogate_backward(torch::ones_like(x), x, Surrogate::Rect, g);
                       },
                       [&](LD x) { return ref_rect_sur(x, g); }));
    }
    ErrStats sg;  // sigmoid surrogate shares SigmoidBackward with ss_backward; check the entry point
    for (double k : {4.0, 1e4}) {
      sg.merge(compare(xs, dt,
                       [&](const torch::Tensor& x) {
                         return htaf::surrogate_backward(torch::ones_like(x), x, Surrogate::Sigmoid, k);
                       },
                       [&](LD x) { return ref_sigmoid_grad(x, k); }));
    }
    report("htaf_forward", dt, hf);
    report("htaf_backward", dt, hb);
    report("ss_forward", dt, sf);
    report("ss_backward", dt, sb);
    report("surrogate_backward Sigmoid", dt, sg);
    report("surrogate_backward Tanh", dt, ts);
    report("surrogate_backward Rect", dt, rs);
  }
}

// Random parameters, log-uniform in [1e-3, 1e4], with x chosen so that the
// argument of tanh / sigmoid (alpha|x|, gamma|x|, k|x|) spans 1e-8 .. 60 on a log
// scale, both signs: this visits the far tails where errors are amplified most.
void check_random_params() {
  std::printf("Accuracy with random parameters (300 draws x 2000 inputs per kernel):\n");
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  auto log_uniform = [&](double lo, double hi) { return lo * std::pow(hi / lo, u01(rng)); };
  auto inputs_for = [&](double scale) {
    std::vector<double> xs(2000);
    for (double& x : xs) x = (u01(rng) < 0.5 ? -1 : 1) * log_uniform(1e-8, 60.0) / scale;
    return xs;
  };
  for (torch::ScalarType dt : {torch::kFloat32, torch::kFloat64}) {
    ErrStats hf, hb, sf, sb, ts;
    for (int draw = 0; draw < 300; ++draw) {
      const double al = log_uniform(1e-3, 1e4), be = log_uniform(1e-3, 1e4), gm = log_uniform(1e-3, 1e4);
      const std::vector<double> xa = inputs_for(al), xg = inputs_for(gm);
      hf.merge(compare(xa, dt, [&](const torch::Tensor& x) { return htaf::htaf_forward(x, al, be); },
                       [&](LD x) { return ref_htaf(x, al, be); }));
      hb.merge(compare(xa, dt,
                       [&](const torch::Tensor& x) { return htaf::htaf_backward(torch::ones_like(x), x, al, be); },
                       [&](LD x) { return ref_htaf_grad(x, al, be); }));
      sf.merge(compare(xg, dt, [&](const torch::Tensor& x) { return htaf::ss_forward(x, gm); },
                       [&](LD x) { return ref_ss(x, gm); }));
      sb.merge(compare(xg, dt, [&](const torch::Tensor& x) { return htaf::ss_backward(torch::ones_like(x), x, gm); },
                       [&](LD x) { return ref_sigmoid_grad(x, gm); }));
      ts.merge(compare(xg, dt,
                       [&](const torch::Tensor& x) {
                         return htaf::surrogate_backward(torch::ones_like(x), x, Surrogate::Tanh, gm);
                       },
                       [&](LD x) { return ref_tanh_sur(x, gm); }));
    }
    report("htaf_forward (random)", dt, hf);
    report("htaf_backward (random)", dt, hb);
    report("ss_forward (random)", dt, sf);
    report("ss_backward (random)", dt, sb);
    report("surrogate_backward Tanh (random)", dt, ts);
  }
}

// The spec's composed formulas evaluated with float64 ATen ops, for comparison.
// (Their own error grows in the tails: 1 - tanh^2 cancels; shown for information.)
void check_vs_composed_f64() {
  std::printf("Against the SPEC composed formulas in float64 ATen ops (informational; |x| <= 3, alpha=2, beta=11):\n");
  const double al = 2, be = 11;
  for (torch::ScalarType dt : {torch::kFloat32, torch::kFloat64}) {
    const torch::Tensor x = torch::linspace(-3, 3, 60001, torch::kFloat64).to(dt);
    const torch::Tensor xd = x.to(torch::kFloat64);
    const torch::Tensor t = torch::tanh(al * xd), u = be * t;
    const torch::Tensor y_ref = torch::sigmoid(u);
    const torch::Tensor d_ref = al * be * torch::sigmoid(u) * torch::sigmoid(-u) * (1 - t * t);
    const double ef = ((htaf::htaf_forward(x, al, be).to(torch::kFloat64) - y_ref).abs() / y_ref.abs()).max().item<double>();
    const double eb = ((htaf::htaf_backward(torch::ones_like(x), x, al, be).to(torch::kFloat64) - d_ref).abs() / d_ref.abs())
                          .max()
                          .item<double>();
    std::printf("  %-8s forward max rel %.3e   backward max rel %.3e\n", dt == torch::kFloat32 ? "float32" : "float64",
                ef, eb);
  }
}

void check_exact_values() {
  std::printf("Exact values:\n");
  for (torch::ScalarType dt : {torch::kFloat32, torch::kFloat64}) {
    for (auto [al, be] : std::vector<std::pair<double, double>>{{2, 11}, {0.3, 7}, {1e4, 1e4}}) {
      const torch::Tensor z = torch::tensor({0.0, -0.0}, torch::kFloat64).to(dt);
      const std::vector<double> y = to_vec(htaf::htaf_forward(z, al, be));
      const std::vector<double> d = to_vec(htaf::htaf_backward(torch::ones_like(z), z, al, be));
      const double want = dt == torch::kFloat32 ? (double)(float)(al * be / 4) : al * be / 4;
      expect(y[0] == 0.5 && y[1] == 0.5, "HTAF(0) == 0.5");
      expect(d[0] == want && d[1] == want, "HTAF'(0) == alpha*beta/4");
    }
    const torch::Tensor s = torch::tensor({-1.0, -0.0, 0.0, 2.0, kNaN, kInf, -kInf}, torch::kFloat64).to(dt);
    const std::vector<double> h = to_vec(htaf::heaviside_forward(s));
    expect(h[0] == 0 && h[1] == 1 && h[2] == 1 && h[3] == 1 && std::isnan(h[4]) && h[5] == 1 && h[6] == 0,
           "heaviside values (H(0) = H(-0) = 1, NaN -> NaN)");
    // infinities and NaN through the smooth kernels
    const std::vector<double> hi = to_vec(htaf::htaf_forward(s, 2, 11));
    const double sb = 1 / (1 + std::exp(-11.0));
    expect(std::isnan(hi[4]) && std::fabs(hi[5] - sb) < 1e-7 && std::fabs(hi[6] - (1 - sb)) < 1e-7,
           "htaf(NaN)=NaN, htaf(+-inf)=sigmoid(+-beta)");
    const std::vector<double> gi = to_vec(htaf::htaf_backward(torch::ones_like(s), s, 2, 11));
    expect(std::isnan(gi[4]) && gi[5] == 0 && gi[6] == 0, "htaf'(NaN)=NaN, htaf'(+-inf)=0");
    const std::vector<double> si = to_vec(htaf::ss_forward(s, 3));
    expect(std::isnan(si[4]) && si[5] == 1 && si[6] == 0, "ss(NaN)=NaN, ss(+inf)=1, ss(-inf)=0");
  }
  std::printf("  done\n");
}

// Layouts: non-contiguous x, channels_last, expanded grad, grad of another dtype.
void check_layouts() {
  std::printf("Layouts, autograd and errors:\n");
  torch::manual_seed(1);
  const torch::Tensor base = torch::randn({4, 5, 6, 7});
  const double al = 2, be = 11;
  const torch::Tensor ref = htaf::htaf_forward(base.contiguous(), al, be);
  const torch::Tensor xt = base.transpose(1, 3);  // non-contiguous, dense
  expect(htaf::htaf_forward(xt, al, be).equal(ref.transpose(1, 3)), "transposed input");
  const torch::Tensor xs = base.index({torch::indexing::Slice(), torch::indexing::Slice(0, 5, 2)});  // strided
  expect(htaf::htaf_forward(xs, al, be).equal(ref.index({torch::indexing::Slice(), torch::indexing::Slice(0, 5, 2)})),
         "sliced input");
  const torch::Tensor xcl = base.contiguous(torch::MemoryFormat::ChannelsLast);
  const torch::Tensor ycl = htaf::htaf_forward(xcl, al, be);
  expect(ycl.equal(ref), "channels_last values");
  expect(ycl.is_contiguous(torch::MemoryFormat::ChannelsLast), "channels_last output keeps layout");
  const torch::Tensor gref = htaf::htaf_backward(torch::ones_like(base), base, al, be);
  expect(htaf::htaf_backward(torch::ones({1}).expand(base.sizes()), base, al, be).equal(gref), "expanded grad");
  expect(htaf::htaf_backward(torch::ones_like(base, torch::kFloat64), base, al, be).equal(gref), "float64 grad, float32 x");
  expect(htaf::htaf_backward(torch::ones_like(xcl), xcl, al, be).equal(gref), "channels_last grad and x");
  expect(htaf::htaf_forward(torch::empty({0, 3}), al, be).sizes() == torch::IntArrayRef({0, 3}), "empty tensor");
  expect(htaf::htaf_forward(torch::tensor(0.25), al, be).dim() == 0, "0-dim tensor");

  // threads and layouts give bit-identical results: odd sizes split across tasks,
  // a strided (gathered) view, and a raw call on a tensor that requires grad
  {
    const torch::Tensor big = torch::randn({100003}) * 3;
    const torch::Tensor gbig = torch::randn({100003});
    const int threads = at::get_num_threads();
    at::set_num_threads(1);
    const torch::Tensor y1 = htaf::htaf_forward(big, al, be), d1 = htaf::htaf_backward(gbig, big, al, be);
    at::set_num_threads(std::max(threads, 2));
    expect(htaf::htaf_forward(big, al, be).equal(y1), "parallel forward == serial forward");
    expect(htaf::htaf_backward(gbig, big, al, be).equal(d1), "parallel backward == serial backward");
    at::set_num_threads(threads);
    const torch::Tensor wide = torch::randn({512, 300});
    const torch::Tensor cols = wide.index({torch::indexing::Slice(), torch::indexing::Slice(0, 300, 3)});
    expect(htaf::htaf_forward(cols, al, be).equal(htaf::htaf_forward(cols.contiguous(), al, be)), "strided columns");
    expect(htaf::htaf_backward(cols.t(), cols.t(), al, be)
               .equal(htaf::htaf_backward(cols.t().contiguous(), cols.t().contiguous(), al, be)),
           "strided grad and x");
    const torch::Tensor xr = base.clone().requires_grad_(true);
    const torch::Tensor yr = htaf::htaf_forward(xr, al, be);
    expect(yr.equal(ref) && !yr.requires_grad(), "raw kernel on a tensor that requires grad");
  }

  // autograd wrappers agree with the raw kernels
  const torch::Tensor g = torch::randn_like(base);
  auto grad_of = [&](const std::function<torch::Tensor(const torch::Tensor&)>& f) {
    torch::Tensor x = base.clone().requires_grad_(true);
    return torch::autograd::grad({f(x)}, {x}, {g})[0];
  };
  expect(grad_of([&](const torch::Tensor& x) { return htaf::htaf(x, al, be); }).equal(htaf::htaf_backward(g, base, al, be)),
         "htaf autograd backward == htaf_backward");
  expect(grad_of([&](const torch::Tensor& x) { return htaf::scaled_sigmoid(x, 22); }).equal(htaf::ss_backward(g, base, 22)),
         "scaled_sigmoid autograd backward == ss_backward");
  for (Surrogate k : {Surrogate::Sigmoid, Surrogate::Tanh, Surrogate::Rect}) {
    const double p = k == Surrogate::Sigmoid ? 4 : k == Surrogate::Tanh ? 2 : 1;
    expect(grad_of([&](const torch::Tensor& x) { return htaf::heaviside_ste(x, k, p); })
               .equal(htaf::surrogate_backward(g, base, k, p)),
           "heaviside_ste autograd backward == surrogate_backward");
  }
  {
    torch::Tensor x = base.clone().requires_grad_(true);
    expect(htaf::htaf(x, al, be).equal(ref), "htaf autograd forward == htaf_forward");
    expect(htaf::heaviside_ste(x, Surrogate::Tanh, 2).equal(htaf::heaviside_forward(base)), "heaviside_ste forward");
  }

  // double backward (create_graph): first derivative equals the kernel's, second
  // derivative matches a central difference of htaf_backward.
  {
    const torch::Tensor xd = torch::linspace(-3, 3, 1001, torch::kFloat64);
    torch::Tensor x = xd.clone().requires_grad_(true);
    const torch::Tensor y = htaf::htaf(x, al, 1.5);
    const torch::Tensor d1 = torch::autograd::grad({y}, {x}, {torch::ones_like(y)}, true, true)[0];
    const torch::Tensor d2 = torch::autograd::grad({d1}, {x}, {torch::ones_like(d1)})[0];
    const torch::Tensor k1 = htaf::htaf_backward(torch::ones_like(xd), xd, al, 1.5);
    const double h = 1e-5;
    const torch::Tensor fd = (htaf::htaf_backward(torch::ones_like(xd), xd + h, al, 1.5) -
                              htaf::htaf_backward(torch::ones_like(xd), xd - h, al, 1.5)) /
                             (2 * h);
    expect((d1 - k1).abs().max().item<double>() <= 1e-12 * k1.abs().max().item<double>(), "create_graph first derivative");
    expect((d2 - fd).abs().max().item<double>() <= 1e-6 * fd.abs().max().item<double>(), "htaf double backward");
    torch::Tensor xs2 = xd.clone().requires_grad_(true);
    const torch::Tensor s1 = torch::autograd::grad({htaf::scaled_sigmoid(xs2, 3)}, {xs2}, {torch::ones_like(xd)}, true, true)[0];
    const torch::Tensor s2 = torch::autograd::grad({s1}, {xs2}, {torch::ones_like(s1)})[0];
    const torch::Tensor sfd = (htaf::ss_backward(torch::ones_like(xd), xd + h, 3) -
                               htaf::ss_backward(torch::ones_like(xd), xd - h, 3)) /
                              (2 * h);
    expect((s2 - sfd).abs().max().item<double>() <= 1e-6 * sfd.abs().max().item<double>(), "ss double backward");
  }

  // error messages
  auto message_of = [](const std::function<void()>& f) -> std::string {
    try {
      f();
    } catch (const std::exception& e) {
      return e.what();
    }
    return "<no exception>";
  };
  const torch::Tensor x = torch::randn({2, 3});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {message_of([&] { htaf::htaf(x, 2, kNaN); }), "htaf: beta must be a finite number > 0, got nan"},
      {message_of([&] { htaf::htaf_forward(x, -1, 11); }), "htaf_forward: alpha must be a finite number > 0, got -1"},
      {message_of([&] { htaf::htaf_backward(x, x, 2, kInf); }), "htaf_backward: beta must be a finite number > 0, got inf"},
      {message_of([&] { htaf::scaled_sigmoid(x, 0); }), "scaled_sigmoid: gamma must be a finite number > 0, got 0"},
      {message_of([&] { htaf::heaviside_ste(x, Surrogate::Rect, -0.5); }), "heaviside_ste: a must be a finite number > 0, got -0.5"},
      {message_of([&] { htaf::surrogate_backward(x, x, Surrogate::Sigmoid, kNaN); }),
       "surrogate_backward: k must be a finite number > 0, got nan"},
      {message_of([&] { htaf::htaf(torch::ones({2}, torch::kLong), 2, 11); }),
       "htaf: x must be a float32 or float64 tensor, got dtype int64"},
      {message_of([&] { htaf::heaviside_forward(torch::ones({2}, torch::kHalf)); }),
       "heaviside_forward: x must be a float32 or float64 tensor, got dtype float16"},
      {message_of([&] { htaf::htaf_backward(torch::ones({3, 2}), x, 2, 11); }),
       "htaf_backward: grad and x must have the same shape, got grad [3, 2] and x [2, 3]"},
      {message_of([&] { htaf::ss_backward(torch::ones({3}, torch::kInt), torch::ones({3}), 1); }),
       "ss_backward: grad must be a float32 or float64 tensor, got dtype int32"},
  };
  for (const auto& [got, want] : cases) {
    expect(got == want, "message '" + got + "' != '" + want + "'");
  }
  std::printf("  %s\n", g_failures ? "see failures above" : "done");
}

// ---------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------

// One timed case: a name and a function to run.
struct Case {
  Case(std::string n, std::function<void()> f) : name(std::move(n)), run(std::move(f)) {}
  std::string name;
  std::function<void()> run;
  std::vector<double> ms;
  double median() const {
    std::vector<double> v = ms;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  }
  double min() const { return *std::min_element(ms.begin(), ms.end()); }
};

// Runs every case once per round (after two warm-up rounds), so that load changes
// on a shared machine hit all cases alike.
void run_rounds(std::vector<Case>& cases, int rounds) {
  for (int r = -2; r < rounds; ++r) {
    for (Case& c : cases) {
      const auto t0 = std::chrono::steady_clock::now();
      c.run();
      const auto t1 = std::chrono::steady_clock::now();
      if (r >= 0) c.ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
  }
}

// Forward + backward through autograd (torch::autograd::grad: no .grad accumulation).
std::function<void()> autograd_case(const torch::Tensor& x0, const torch::Tensor& g,
                                    std::function<torch::Tensor(const torch::Tensor&)> f) {
  const torch::Tensor x = x0.detach().requires_grad_(true);
  return [x, g, f] {
    const torch::Tensor y = f(x);
    const auto gx = torch::autograd::grad({y}, {x}, {g});
  };
}

void bench(int rounds, bool warm_allocator, const std::vector<torch::ScalarType>& dtypes) {
  if (warm_allocator) {
    // Serve every allocation from the heap and never give memory back, so large
    // buffers are reused instead of being mmap'ed (and page-faulted) afresh, as the
    // addon's caching CPU allocator does.
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
  }
  std::printf("\nTiming: forward + backward, shape 128x64x28x28, %d threads, %s; %d rounds\n",
              at::get_num_threads(),
              warm_allocator ? "warm allocator (buffers reused, no page faults)"
                             : "default glibc allocator (large buffers mmap'ed fresh)",
              rounds);
  const double al = 2, be = 11, gm = 22;
  for (torch::ScalarType dt : dtypes) {
    torch::manual_seed(0);
    const torch::Tensor x = torch::randn({128, 64, 28, 28}, dt);
    const torch::Tensor g = torch::randn_like(x);
    std::vector<Case> cases;
    cases.emplace_back("relu", autograd_case(x, g, [](const torch::Tensor& t) { return torch::relu(t); }));
    cases.emplace_back("htaf composed: sigmoid(b*tanh(a*x))", autograd_case(x, g, [=](const torch::Tensor& t) {
                       return torch::sigmoid(be * torch::tanh(al * t));
                     }));
    cases.emplace_back("htaf fused (autograd)",
                     autograd_case(x, g, [=](const torch::Tensor& t) { return htaf::htaf(t, al, be); }));
    cases.emplace_back("htaf fused raw kernels", [&, al, be] {
                       const torch::Tensor y = htaf::htaf_forward(x, al, be);
                       const torch::Tensor gx = htaf::htaf_backward(g, x, al, be);
                     });
    cases.emplace_back("  of which htaf_forward", [&, al, be] { const torch::Tensor y = htaf::htaf_forward(x, al, be); });
    cases.emplace_back("ss composed: sigmoid(g*x)",
                     autograd_case(x, g, [=](const torch::Tensor& t) { return torch::sigmoid(gm * t); }));
    cases.emplace_back("ss fused (autograd)",
                     autograd_case(x, g, [=](const torch::Tensor& t) { return htaf::scaled_sigmoid(t, gm); }));
    // the usual Python-side STE: H(x) + s - s.detach(), s = sigmoid(4x)
    cases.emplace_back("ste composed: H(x)+s-s.detach()", autograd_case(x, g, [](const torch::Tensor& t) {
                       const torch::Tensor s = torch::sigmoid(4.0 * t);
                       return (t >= 0).to(t.scalar_type()) + s - s.detach();
                     }));
    cases.emplace_back("ste fused, sigmoid surrogate", autograd_case(x, g, [](const torch::Tensor& t) {
                       return htaf::heaviside_ste(t, Surrogate::Sigmoid, 4);
                     }));
    cases.emplace_back("ste fused, tanh surrogate", autograd_case(x, g, [](const torch::Tensor& t) {
                       return htaf::heaviside_ste(t, Surrogate::Tanh, 2);
                     }));
    cases.emplace_back("ste fused, rect surrogate", autograd_case(x, g, [](const torch::Tensor& t) {
                       return htaf::heaviside_ste(t, Surrogate::Rect, 1);
                     }));
    run_rounds(cases, rounds);

    // speedups against the composed version of the same function
    auto composed_for = [&](const std::string& name) -> const Case* {
      const std::string fam = name.substr(0, name.find(' '));
      for (const Case& c : cases) {
        if (c.name.rfind(fam + " composed", 0) == 0 && c.name != name) return &c;
      }
      return nullptr;
    };
    std::printf("  [%s]  %-38s %9s %9s   %s\n", dt == torch::kFloat32 ? "float32" : "float64", "", "median", "min",
                "speedup vs composed (median, min)");
    for (const Case& c : cases) {
      std::printf("  %-48s %6.2f ms %6.2f ms", c.name.c_str(), c.median(), c.min());
      const Case* comp = c.name.find("fused") != std::string::npos ? composed_for(c.name) : nullptr;
      if (comp) std::printf("   %.2fx, %.2fx", comp->median() / c.median(), comp->min() / c.min());
      std::printf("\n");
    }
  }
}

// Microseconds per call of each float32 kernel on small and mid-sized inputs (median of many calls,
// warm), for choosing the parallel grain: `make grain` runs this under several HTAF_GRAIN values,
// and the grain to keep is the one where no size runs slower than with one task.
void grain_sweep(int threads) {
  const char* g = std::getenv("HTAF_GRAIN");
  std::printf("grain sweep: %d threads, HTAF_GRAIN=%s (us per call, median)\n", threads, g ? g : "(built-in)");
  const std::vector<std::pair<const char*, std::function<torch::Tensor(const torch::Tensor&)>>> ops = {
      {"htaf_forward", [](const torch::Tensor& x) { return htaf::htaf_forward(x, 2, 11); }},
      {"htaf_backward", [](const torch::Tensor& x) { return htaf::htaf_backward(x, x, 2, 11); }},
      {"ss_forward", [](const torch::Tensor& x) { return htaf::ss_forward(x, 22); }},
      {"ss_backward", [](const torch::Tensor& x) { return htaf::ss_backward(x, x, 22); }},
      {"heaviside_forward", [](const torch::Tensor& x) { return htaf::heaviside_forward(x); }},
  };
  for (int64_t n : {4096, 16384, 32768, 65536, 131072, 524288}) {
    const torch::Tensor x = torch::randn({n});
    std::printf("  n=%-7lld", (long long)n);
    for (const auto& [name, fn] : ops) {
      const int calls = static_cast<int>(std::max<int64_t>(20, 20000000 / n));
      std::vector<double> us;
      for (int i = 0; i < calls; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const torch::Tensor y = fn(x);
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      }
      std::nth_element(us.begin(), us.begin() + us.size() / 2, us.end());
      std::printf("  %s %8.1f", name, us[us.size() / 2]);
    }
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 31, threads = 2;
  bool do_bench = true, do_check = true, do_grain = false;
  std::string dtype = "both", allocator = "both";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--no-bench")) do_bench = false;
    else if (!std::strcmp(argv[i], "--no-check")) do_check = false;
    else if (!std::strcmp(argv[i], "--grain-sweep")) do_grain = true;
    else if (!std::strcmp(argv[i], "--dtype") && i + 1 < argc) dtype = argv[++i];
    else if (!std::strcmp(argv[i], "--allocator") && i + 1 < argc) allocator = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--rounds N] [--threads T] [--dtype float32|float64|both] "
                   "[--allocator default|warm|both] [--no-bench] [--no-check] [--grain-sweep]\n", argv[0]);
      return 2;
    }
  }
  at::set_num_threads(threads);
  if (do_grain) {
    grain_sweep(threads);
    return 0;
  }
  const char* simd = std::getenv("HTAF_SIMD");
  std::printf("htaf fused kernels: CPU has avx2+fma %s, avx512f/dq/vl %s; HTAF_SIMD=%s\n",
              __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? "yes" : "no",
              __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512vl")
                  ? "yes"
                  : "no",
              simd ? simd : "(unset: widest available)");
  if (do_check) {
    check_accuracy();
    check_random_params();
    check_vs_composed_f64();
    check_exact_values();
    check_layouts();
    std::printf("%s (%d failure%s)\n", g_failures ? "CHECKS FAILED" : "all checks passed", g_failures,
                g_failures == 1 ? "" : "s");
  }
  if (do_bench) {
    std::vector<torch::ScalarType> dtypes;
    if (dtype != "float64") dtypes.push_back(torch::kFloat32);
    if (dtype != "float32") dtypes.push_back(torch::kFloat64);
    // the default allocator first: once the warm one is set up it stays
    if (allocator != "warm") bench(rounds, false, dtypes);
    if (allocator != "default") bench(rounds, true, dtypes);
  }
  return g_failures ? 1 : 0;
}
