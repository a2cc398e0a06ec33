// Keras' losses and metrics: values by Keras' formulas, gradients, fused logits paths.
#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <xtensor/xio.hpp>

#include "core/activations.hpp"
#include "core/ops.hpp"
#include "grad_test.hpp"
#include "optim/losses.hpp"
#include "optim/metrics.hpp"

using namespace tessera;

namespace {

const Tensor kTrue = {{0.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 0.0f}};
const Tensor kPred = {{0.2f, 0.7f, 0.1f}, {0.5f, 0.3f, 0.2f}};

float value(const LossPtr& loss, const Tensor& t, const Tensor& p) {
  return (*loss)(Variable(t), Variable(p)).value()();
}

}  // namespace

TEST(Losses, RegressionLossesReduceTheLastAxisThenAverage) {
  EXPECT_NEAR(value(mean_squared_error(), kTrue, kPred),
              ((0.04f + 0.09f + 0.01f) / 3 + (0.25f + 0.09f + 0.04f) / 3) / 2, 1e-6f);
  EXPECT_NEAR(value(mean_absolute_error(), kTrue, kPred),
              ((0.2f + 0.3f + 0.1f) / 3 + (0.5f + 0.3f + 0.2f) / 3) / 2, 1e-6f);
  // Huber, delta 0.25: 0.5·e² inside, delta·(|e| − delta/2) outside.
  const float h = ((0.02f + 0.25f * (0.3f - 0.125f) + 0.005f) / 3 +
                   (0.25f * (0.5f - 0.125f) + 0.25f * (0.3f - 0.125f) + 0.02f) / 3) / 2;
  EXPECT_NEAR(value(huber(0.25f), kTrue, kPred), h, 1e-6f);
  // Rank-3 outputs: per position, then the mean over batch and positions (Keras' reduction).
  Tensor t = zeros({2, 2, 2}), p = full({2, 2, 2}, 1.0f);
  p(0, 0, 0) = 3.0f;
  EXPECT_NEAR(value(mean_squared_error(), t, p), (5.0f + 3 * 1.0f) / 4, 1e-6f);
}

TEST(Losses, CrossentropiesFollowKeras) {
  const float cce = -(std::log(0.7f) + std::log(0.5f)) / 2;
  EXPECT_NEAR(value(categorical_crossentropy(), kTrue, kPred), cce, 1e-6f);
  EXPECT_NEAR(value(sparse_categorical_crossentropy(), Tensor{1.0f, 0.0f}, kPred), cce, 1e-6f);
  // Label smoothing 0.3 over 3 classes: targets become y·0.7 + 0.1.
  const float smoothed = -((0.1f * std::log(0.2f) + 0.8f * std::log(0.7f) + 0.1f * std::log(0.1f)) +
                           (0.8f * std::log(0.5f) + 0.1f * std::log(0.3f) + 0.1f * std::log(0.2f))) / 2;
  EXPECT_NEAR(value(categorical_crossentropy(false, 0.3f), kTrue, kPred), smoothed, 1e-5f);
  // Binary, element-wise then mean over the last axis.
  double bce = 0;
  for (std::size_t i = 0; i < 6; ++i) {
    const double y = kTrue.data()[i], q = kPred.data()[i];
    bce -= y * std::log(q + 1e-7) + (1 - y) * std::log(1 - q + 1e-7);
  }
  EXPECT_NEAR(value(binary_crossentropy(), kTrue, kPred), bce / 6, 1e-5);
  // Keras clips probabilities at 1e-7: a confident wrong answer costs −log(1e-7), not infinity.
  EXPECT_NEAR(value(categorical_crossentropy(), Tensor{{1.0f, 0.0f}}, Tensor{{0.0f, 1.0f}}),
              -std::log(1e-7f), 1e-3f);
}

TEST(Losses, SoftmaxAndSigmoidOutputsAreUsedAsLogits) {
  const Tensor logits = {{1000.0f, 0.0f, -1000.0f}, {2.0f, 1.0f, 0.5f}};
  const Tensor target = {{0.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 0.0f}};
  // Through a softmax the loss is exact even where probabilities underflow.
  const float fused = (*categorical_crossentropy())(Variable(target), softmax(Variable(logits))).value()();
  const float from_logits = value(categorical_crossentropy(true), target, logits);
  EXPECT_NEAR(fused, from_logits, 1e-4f);
  EXPECT_NEAR(fused, (1000.0f + (std::log(std::exp(0.0f) + std::exp(-1.0f) + std::exp(-1.5f)))) / 2, 1e-2f);
  const Tensor b = {{30.0f, -30.0f}, {0.3f, -0.2f}};
  const Tensor bt = {{0.0f, 1.0f}, {1.0f, 0.0f}};
  const float sig = (*binary_crossentropy())(Variable(bt), sigmoid(Variable(b))).value()();
  EXPECT_NEAR(sig, value(binary_crossentropy(true), bt, b), 1e-5f);
  EXPECT_GT(sig, 14.0f);  // clipping would have capped each term at −log(1e-7) ≈ 16.1 / 2
}

TEST(Losses, Gradients) {
  GradCheckOptions pred_only;
  pred_only.check_inputs = {1};
  const std::vector<Tensor> probs = {kTrue, kPred};
  const Tensor labels = {1.0f, 0.0f};
  for (const auto& loss : {mean_squared_error(), mean_absolute_error(), huber(0.25f),
                           categorical_crossentropy(), categorical_crossentropy(false, 0.2f),
                           binary_crossentropy(), binary_crossentropy(true, 0.1f), kl_divergence(),
                           categorical_crossentropy(true)}) {
    SCOPED_TRACE(loss->name());
    EXPECT_GRADIENTS_OK([loss](const auto& v) { return (*loss)(v[0], v[1]); }, probs, pred_only);
  }
  EXPECT_GRADIENTS_OK([](const auto& v) { return (*hinge())(v[0], v[1]); },
                      std::vector<Tensor>{kTrue, Tensor{{0.2f, 0.7f, -0.4f}, {0.5f, 1.3f, 0.2f}}}, pred_only);
  EXPECT_GRADIENTS_OK([](const auto& v) { return (*sparse_categorical_crossentropy())(v[0], softmax(v[1])); },
                      std::vector<Tensor>{labels, kPred}, pred_only);
}

TEST(Losses, HingeTurnsZeroOneLabelsIntoSigns) {
  const Tensor t = {{0.0f, 1.0f}}, p = {{0.5f, 0.5f}};
  // y = (−1, 1): max(1 + 0.5, 0) and max(1 − 0.5, 0), averaged.
  EXPECT_NEAR(value(hinge(), t, p), (1.5f + 0.5f) / 2, 1e-6f);
}

TEST(Losses, LookupAndErrors) {
  EXPECT_EQ(get_loss("mse")->name(), "mean_squared_error");
  EXPECT_EQ(get_loss("kld")->name(), "kl_divergence");
  EXPECT_EQ(loss_from_json(nlohmann::json::parse(
                R"({"class_name": "CategoricalCrossentropy", "config": {"from_logits": true}})"))
                ->get_config()["from_logits"], true);
  EXPECT_THROW(get_loss("mean_cubed_error"), std::invalid_argument);
  EXPECT_THROW(value(mean_squared_error(), kTrue, zeros({2, 2})), ShapeError);
  EXPECT_THROW(value(sparse_categorical_crossentropy(), Tensor{3.0f, 0.0f}, kPred), std::invalid_argument);
}

TEST(Metrics, AccuracyFollowsKerasChoice) {
  auto acc = make_metric("accuracy");
  acc->update(kTrue, kPred);  // categorical: both rows right
  EXPECT_EQ(acc->result(), 1.0);
  acc->update(Tensor{{0.0f, 0.0f, 1.0f}}, Tensor{{0.5f, 0.2f, 0.3f}});
  EXPECT_NEAR(acc->result(), 2.0 / 3.0, 1e-12);
  auto sparse = make_metric("accuracy");
  sparse->update(Tensor{1.0f, 2.0f}, kPred);  // labels without a class axis: sparse
  EXPECT_EQ(sparse->result(), 0.5);
  auto binary = make_metric("acc");
  Tensor labels = {1.0f, 0.0f, 1.0f}, scores = {0.9f, 0.6f, 0.2f};
  labels.reshape({3, 1});
  scores.reshape({3, 1});
  binary->update(labels, scores);  // one output: binary
  EXPECT_NEAR(binary->result(), 1.0 / 3.0, 1e-12);
  auto with_bce = make_metric("accuracy", binary_crossentropy().get());
  with_bce->update(kTrue, kPred);  // binary accuracy per element: 5 of 6 right
  EXPECT_NEAR(with_bce->result(), 5.0 / 6.0, 1e-6);
  binary->reset();
  EXPECT_EQ(binary->result(), 0.0);
}

TEST(Metrics, TopKAndErrors) {
  Tensor p = zeros({1, 7});
  for (std::size_t i = 0; i < 7; ++i) p(0, i) = float(i);
  auto top5 = make_metric("sparse_top_k_categorical_accuracy");
  top5->update(Tensor{2.0f}, p);  // class 2 is 5th largest
  top5->update(Tensor{1.0f}, p);  // 6th: a miss
  EXPECT_EQ(top5->result(), 0.5);
  auto mae = make_metric("mae");
  mae->update(kTrue, kPred);
  EXPECT_NEAR(mae->result(), (0.2 + 0.3 + 0.1 + 0.5 + 0.3 + 0.2) / 6, 1e-6);
  EXPECT_THROW(make_metric("f1"), std::invalid_argument);
}
