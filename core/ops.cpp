#include "core/ops.hpp"

#include <cmath>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xmath.hpp>

#include "core/elementwise.hpp"
#include "core/gradient_buffer.hpp"

namespace tessera {

namespace {

// Checks that a and b broadcast, with the op's name in the error.
void check_broadcast(const char* op, const Variable& a, const Variable& b) {
  try {
    broadcast_shapes(a.shape(), b.shape());
  } catch (const ShapeError& e) {
    throw ShapeError(std::string(op) + ": " + e.what());
  }
}

// Gives input i its share of a broadcast gradient.
void accumulate_reduced(Node& self, std::size_t i, const Tensor& g) {
  if (self.input_requires_grad(i)) self.inputs[i]->accumulate(reduce_to_shape(g, shape_of(self.input(i))));
}

std::vector<std::size_t> normalize_axes(const std::vector<int>& axes, std::size_t rank) {
  std::vector<std::size_t> out;
  for (int a : axes) {
    std::size_t n = normalize_axis(a, rank);
    if (std::find(out.begin(), out.end(), n) != out.end())
      throw ShapeError("axis " + std::to_string(a) + " is repeated in a reduction");
    out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::size_t> all_axes(std::size_t rank) {
  std::vector<std::size_t> out(rank);
  for (std::size_t i = 0; i < rank; ++i) out[i] = i;
  return out;
}

// Shape of x after reducing `axes` with keepdims.
Shape kept_shape(const Shape& in, const std::vector<std::size_t>& axes) {
  Shape out = in;
  for (auto a : axes) out[a] = 1;
  return out;
}

Variable reduce_sum(const Variable& x, const std::vector<std::size_t>& axes, bool keepdims,
                    float factor, const char* name) {
  const Shape in = x.shape();
  const Shape kept = kept_shape(in, axes);
  Tensor s = xt::sum(x.value(), axes);
  if (factor != 1.0f) s *= factor;
  Shape out = kept;
  if (!keepdims) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i)
      if (std::find(axes.begin(), axes.end(), i) == axes.end()) out.push_back(in[i]);
  }
  s.reshape(out);
  return make_result(name, std::move(s), {x}, [kept, factor](Node& self) {
    Tensor g = xt::reshape_view(self.grad, kept);
    Tensor full = xt::broadcast(g * factor, shape_of(self.input(0)));
    self.inputs[0]->accumulate(std::move(full));
  });
}

float mean_factor(const Shape& in, const std::vector<std::size_t>& axes) {
  std::size_t n = 1;
  for (auto a : axes) n *= in[a];
  return n == 0 ? 0.0f : 1.0f / float(n);
}

// The [begin, end) range of one axis of a row-major tensor is `outer` blocks of `block` floats,
// `stride` apart, starting at `offset`.
struct AxisRange {
  std::size_t outer = 1, stride = 0, offset = 0, block = 0;
};

AxisRange axis_range(const Shape& full, std::size_t axis, std::size_t begin, std::size_t end) {
  std::size_t inner = 1;
  AxisRange r;
  for (std::size_t i = 0; i < axis; ++i) r.outer *= full[i];
  for (std::size_t i = axis + 1; i < full.size(); ++i) inner *= full[i];
  r.stride = full[axis] * inner;
  r.offset = begin * inner;
  r.block = (end - begin) * inner;
  return r;
}

void gather(const AxisRange& r, const float* full, float* part) {
  for (std::size_t o = 0; o < r.outer; ++o)
    std::copy_n(full + o * r.stride + r.offset, r.block, part + o * r.block);
}

void scatter(const AxisRange& r, const float* part, float* full) {
  for (std::size_t o = 0; o < r.outer; ++o)
    std::copy_n(part + o * r.block, r.block, full + o * r.stride + r.offset);
}

}  // namespace

Variable add(const Variable& a, const Variable& b) {
  check_broadcast("add", a, b);
  return make_result("add", a.value() + b.value(), {a, b}, [](Node& self) {
    accumulate_reduced(self, 0, self.grad);
    accumulate_reduced(self, 1, self.grad);
  });
}

Variable sub(const Variable& a, const Variable& b) {
  check_broadcast("sub", a, b);
  return make_result("sub", a.value() - b.value(), {a, b}, [](Node& self) {
    accumulate_reduced(self, 0, self.grad);
    if (self.input_requires_grad(1)) accumulate_reduced(self, 1, -self.grad);
  });
}

Variable mul(const Variable& a, const Variable& b) {
  check_broadcast("mul", a, b);
  return make_result("mul", a.value() * b.value(), {a, b}, [](Node& self) {
    if (self.input_requires_grad(0)) accumulate_reduced(self, 0, self.grad * self.input(1));
    if (self.input_requires_grad(1)) accumulate_reduced(self, 1, self.grad * self.input(0));
  });
}

Variable div(const Variable& a, const Variable& b) {
  check_broadcast("div", a, b);
  return make_result("div", a.value() / b.value(), {a, b}, [](Node& self) {
    const Tensor& b = self.input(1);
    if (self.input_requires_grad(0)) accumulate_reduced(self, 0, self.grad / b);
    if (self.input_requires_grad(1))
      accumulate_reduced(self, 1, -self.grad * self.input(0) / (b * b));
  });
}

Variable neg(const Variable& x) { return scale(x, -1.0f); }

Variable scale(const Variable& x, float factor) {
  return detail::unary_op(
      "scale", x, [factor](const Tensor& v) -> Tensor { return v * factor; },
      [factor](const Tensor& v, const Tensor&) { return xt::full_like(v, factor); });
}

Variable shift(const Variable& x, float offset) {
  return detail::unary_op(
      "shift", x, [offset](const Tensor& v) -> Tensor { return v + offset; },
      [](const Tensor& v, const Tensor&) { return xt::ones_like(v); });
}

Variable matmul(const Variable& a, const Variable& b) {
  Tensor c = matmul(a.value(), b.value());
  return make_result("matmul", std::move(c), {a, b}, [](Node& self) {
    // C = A·B: dA = dC·Bᵀ, dB = Aᵀ·dC, each written where its input keeps its gradient (a
    // weight's storage stays from step to step: core/gradient_buffer.hpp).
    InputGradient da(self, 0), db(self, 1);
    if (da.data()) matmul_into(self.grad, self.input(1), false, true, da.data());
    if (db.data()) matmul_into(self.input(0), self.grad, true, false, db.data());
    da.commit();
    db.commit();
  });
}

Variable sum(const Variable& x) {
  return reduce_sum(x, all_axes(x.value().dimension()), false, 1.0f, "sum");
}

Variable sum(const Variable& x, const std::vector<int>& axes, bool keepdims) {
  return reduce_sum(x, normalize_axes(axes, x.value().dimension()), keepdims, 1.0f, "sum");
}

Variable mean(const Variable& x) {
  auto axes = all_axes(x.value().dimension());
  return reduce_sum(x, axes, false, mean_factor(x.shape(), axes), "mean");
}

Variable mean(const Variable& x, const std::vector<int>& axes, bool keepdims) {
  auto norm = normalize_axes(axes, x.value().dimension());
  return reduce_sum(x, norm, keepdims, mean_factor(x.shape(), norm), "mean");
}

Shape resolve_reshape(const Shape& from, const std::vector<long>& to) {
  const std::size_t total = shape_size(from);
  Shape out(to.size());
  std::size_t known = 1;
  long infer = -1;
  auto fail = [&] {
    std::string req = "(";
    for (std::size_t i = 0; i < to.size(); ++i) req += (i ? ", " : "") + std::to_string(to[i]);
    throw ShapeError("cannot reshape " + shape_str(from) + " to " + req + ")");
  };
  for (std::size_t i = 0; i < to.size(); ++i) {
    if (to[i] == -1) {
      if (infer >= 0) fail();
      infer = long(i);
    } else if (to[i] < 0) {
      fail();
    } else {
      out[i] = std::size_t(to[i]);
      known *= out[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || total % known) fail();
    out[std::size_t(infer)] = total / known;
  } else if (known != total) {
    fail();
  }
  return out;
}

Variable reshape(const Variable& x, const std::vector<long>& shape) {
  const Shape resolved = resolve_reshape(x.shape(), shape);
  if (resolved == x.shape()) return x;  // nothing to copy (a 2-D pooling's output, for one)
  Tensor y = x.value();
  y.reshape(resolved);
  return make_result("reshape", std::move(y), {x}, [](Node& self) {
    // The node's gradient is spent after this closure: reshaped and handed on, not copied.
    self.grad.reshape(shape_of(self.input(0)));
    self.inputs[0]->accumulate(std::move(self.grad));
  });
}

Variable transpose(const Variable& x, const std::vector<std::size_t>& perm) {
  Tensor y = permute_axes(x.value(), perm);
  return make_result("transpose", std::move(y), {x}, [perm](Node& self) {
    std::vector<std::size_t> inverse(perm.size());
    for (std::size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = i;
    self.inputs[0]->accumulate(permute_axes(self.grad, inverse));
  });
}

Variable slice(const Variable& x, int axis, std::size_t begin, std::size_t end) {
  const std::size_t rank = x.value().dimension();
  const std::size_t ax = normalize_axis(axis, rank);
  if (begin > end || end > x.shape()[ax])
    throw ShapeError("slice [" + std::to_string(begin) + ", " + std::to_string(end) +
                     ") is out of range for axis " + std::to_string(axis) + " of shape " +
                     shape_str(x.value()));
  Shape out = x.shape();
  out[ax] = end - begin;
  Tensor y = Tensor::from_shape(out);
  const AxisRange range = axis_range(x.shape(), ax, begin, end);
  gather(range, x.value().data(), y.data());
  return make_result("slice", std::move(y), {x}, [range](Node& self) {
    Tensor g = zeros(shape_of(self.input(0)));
    scatter(range, self.grad.data(), g.data());
    self.inputs[0]->accumulate(std::move(g));
  });
}

Variable concat(const std::vector<Variable>& xs, int axis) {
  if (xs.empty()) throw ShapeError("concat of no tensors");
  const Shape first = xs[0].shape();
  const std::size_t ax = normalize_axis(axis, first.size());
  Shape out = first;
  out[ax] = 0;
  for (const auto& x : xs) {
    Shape s = x.shape();
    Shape s_other = s, f_other = first;
    if (s.size() == first.size()) s_other[ax] = f_other[ax] = 0;
    if (s_other != f_other)
      throw ShapeError("concat on axis " + std::to_string(axis) + ": shapes " + shape_str(first) +
                       " and " + shape_str(s) + " differ off that axis");
    out[ax] += s[ax];
  }
  Tensor y = Tensor::from_shape(out);
  std::size_t at = 0;
  for (const auto& x : xs) {
    std::size_t n = x.shape()[ax];
    scatter(axis_range(out, ax, at, at + n), x.value().data(), y.data());
    at += n;
  }
  return make_result("concat", std::move(y), xs, [ax](Node& self) {
    std::size_t at = 0;
    for (std::size_t i = 0; i < self.inputs.size(); ++i) {
      std::size_t n = self.input(i).shape(ax);
      if (self.input_requires_grad(i)) {
        Tensor g = Tensor::from_shape(shape_of(self.input(i)));
        gather(axis_range(shape_of(self.grad), ax, at, at + n), self.grad.data(), g.data());
        self.inputs[i]->accumulate(std::move(g));
      }
      at += n;
    }
  });
}

Variable exp(const Variable& x) {
  return detail::unary_op(
      "exp", x, [](const Tensor& v) -> Tensor { return xt::exp(v); },
      [](const Tensor&, const Tensor& y) { return y; });
}

Variable log(const Variable& x) {
  return detail::unary_op(
      "log", x, [](const Tensor& v) -> Tensor { return xt::log(v); },
      [](const Tensor& v, const Tensor&) { return 1.0f / v; });
}

Variable sqrt(const Variable& x) {
  return detail::unary_op(
      "sqrt", x, [](const Tensor& v) -> Tensor { return xt::sqrt(v); },
      [](const Tensor&, const Tensor& y) { return 0.5f / y; });
}

Variable square(const Variable& x) {
  return detail::unary_op(
      "square", x, [](const Tensor& v) -> Tensor { return v * v; },
      [](const Tensor& v, const Tensor&) { return 2.0f * v; });
}

Variable pow(const Variable& x, float exponent) {
  return detail::unary_op(
      "pow", x, [exponent](const Tensor& v) -> Tensor { return xt::pow(v, exponent); },
      [exponent](const Tensor& v, const Tensor&) {
        return exponent * xt::pow(v, exponent - 1.0f);
      });
}

Variable abs(const Variable& x) {
  return detail::unary_op(
      "abs", x, [](const Tensor& v) -> Tensor { return xt::abs(v); },
      [](const Tensor& v, const Tensor&) { return xt::sign(v); });
}

Variable clip(const Variable& x, float lo, float hi) {
  if (!(lo <= hi))
    throw std::invalid_argument("clip: lower bound " + std::to_string(lo) +
                                " is above upper bound " + std::to_string(hi));
  return detail::unary_op(
      "clip", x, [lo, hi](const Tensor& v) -> Tensor { return xt::clip(v, lo, hi); },
      [lo, hi](const Tensor& v, const Tensor&) {
        return xt::cast<float>(v >= lo && v <= hi);
      });
}

}  // namespace tessera
