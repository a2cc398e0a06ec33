// Guards against NaN and Inf in data: a single NaN in an input makes every output (and, in
// training, every weight) NaN without any error, so inputs are checked before they are used and
// the first bad value is named, e.g. "x contains NaN at index (3, 0, 2)".
#pragma once

#include <stdexcept>
#include <string>

#include "core/tensor.hpp"

namespace tessera {

class NonFiniteError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws NonFiniteError "<what> contains NaN at index (i, j); <hint>" for the first NaN or ±Inf
// of `t` in row-major order. `hint` says how to accept such data (each caller has its option).
void require_finite(const Tensor& t, const std::string& what, const std::string& hint);

}  // namespace tessera
