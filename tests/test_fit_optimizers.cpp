// Each Keras optimizer trains a small LocallyConnected2D → Flatten → Dense network through
// Sequential::train_on_batch. After every step its weights must equal an independent
// computation: the update formulas of tests/optimizer_rules.hpp (double precision), applied to
// the loss gradient at the reference weights, which the finite-difference checker confirms first.
#include <memory>

#include <gtest/gtest.h>

#include "core/gradcheck.hpp"
#include "layers/dense.hpp"
#include "layers/flatten.hpp"
#include "layers/locally_connected2d.hpp"
#include "layers/sequential.hpp"
#include "optim/adadelta.hpp"
#include "optim/adagrad.hpp"
#include "optim/adam.hpp"
#include "optim/adamax.hpp"
#include "optim/nadam.hpp"
#include "optim/rmsprop.hpp"
#include "optim/sgd.hpp"
#include "optimizer_rules.hpp"

using namespace tessera;
using namespace tessera::test;

namespace {

constexpr int kSteps = 4;
constexpr std::size_t kBatch = 3;

Sequential lc_dense_model() {
  Sequential model("lc_dense", 5);
  model.add(std::make_shared<LocallyConnected2D>(2, LcSizes{2, 2}, LocallyConnectedOptions{},
                                                 KernelOptions{.activation = "tanh"}));
  model.add(std::make_shared<Flatten>());
  model.add(std::make_shared<Dense>(3));
  model.build({4, 3, 2});
  return model;
}

std::vector<Weight*> weights_of(Sequential& model) {
  std::vector<Weight*> out;
  for (const auto& layer : model.layers())
    for (auto& w : layer->weights()) out.push_back(&w);
  return out;
}

// The mean squared error of `model` on (x, y) as a function of its weights, for the checker.
GradCheckFn loss_of_weights(Sequential& model, const Tensor& x, const Tensor& y) {
  return [&model, x, y](const std::vector<Variable>& weights) {
    auto slots = weights_of(model);
    for (std::size_t i = 0; i < slots.size(); ++i) slots[i]->variable = weights[i];
    return (*mean_squared_error())(Variable(y), model.forward(Variable(x), true));
  };
}

// The loss gradient of every weight at `weights`, checked against finite differences.
std::vector<Tensor> checked_gradients(const std::vector<Tensor>& weights, const Tensor& x,
                                      const Tensor& y) {
  Sequential model = lc_dense_model();
  const GradCheckFn loss = loss_of_weights(model, x, y);
  const GradCheckResult check = check_gradients(loss, weights);
  EXPECT_TRUE(check.ok) << check.report;
  EXPECT_GT(check.checked, 0u);
  std::vector<Variable> vars;
  for (const auto& w : weights) vars.emplace_back(w, true);
  loss(vars).backward();
  std::vector<Tensor> grads;
  for (const auto& v : vars) grads.push_back(v.grad());
  return grads;
}

std::vector<Tensor> as_float(const std::vector<std::vector<double>>& ref, std::vector<Tensor> like) {
  for (std::size_t v = 0; v < like.size(); ++v)
    for (std::size_t i = 0; i < like[v].size(); ++i) like[v].flat(i) = float(ref[v][i]);
  return like;
}

// Trains with `optimizer` kSteps batches and compares every weight after every step with `rule`.
void expect_training_follows(OptimizerPtr optimizer, const Rule& rule, double lr, State init = {}) {
  Sequential model = lc_dense_model();
  model.compile(optimizer, mean_squared_error());
  std::vector<Tensor> start = model.get_weights();
  std::vector<std::vector<double>> ref;
  std::vector<std::vector<State>> state;
  for (const auto& w : start) {
    ref.emplace_back(w.begin(), w.end());
    state.emplace_back(w.size(), init);
  }
  Generator data(99);
  for (int t = 1; t <= kSteps; ++t) {
    const Tensor x = data.uniform({kBatch, 4, 3, 2}, -1, 1), y = data.uniform({kBatch, 3}, -1, 1);
    const std::vector<Tensor> grads = checked_gradients(as_float(ref, start), x, y);
    model.train_on_batch(x, y);
    const std::vector<Tensor> trained = model.get_weights();
    for (std::size_t v = 0; v < ref.size(); ++v)
      for (std::size_t i = 0; i < ref[v].size(); ++i) {
        ref[v][i] = rule(ref[v][i], grads[v].flat(i), lr, t, state[v][i]);
        EXPECT_NEAR(trained[v].flat(i), ref[v][i], 1e-5 * std::max(1.0, std::abs(ref[v][i])))
            << optimizer->class_name() << " step " << t << " weight " << v << " element " << i;
      }
  }
}

}  // namespace

TEST(FitOptimizers, SgdWithNesterovMomentum) {
  expect_training_follows(std::make_shared<SGD>(0.1f, 0.9f, true), sgd_rule(0.9, true), 0.1);
}

TEST(FitOptimizers, AdamAmsgradAndAdamW) {
  expect_training_follows(std::make_shared<Adam>(0.01f), adam_rule(0.9, 0.999, 1e-7, false), 0.01);
  expect_training_follows(std::make_shared<Adam>(0.01f, 0.8f, 0.5f, 1e-7f, true),
                          adam_rule(0.8, 0.5, 1e-7, true), 0.01);
  expect_training_follows(std::make_shared<AdamW>(0.01f, 0.1f),
                          with_weight_decay(0.1, adam_rule(0.9, 0.999, 1e-7, false)), 0.01);
}

TEST(FitOptimizers, RmspropCenteredWithMomentum) {
  expect_training_follows(std::make_shared<RMSprop>(0.01f, 0.8f, 0.5f, 1e-7f, true),
                          rmsprop_rule(0.8, 0.5, 1e-7, true), 0.01);
}

TEST(FitOptimizers, AdagradAdadeltaAdamaxNadam) {
  expect_training_follows(std::make_shared<Adagrad>(0.1f), adagrad_rule(1e-7), 0.1, State{0.1});
  expect_training_follows(std::make_shared<Adadelta>(1.0f, 0.9f, 1e-6f), adadelta_rule(0.9, 1e-6), 1.0);
  expect_training_follows(std::make_shared<Adamax>(0.05f), adamax_rule(0.9, 0.999, 1e-7), 0.05);
  expect_training_follows(std::make_shared<Nadam>(0.01f), nadam_rule(0.9, 0.999, 1e-7, 1.0), 0.01);
}
