// Internal to core/: the pattern shared by every element-wise op of one input, y = f(x) with
// dy/dx computed from x and y. Kept out of the public headers to keep their compile time low.
#pragma once

#include <string>

#include "core/autodiff.hpp"

namespace tessera::detail {

// `forward(x)` returns y; `derivative(x, y)` returns dy/dx element-wise (any xtensor expression).
template <class Forward, class Derivative>
Variable unary_op(std::string name, const Variable& x, Forward forward, Derivative derivative) {
  Tensor y = forward(x.value());
  return make_result(std::move(name), std::move(y), {x}, [derivative](Node& self) {
    Tensor g = self.grad * derivative(self.input(0), self.value);
    self.inputs[0]->accumulate(std::move(g));
  });
}

}  // namespace tessera::detail
