// Differentiable tensor ops: arithmetic with numpy broadcasting, matrix product, reductions,
// shape ops and element-wise math. Each records its backward through make_result (autodiff.hpp);
// each has a finite-difference test in tests/test_ops.cpp.
#pragma once

#include <vector>

#include "core/autodiff.hpp"

namespace tessera {

Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable div(const Variable& a, const Variable& b);
Variable neg(const Variable& x);
Variable scale(const Variable& x, float factor);   // x · factor
Variable shift(const Variable& x, float offset);   // x + offset

inline Variable operator+(const Variable& a, const Variable& b) { return add(a, b); }
inline Variable operator-(const Variable& a, const Variable& b) { return sub(a, b); }
inline Variable operator*(const Variable& a, const Variable& b) { return mul(a, b); }
inline Variable operator/(const Variable& a, const Variable& b) { return div(a, b); }
inline Variable operator-(const Variable& x) { return neg(x); }
inline Variable operator*(const Variable& x, float f) { return scale(x, f); }
inline Variable operator*(float f, const Variable& x) { return scale(x, f); }
inline Variable operator/(const Variable& x, float f) { return scale(x, 1.0f / f); }
inline Variable operator+(const Variable& x, float f) { return shift(x, f); }
inline Variable operator-(const Variable& x, float f) { return shift(x, -f); }

// Matrix product of two 2-D variables through BLAS.
Variable matmul(const Variable& a, const Variable& b);

// Reductions. Without axes they reduce everything to a 0-d scalar. Negative axes count from the
// end; keepdims leaves reduced axes with size 1.
Variable sum(const Variable& x);
Variable sum(const Variable& x, const std::vector<int>& axes, bool keepdims = false);
Variable mean(const Variable& x);
Variable mean(const Variable& x, const std::vector<int>& axes, bool keepdims = false);

// Shape ops. reshape takes sizes whose product is x's size (one may be -1, inferred).
Variable reshape(const Variable& x, const std::vector<long>& shape);
Variable transpose(const Variable& x, const std::vector<std::size_t>& perm);
Variable slice(const Variable& x, int axis, std::size_t begin, std::size_t end);
Variable concat(const std::vector<Variable>& xs, int axis);

// Element-wise math.
Variable exp(const Variable& x);
Variable log(const Variable& x);
Variable sqrt(const Variable& x);
Variable square(const Variable& x);
Variable pow(const Variable& x, float exponent);
Variable abs(const Variable& x);  // derivative sign(x), 0 at 0
// The gradient passes where lo <= x <= hi, as in TensorFlow's clip_by_value.
Variable clip(const Variable& x, float lo, float hi);

// The concrete shape of a reshape request (resolves one -1); throws naming both shapes.
Shape resolve_reshape(const Shape& from, const std::vector<long>& to);

}  // namespace tessera
