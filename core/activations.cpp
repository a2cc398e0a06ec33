#include "core/activations.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <xtensor/xmath.hpp>
#include <xtensor/xreducer.hpp>
#include <xtensor/xsort.hpp>

#include "core/elementwise.hpp"

namespace tessera {

namespace {

constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSeluScale = 1.0507009873554804934193349852946f;

Tensor stable_sigmoid(const Tensor& v) {
  // exp of a non-positive number never overflows.
  return xt::where(v >= 0.0f, 1.0f / (1.0f + xt::exp(-v)), xt::exp(v) / (1.0f + xt::exp(v)));
}

Tensor stable_softplus(const Tensor& v) {
  return xt::maximum(v, 0.0f) + xt::log1p(xt::exp(-xt::abs(v)));
}

// Largest value along `axis`, kept as a size-1 axis for broadcasting.
Tensor max_keepdims(const Tensor& v, std::size_t axis) {
  return xt::amax(v, {axis}, xt::keep_dims);
}

Tensor sum_keepdims(const Tensor& v, std::size_t axis) {
  return xt::sum(v, {axis}, xt::keep_dims);
}

}  // namespace

Variable linear(const Variable& x) { return x; }

// Loops of selects (no branch to mispredict on each sign; they vectorize), forward and backward
// fused with the incoming gradient and shared among the threads when large: xtensor's nested
// where() expressions were a quarter of the demo's training step. A NaN input stays NaN, as in
// TensorFlow's relu (a 0 would hide it from the checks downstream); its gradient is 0. The `if`
// names `parallel`: unqualified, it also applies to `simd`, and smaller tensors ran unvectorized.
// `omp simd` asserts what vectorizing needs, so out may be in (no __restrict).
void relu_forward(const float* in, float* out, long n, float alpha, float max_value,
                  float threshold) {
#pragma omp parallel for simd schedule(static) if (parallel : n > (1 << 17))
  for (long i = 0; i < n; ++i) {
    // Both sides computed, then selected: GCC does not speculate a conditional multiply.
    const float clipped = in[i] < max_value ? in[i] : max_value;
    const float leak = alpha * (in[i] - threshold);
    const float at_threshold = in[i] == in[i] ? 0.0f : in[i];  // NaN is the one x != x
    out[i] = in[i] > threshold ? clipped : in[i] < threshold ? leak : at_threshold;
  }
}

void relu_backward(const float* __restrict in, float* __restrict g, long n, float alpha,
                   float max_value, float threshold) {
#pragma omp parallel for simd schedule(static) if (parallel : n > (1 << 17))
  for (long i = 0; i < n; ++i) {
    const float inside = in[i] < max_value ? 1.0f : 0.0f;
    const float below = in[i] < threshold ? alpha : 0.0f;
    g[i] *= in[i] > threshold ? inside : below;
  }
}

Variable relu(const Variable& x, float alpha, float max_value, float threshold) {
  Tensor y = Tensor::from_shape(x.value().shape());
  relu_forward(x.value().data(), y.data(), long(y.size()), alpha, max_value, threshold);
  return make_result("relu", std::move(y), {x}, [=](Node& self) {
    relu_backward(self.input(0).data(), self.grad.data(), long(self.grad.size()), alpha,
                  max_value, threshold);
    // The node's gradient is spent after this closure: hand it on instead of copying.
    self.inputs[0]->accumulate(std::move(self.grad));
  });
}

Variable sigmoid(const Variable& x) {
  Variable y = detail::unary_op("sigmoid", x, stable_sigmoid,
                                [](const Tensor&, const Tensor& y) { return y * (1.0f - y); });
  y.node()->logits = x.node();
  return y;
}

Variable tanh(const Variable& x) {
  return detail::unary_op(
      "tanh", x, [](const Tensor& v) -> Tensor { return xt::tanh(v); },
      [](const Tensor&, const Tensor& y) { return 1.0f - y * y; });
}

Variable softmax(const Variable& x, int axis) {
  const std::size_t ax = normalize_axis(axis, x.value().dimension());
  Tensor e = xt::exp(x.value() - max_keepdims(x.value(), ax));
  Tensor y = e / sum_keepdims(e, ax);
  Variable out = make_result("softmax", std::move(y), {x}, [ax](Node& self) {
    const Tensor& y = self.value;
    Tensor g = y * (self.grad - sum_keepdims(self.grad * y, ax));
    self.inputs[0]->accumulate(std::move(g));
  });
  if (ax + 1 == x.value().dimension()) out.node()->logits = x.node();
  return out;
}

Variable log_softmax(const Variable& x, int axis) {
  const std::size_t ax = normalize_axis(axis, x.value().dimension());
  Tensor shifted = x.value() - max_keepdims(x.value(), ax);
  Tensor y = shifted - xt::log(sum_keepdims(xt::exp(shifted), ax));
  return make_result("log_softmax", std::move(y), {x}, [ax](Node& self) {
    Tensor g = self.grad - xt::exp(self.value) * sum_keepdims(self.grad, ax);
    self.inputs[0]->accumulate(std::move(g));
  });
}

Variable elu(const Variable& x, float alpha) {
  return detail::unary_op(
      "elu", x,
      [alpha](const Tensor& v) -> Tensor { return xt::where(v > 0.0f, v, alpha * xt::expm1(v)); },
      [alpha](const Tensor& v, const Tensor& y) { return xt::where(v > 0.0f, 1.0f, y + alpha); });
}

Variable selu(const Variable& x) {
  return detail::unary_op(
      "selu", x,
      [](const Tensor& v) -> Tensor {
        return kSeluScale * xt::where(v > 0.0f, v, kSeluAlpha * xt::expm1(v));
      },
      [](const Tensor& v, const Tensor& y) {
        return xt::where(v > 0.0f, kSeluScale, y + kSeluScale * kSeluAlpha);
      });
}

Variable softplus(const Variable& x) {
  return detail::unary_op("softplus", x, stable_softplus,
                          [](const Tensor& v, const Tensor&) { return stable_sigmoid(v); });
}

Variable softsign(const Variable& x) {
  return detail::unary_op(
      "softsign", x, [](const Tensor& v) -> Tensor { return v / (1.0f + xt::abs(v)); },
      [](const Tensor& v, const Tensor&) { return 1.0f / xt::square(1.0f + xt::abs(v)); });
}

Variable hard_sigmoid(const Variable& x) {
  return detail::unary_op(
      "hard_sigmoid", x,
      [](const Tensor& v) -> Tensor { return xt::clip(0.2f * v + 0.5f, 0.0f, 1.0f); },
      // TensorFlow's clip passes the gradient on the closed interval.
      [](const Tensor& v, const Tensor&) {
        return xt::where(v >= -2.5f && v <= 2.5f, 0.2f, 0.0f);
      });
}

Variable swish(const Variable& x) {
  return detail::unary_op(
      "swish", x, [](const Tensor& v) -> Tensor { return v * stable_sigmoid(v); },
      [](const Tensor& v, const Tensor&) -> Tensor {
        Tensor s = stable_sigmoid(v);
        return s * (1.0f + v * (1.0f - s));
      });
}

Variable exponential(const Variable& x) {
  return detail::unary_op(
      "exponential", x, [](const Tensor& v) -> Tensor { return xt::exp(v); },
      [](const Tensor&, const Tensor& y) { return y; });
}

Variable gelu(const Variable& x, bool approximate) {
  constexpr float kSqrt2OverPi = 0.7978845608028654f;
  constexpr float kInvSqrt2 = 0.7071067811865476f;
  constexpr float kInvSqrt2Pi = 0.3989422804014327f;
  if (approximate) {
    return detail::unary_op(
        "gelu", x,
        [=](const Tensor& v) -> Tensor {
          return 0.5f * v * (1.0f + xt::tanh(kSqrt2OverPi * (v + 0.044715f * v * v * v)));
        },
        [=](const Tensor& v, const Tensor&) -> Tensor {
          Tensor t = xt::tanh(kSqrt2OverPi * (v + 0.044715f * v * v * v));
          return 0.5f * (1.0f + t) +
                 0.5f * v * (1.0f - t * t) * kSqrt2OverPi * (1.0f + 3.0f * 0.044715f * v * v);
        });
  }
  return detail::unary_op(
      "gelu", x,
      [=](const Tensor& v) -> Tensor { return 0.5f * v * (1.0f + xt::erf(v * kInvSqrt2)); },
      [=](const Tensor& v, const Tensor&) {
        return 0.5f * (1.0f + xt::erf(v * kInvSqrt2)) + v * kInvSqrt2Pi * xt::exp(-0.5f * v * v);
      });
}

Variable mish(const Variable& x) {
  return detail::unary_op(
      "mish", x, [](const Tensor& v) -> Tensor { return v * xt::tanh(stable_softplus(v)); },
      [](const Tensor& v, const Tensor&) -> Tensor {
        Tensor t = xt::tanh(stable_softplus(v));
        return t + v * (1.0f - t * t) * stable_sigmoid(v);
      });
}

namespace {

const std::map<std::string, ActivationFn>& activation_table() {
  static const std::map<std::string, ActivationFn> table = {
      {"linear", linear},
      {"relu", [](const Variable& x) { return relu(x); }},
      {"sigmoid", sigmoid},
      {"tanh", tanh},
      {"softmax", [](const Variable& x) { return softmax(x); }},
      {"log_softmax", [](const Variable& x) { return log_softmax(x); }},
      {"elu", [](const Variable& x) { return elu(x); }},
      {"selu", selu},
      {"softplus", softplus},
      {"softsign", softsign},
      {"hard_sigmoid", hard_sigmoid},
      {"swish", swish},
      {"silu", swish},
      {"exponential", exponential},
      {"gelu", [](const Variable& x) { return gelu(x); }},
      {"mish", mish},
  };
  return table;
}

}  // namespace

std::vector<std::string> activation_names() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : activation_table()) names.push_back(name);
  return names;
}

ActivationFn get_activation(const std::string& name) {
  const auto& table = activation_table();
  auto it = table.find(name.empty() ? "linear" : name);
  if (it != table.end()) return it->second;
  std::string list;
  for (const auto& n : activation_names()) list += (list.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown activation '" + name + "'; supported: " + list);
}

}  // namespace tessera
