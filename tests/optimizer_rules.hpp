// Keras' optimizer update formulas written out independently, per element, in double precision
// and in the textbook form (not the rearranged float code of optim/). Shared by the optimizer
// tests on fixed gradients and by the training tests on a real network's gradients.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>

namespace tessera::test {

// Per-element state of a rule (m, v, … by rule), set before step 1.
struct State {
  double a = 0, b = 0, c = 0;
};
// One element's step: the new weight from w, its (clipped) gradient, the step's rate and t (1-based).
using Rule = std::function<double(double w, double g, double lr, int t, State& s)>;

inline Rule sgd_rule(double momentum, bool nesterov) {
  return [=](double w, double g, double lr, int, State& s) {
    s.a = momentum * s.a - lr * g;
    return nesterov ? w + momentum * s.a - lr * g : w + s.a;
  };
}

inline Rule adam_rule(double b1, double b2, double eps, bool amsgrad) {
  return [=](double w, double g, double lr, int t, State& s) {
    s.a = b1 * s.a + (1 - b1) * g;
    s.b = b2 * s.b + (1 - b2) * g * g;
    s.c = std::max(s.c, s.b);
    const double v = amsgrad ? s.c : s.b;
    return w - lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t)) * s.a / (std::sqrt(v) + eps);
  };
}

// Keras 2.11+'s decoupled weight decay before the optimizer's own step.
inline Rule with_weight_decay(double wd, Rule rule) {
  return [=](double w, double g, double lr, int t, State& s) { return rule(w - lr * wd * w, g, lr, t, s); };
}

inline Rule rmsprop_rule(double rho, double momentum, double eps, bool centered) {
  return [=](double w, double g, double lr, int, State& s) {
    s.a = rho * s.a + (1 - rho) * g * g;
    s.c = rho * s.c + (1 - rho) * g;
    const double increment = lr * g / std::sqrt(centered ? s.a - s.c * s.c + eps : s.a + eps);
    if (momentum == 0) return w - increment;
    s.b = momentum * s.b + increment;
    return w - s.b;
  };
}

// The accumulator starts at initial_accumulator_value: pass State{initial} as the initial state.
inline Rule adagrad_rule(double eps) {
  return [=](double w, double g, double lr, int, State& s) {
    s.a += g * g;
    return w - lr * g / std::sqrt(s.a + eps);
  };
}

inline Rule adadelta_rule(double rho, double eps) {
  return [=](double w, double g, double lr, int, State& s) {
    s.a = rho * s.a + (1 - rho) * g * g;
    const double delta = -std::sqrt(s.b + eps) / std::sqrt(s.a + eps) * g;
    s.b = rho * s.b + (1 - rho) * delta * delta;
    return w + lr * delta;
  };
}

inline Rule adamax_rule(double b1, double b2, double eps) {
  return [=](double w, double g, double lr, int t, State& s) {
    s.a = b1 * s.a + (1 - b1) * g;
    s.b = std::max(b2 * s.b, std::abs(g));
    return w - lr / (1 - std::pow(b1, t)) * s.a / (s.b + eps);
  };
}

inline Rule nadam_rule(double b1, double b2, double eps, double schedule_decay) {
  auto mu = [=](int t) { return b1 * (1 - 0.5 * std::pow(0.96, schedule_decay * t)); };
  return [=](double w, double g, double lr, int t, State& s) {
    double product = 1;
    for (int i = 1; i <= t; ++i) product *= mu(i);
    s.a = b1 * s.a + (1 - b1) * g;
    s.b = b2 * s.b + (1 - b2) * g * g;
    const double m_hat = mu(t + 1) * s.a / (1 - product * mu(t + 1)) + (1 - mu(t)) * g / (1 - product);
    const double v_hat = s.b / (1 - std::pow(b2, t));
    return w - lr * m_hat / (std::sqrt(v_hat) + eps);
  };
}

}  // namespace tessera::test
