#include "core/tensor.hpp"

#include <algorithm>
#include <sstream>

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xreducer.hpp>

#include "core/blas.hpp"

namespace tessera {

Shape shape_of(const Tensor& t) { return Shape(t.shape().begin(), t.shape().end()); }

std::size_t shape_size(const Shape& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::string shape_str(const Shape& shape) {
  std::ostringstream out;
  out << '(';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  if (shape.size() == 1) out << ',';
  out << ')';
  return out.str();
}

std::string shape_str(const Tensor& t) { return shape_str(shape_of(t)); }

Tensor full(const Shape& shape, float value) {
  Tensor t = Tensor::from_shape(shape);
  t.fill(value);
  return t;
}

Tensor zeros(const Shape& shape) { return full(shape, 0.0f); }

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()));
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::size_t da = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    std::size_t db = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (da != db && da != 1 && db != 1)
      throw ShapeError("shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Tensor reduce_to_shape(const Tensor& grad, const Shape& shape) {
  const Shape g = shape_of(grad);
  if (g == shape) return grad;
  if (shape.size() > g.size())
    throw ShapeError("cannot reduce " + shape_str(g) + " to " + shape_str(shape));
  const std::size_t lead = g.size() - shape.size();
  std::vector<std::size_t> axes;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (i < lead) {
      axes.push_back(i);
    } else if (shape[i - lead] == 1 && g[i] != 1) {
      axes.push_back(i);
    } else if (shape[i - lead] != g[i]) {
      throw ShapeError("cannot reduce " + shape_str(g) + " to " + shape_str(shape));
    }
  }
  Tensor summed = xt::sum(grad, axes);
  return xt::reshape_view(summed, shape);
}

std::size_t normalize_axis(int axis, std::size_t rank) {
  const int r = static_cast<int>(rank);
  if (axis < -r || axis >= r)
    throw ShapeError("axis " + std::to_string(axis) + " is out of range for rank " +
                     std::to_string(rank));
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

void expect_shape(const Tensor& t, const Shape& expected, const std::string& what) {
  if (shape_of(t) != expected)
    throw ShapeError(what + ": expected shape " + shape_str(expected) + ", got " + shape_str(t));
}

namespace {

// The product's shape; throws ShapeError unless both are matrices with equal inner sizes.
Shape matmul_shape(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  if (a.dimension() != 2 || b.dimension() != 2)
    throw ShapeError("matmul needs two matrices, got " + shape_str(a) + " and " + shape_str(b));
  const std::size_t k = transpose_a ? a.shape(0) : a.shape(1);
  const std::size_t kb = transpose_b ? b.shape(1) : b.shape(0);
  if (k != kb)
    throw ShapeError("matmul: inner sizes differ: " + shape_str(a) + (transpose_a ? "ᵀ" : "") +
                     " · " + shape_str(b) + (transpose_b ? "ᵀ" : ""));
  return {transpose_a ? a.shape(1) : a.shape(0), transpose_b ? b.shape(0) : b.shape(1)};
}

// op(a) · op(b) written over `out`, the product being of shape `c` (matmul_shape's).
void product_into(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b,
                  const Shape& c, float* out) {
  const std::size_t m = c[0], n = c[1], k = transpose_a ? a.shape(0) : a.shape(1);
  if (m == 0 || n == 0) return;
  if (k == 0) {
    std::fill(out, out + m * n, 0.0f);
    return;
  }
  blas::sgemm(transpose_a, transpose_b, int(m), int(n), int(k), 1.0f, a.data(), int(a.shape(1)),
              b.data(), int(b.shape(1)), 0.0f, out, int(n));
}

}  // namespace

void matmul_into(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b,
                 float* out) {
  product_into(a, b, transpose_a, transpose_b, matmul_shape(a, b, transpose_a, transpose_b), out);
}

Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  const Shape shape = matmul_shape(a, b, transpose_a, transpose_b);
  Tensor c = Tensor::from_shape(shape);
  product_into(a, b, transpose_a, transpose_b, shape, c.data());
  return c;
}

Tensor permute_axes(const Tensor& t, const std::vector<std::size_t>& perm) {
  if (perm.size() != t.dimension())
    throw ShapeError("permute_axes: permutation of " + std::to_string(perm.size()) +
                     " axes for a tensor of shape " + shape_str(t));
  std::vector<bool> seen(perm.size(), false);
  for (auto p : perm) {
    if (p >= perm.size() || seen[p])
      throw ShapeError("permute_axes: " + shape_str(Shape(perm)) + " is not a permutation");
    seen[p] = true;
  }
  return xt::transpose(t, perm);
}

}  // namespace tessera
