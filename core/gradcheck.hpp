// A finite-difference gradient checker for every op and layer.
//
// It reduces f's output to a scalar with fixed random weights R (so every output element's
// gradient is tested, not just their sum), back-propagates once, and compares each input
// element's gradient with the central difference (L(x+ε) − L(x−ε)) / 2ε, accumulating L in double.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/autodiff.hpp"

namespace tessera {

struct GradCheckOptions {
  double epsilon = 1e-2;  // float32 forward passes: smaller steps drown in rounding
  double atol = 2e-3;
  double rtol = 2e-2;
  std::uint64_t seed = 1234;
  // Inputs not listed here are constants (labels, masks); empty means all are checked.
  std::vector<std::size_t> check_inputs;
};

struct GradCheckResult {
  bool ok = true;
  double worst_error = 0.0;   // largest excess of |analytic − numeric| over the tolerance, 0 if none
  std::size_t checked = 0;    // elements compared
  std::string report;         // the first mismatches, one per line
};

using GradCheckFn = std::function<Variable(const std::vector<Variable>&)>;

GradCheckResult check_gradients(const GradCheckFn& f, const std::vector<Tensor>& inputs,
                                const GradCheckOptions& options = {});

}  // namespace tessera
