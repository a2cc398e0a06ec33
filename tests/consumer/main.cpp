// Trains y = 2x + 1 with the installed headers and library: compiles, links and learns.
#include <cmath>
#include <cstdio>

#include "core/ops.hpp"
#include "core/version.hpp"

int main() {
  using namespace tessera;
  Variable w(full({1, 1}, 0.0f), true), b(full({1}, 0.0f), true);
  Tensor xs = {0.0f, 1.0f, 2.0f, 3.0f}, ys = {1.0f, 3.0f, 5.0f, 7.0f};
  xs.reshape({4, 1});
  ys.reshape({4, 1});
  for (int step = 0; step < 500; ++step) {
    Variable loss = mean(square(sub(add(matmul(Variable(xs), w), b), Variable(ys))));
    w.zero_grad();
    b.zero_grad();
    loss.backward();
    w.value() -= 0.05f * w.grad();
    b.value() -= 0.05f * b.grad();
  }
  std::printf("tessera %s: w=%.3f b=%.3f\n", kVersion, w.value()(0, 0), b.value()(0));
  return std::fabs(w.value()(0, 0) - 2.0f) < 1e-2f && std::fabs(b.value()(0) - 1.0f) < 1e-2f ? 0 : 1;
}
