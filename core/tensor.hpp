// The one tensor type of tessera and the shape utilities every layer, op and reader shares.
// A Tensor is a row-major float32 xtensor array; shapes are plain vectors of sizes.
// Promise: every shape check throws ShapeError with both shapes in the message.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "core/tensor_memory.hpp"

namespace tessera {

// Storage from core/tensor_memory: large blocks are reused from step to step. A compound
// assignment to a whole tensor is written `xt::noalias(w) -= e`: a plain `w -= e` evaluates e
// into a temporary as large as w and copies it back (a weight-sized block per update).
using Tensor = xt::xarray<float, xt::layout_type::row_major, TensorAllocator<float>>;
using Shape = std::vector<std::size_t>;

// Thrown when shapes do not fit; the message names what was expected and what was given.
class ShapeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

Shape shape_of(const Tensor& t);
std::size_t shape_size(const Shape& shape);
std::string shape_str(const Shape& shape);  // "(2, 3)", like Python
std::string shape_str(const Tensor& t);

// A tensor of the given shape filled with `value`.
Tensor full(const Shape& shape, float value);
Tensor zeros(const Shape& shape);

// Numpy broadcasting of two shapes; throws ShapeError naming both when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// Sums `grad` over the axes that broadcasting added or stretched, so it has `shape` again.
Tensor reduce_to_shape(const Tensor& grad, const Shape& shape);

// Resolves a possibly negative axis against `rank`; throws naming the axis and the rank.
std::size_t normalize_axis(int axis, std::size_t rank);

// Throws ShapeError "<what>: expected (..), got (..)" when the shapes differ.
void expect_shape(const Tensor& t, const Shape& expected, const std::string& what);

// 2-D matrix product through BLAS sgemm: op(a) · op(b), op = transpose when the flag is set.
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false);
// The same product written over `out`, which holds as many floats as the product.
void matmul_into(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b, float* out);

// Reorders the axes of `t`: result axis i is input axis perm[i]. The copy is contiguous.
Tensor permute_axes(const Tensor& t, const std::vector<std::size_t>& perm);

}  // namespace tessera
