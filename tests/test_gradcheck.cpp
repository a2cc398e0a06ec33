// The checker itself: it must catch a wrong backward, or every gradient test is worthless.
#include <gtest/gtest.h>
#include <xtensor/xio.hpp>

#include "core/gradcheck.hpp"
#include "core/ops.hpp"

using namespace tessera;

namespace {

// x³ whose backward claims 3x (forgetting a factor x): a plausible slip.
Variable wrong_cube(const Variable& x) {
  Tensor y = x.value() * x.value() * x.value();
  return make_result("wrong_cube", std::move(y), {x}, [](Node& self) {
    self.inputs[0]->accumulate(self.grad * 3.0f * self.input(0));
  });
}

Variable right_cube(const Variable& x) {
  Tensor y = x.value() * x.value() * x.value();
  return make_result("right_cube", std::move(y), {x}, [](Node& self) {
    self.inputs[0]->accumulate(self.grad * 3.0f * self.input(0) * self.input(0));
  });
}

// Drops the gradient of its second input entirely.
Variable forgetful_mul(const Variable& a, const Variable& b) {
  return make_result("forgetful_mul", a.value() * b.value(), {a, b}, [](Node& self) {
    self.inputs[0]->accumulate(self.grad * self.input(1));
  });
}

}  // namespace

TEST(GradCheck, CatchesAWrongDerivative) {
  const std::vector<Tensor> x = {Tensor{{0.5f, -1.5f}, {2.0f, 3.0f}}};
  const auto bad = check_gradients([](const auto& v) { return wrong_cube(v[0]); }, x);
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.report.find("input 0"), std::string::npos) << bad.report;
  EXPECT_TRUE(check_gradients([](const auto& v) { return right_cube(v[0]); }, x).ok);
}

TEST(GradCheck, CatchesAMissingGradient) {
  const std::vector<Tensor> x = {Tensor{1.0f, 2.0f}, Tensor{3.0f, -4.0f}};
  EXPECT_FALSE(check_gradients([](const auto& v) { return forgetful_mul(v[0], v[1]); }, x).ok);
  GradCheckOptions only_first;
  only_first.check_inputs = {0};
  EXPECT_TRUE(check_gradients([](const auto& v) { return forgetful_mul(v[0], v[1]); }, x, only_first).ok);
}

TEST(GradCheck, ChecksEveryOutputNotJustTheSum) {
  // A backward that is right for the sum of outputs only (the softmax trap): y = x - mean(x)
  // has zero gradient of Σy, so a backward that returns zeros passes a sum-based check.
  auto centred_zero_grad = [](const std::vector<Variable>& v) {
    Tensor y = v[0].value() - xt::mean(v[0].value())();
    return make_result("centre", std::move(y), {v[0]}, [](Node& self) {
      self.inputs[0]->accumulate(zeros(shape_of(self.input(0))));
    });
  };
  EXPECT_FALSE(check_gradients(centred_zero_grad, {Tensor{1.0f, 2.0f, 4.0f}}).ok);
}
