// Keras' optimizers against the update formulas of tests/optimizer_rules.hpp (double precision,
// textbook form), step by step on fixed gradients.
#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <xtensor/xio.hpp>
#include <xtensor/xmath.hpp>

#include "io/hdf5.hpp"
#include "optim/adadelta.hpp"
#include "optim/adagrad.hpp"
#include "optim/adam.hpp"
#include "optim/adamax.hpp"
#include "optim/nadam.hpp"
#include "optim/rmsprop.hpp"
#include "optim/schedules.hpp"
#include "optim/sgd.hpp"
#include "optimizer_rules.hpp"

using namespace tessera;
using namespace tessera::test;

namespace {

constexpr int kSteps = 5;
using Grads = std::vector<std::vector<double>>;  // per variable, per element

// Two variables of different shapes, so per-variable state and per-variable clipping show.
std::vector<Tensor> initial_weights() {
  return {Tensor{{0.8f, -1.2f, 0.5f}, {1.5f, -0.7f, 1.1f}}, Tensor{1.3f, -0.9f, 0.6f, -1.4f}};
}

// The gradient of element i of variable v at step t (1-based): mixed signs and sizes, shrinking
// with t (so second moments can fall and AMSGrad's maximum matters).
float gradient(int t, int v, std::size_t i) {
  return static_cast<float>(std::sin(1.7 * i + 0.9 * t + 2.3 * v) * (v == 0 ? 0.8 : 2.5) / t);
}

std::vector<Tensor> gradients(int t) {
  std::vector<Tensor> grads = initial_weights();
  for (int v = 0; v < 2; ++v)
    for (std::size_t i = 0; i < grads[v].size(); ++i) grads[v].flat(i) = gradient(t, v, i);
  return grads;
}

std::vector<ParamRef> refs(std::vector<Tensor>& weights, const std::vector<Tensor>& grads) {
  std::vector<ParamRef> r;
  for (std::size_t v = 0; v < weights.size(); ++v) r.push_back({&weights[v], &grads[v]});
  return r;
}

using LearningRate = std::function<double(int t)>;
using Clip = std::function<void(Grads&)>;

LearningRate constant(double lr) {
  return [lr](int) { return lr; };
}

// Runs `opt` kSteps steps and compares every weight after every step with `rule` on doubles,
// to 1e-6 relative (absolute below magnitude 1).
void expect_matches(Optimizer& opt, const Rule& rule, const LearningRate& lr_at,
                    State init = {}, const Clip& clip = {}) {
  std::vector<Tensor> weights = initial_weights();
  Grads ref(2), g(2);
  std::vector<std::vector<State>> state(2);
  for (int v = 0; v < 2; ++v) {
    ref[v].assign(weights[v].begin(), weights[v].end());
    state[v].assign(weights[v].size(), init);
  }
  for (int t = 1; t <= kSteps; ++t) {
    const std::vector<Tensor> grads = gradients(t);
    for (int v = 0; v < 2; ++v) g[v].assign(grads[v].begin(), grads[v].end());
    if (clip) clip(g);
    opt.apply_gradients(refs(weights, grads));
    for (int v = 0; v < 2; ++v)
      for (std::size_t i = 0; i < ref[v].size(); ++i) {
        ref[v][i] = rule(ref[v][i], g[v][i], lr_at(t), t, state[v][i]);
        EXPECT_NEAR(weights[v].flat(i), ref[v][i], 1e-6 * std::max(1.0, std::abs(ref[v][i])))
            << opt.class_name() << " step " << t << " variable " << v << " element " << i;
      }
  }
  EXPECT_EQ(opt.iterations(), kSteps);
}

double norm(const std::vector<double>& g) {
  double s = 0;
  for (double x : g) s += x * x;
  return std::sqrt(s);
}

}  // namespace

TEST(Optimizers, SgdPlainMomentumAndNesterov) {
  SGD plain(0.1f);
  expect_matches(plain, sgd_rule(0, false), constant(0.1));
  SGD momentum(0.1f, 0.9f);
  expect_matches(momentum, sgd_rule(0.9, false), constant(0.1));
  SGD nesterov(0.1f, 0.9f, true);
  expect_matches(nesterov, sgd_rule(0.9, true), constant(0.1));
}

TEST(Optimizers, AdamAndAmsgrad) {
  Adam adam(0.05f);
  expect_matches(adam, adam_rule(0.9, 0.999, 1e-7, false), constant(0.05));
  // β2 = 0.5 lets v fall as the gradients shrink, so v̂ = max(v̂, v) differs from v.
  Adam amsgrad(0.05f, 0.8f, 0.5f, 1e-7f, true);
  expect_matches(amsgrad, adam_rule(0.8, 0.5, 1e-7, true), constant(0.05));
  Adam with(0.05f, 0.8f, 0.5f, 1e-7f, true), without(0.05f, 0.8f, 0.5f, 1e-7f, false);
  std::vector<Tensor> a = initial_weights(), b = initial_weights();
  for (int t = 1; t <= 3; ++t) {
    const auto grads = gradients(t);
    with.apply_gradients(refs(a, grads));
    without.apply_gradients(refs(b, grads));
  }
  EXPECT_FALSE(xt::allclose(a[1], b[1], 1e-6, 1e-7)) << "amsgrad changed nothing";
}

TEST(Optimizers, AdamWDecaysWeightsBeforeTheAdamStep) {
  AdamW adamw(0.05f, 0.1f);
  expect_matches(adamw, with_weight_decay(0.1, adam_rule(0.9, 0.999, 1e-7, false)), constant(0.05));
  EXPECT_EQ(AdamW().weight_decay, 0.004f);
}

TEST(Optimizers, WeightDecayWorksForEveryOptimizer) {
  SGD sgd(0.1f, 0.5f);
  sgd.weight_decay = 0.2f;
  expect_matches(sgd, with_weight_decay(0.2, sgd_rule(0.5, false)), constant(0.1));
}

TEST(Optimizers, RmspropPlainMomentumCentered) {
  RMSprop plain(0.01f);
  expect_matches(plain, rmsprop_rule(0.9, 0, 1e-7, false), constant(0.01));
  RMSprop momentum(0.01f, 0.8f, 0.5f);
  expect_matches(momentum, rmsprop_rule(0.8, 0.5, 1e-7, false), constant(0.01));
  RMSprop centered(0.01f, 0.8f, 0.0f, 1e-7f, true);
  expect_matches(centered, rmsprop_rule(0.8, 0, 1e-7, true), constant(0.01));
  RMSprop both(0.01f, 0.8f, 0.5f, 1e-7f, true);
  expect_matches(both, rmsprop_rule(0.8, 0.5, 1e-7, true), constant(0.01));
}

TEST(Optimizers, RmspropEpsilonIsInsideTheRoot) {
  // With a large ε the two conventions differ clearly: lr·g/√(v + ε) vs lr·g/(√v + ε).
  RMSprop opt(0.1f, 0.9f, 0.0f, 0.5f);
  Tensor w{1.0f}, g{2.0f};
  opt.apply_gradients({{&w, &g}});
  const double v = 0.1 * 4.0;
  EXPECT_NEAR(w(0), 1.0 - 0.1 * 2.0 / std::sqrt(v + 0.5), 1e-6);
}

// Keras 2.11-2.15 build the legacy optimizer from a config without is_legacy_optimizer: false
// (every config Keras <= 2.10 wrote, and the fit fixtures'); its RMSprop without momentum and its
// Adagrad add ε after the root. A large ε makes the two conventions differ clearly.
TEST(OptimizerConfig, LegacyConfigsPutEpsilonWhereTheLegacyKernelsDo) {
  auto step = [](const Json& j) {
    const auto opt = optimizer_from_json(j);
    Tensor w{1.0f}, g{2.0f};
    opt->apply_gradients({{&w, &g}});
    // Written back in the legacy form, so that Keras (and tessera) build the same kind again.
    const Json again = optimizer_to_json(*opt);
    EXPECT_EQ(again["config"].contains("is_legacy_optimizer"), j["config"].value("is_legacy_optimizer", true) == false)
        << again;
    Tensor w2{1.0f};
    optimizer_from_json(again)->apply_gradients({{&w2, &g}});
    EXPECT_EQ(w2(0), w(0)) << again;
    return double(w(0));
  };
  const double v = 0.1 * 4.0;  // ρ = 0.9, g = 2
  Json rms = {{"class_name", "RMSprop"}, {"config", {{"learning_rate", 0.1}, {"rho", 0.9}, {"epsilon", 0.5}}}};
  EXPECT_NEAR(step(rms), 1.0 - 0.2 / (std::sqrt(v) + 0.5), 1e-6);
  rms["config"]["momentum"] = 0.5;  // the legacy momentum kernel keeps ε inside
  EXPECT_NEAR(step(rms), 1.0 - 0.2 / std::sqrt(v + 0.5), 1e-6);
  rms["config"]["momentum"] = 0.0;
  rms["config"]["is_legacy_optimizer"] = false;
  EXPECT_NEAR(step(rms), 1.0 - 0.2 / std::sqrt(v + 0.5), 1e-6);
  Json adagrad = {{"class_name", "Adagrad"}, {"config", {{"learning_rate", 0.1}, {"epsilon", 0.5}}}};
  EXPECT_NEAR(step(adagrad), 1.0 - 0.2 / (std::sqrt(4.1) + 0.5), 1e-6);
  adagrad["config"]["is_legacy_optimizer"] = false;
  EXPECT_NEAR(step(adagrad), 1.0 - 0.2 / std::sqrt(4.1 + 0.5), 1e-6);
}

TEST(Optimizers, AdagradStartsItsAccumulatorAtInitialValue) {
  const Rule rule = adagrad_rule(1e-7);
  Adagrad adagrad(0.1f);
  expect_matches(adagrad, rule, constant(0.1), State{0.1});
  Adagrad custom(0.1f, 0.5f);
  expect_matches(custom, rule, constant(0.1), State{0.5});
}

TEST(Optimizers, Adadelta) {
  Adadelta adadelta(1.0f, 0.9f, 1e-6f);
  expect_matches(adadelta, adadelta_rule(0.9, 1e-6), constant(1.0));
}

TEST(Optimizers, Adamax) {
  Adamax adamax(0.05f, 0.9f, 0.99f);
  expect_matches(adamax, adamax_rule(0.9, 0.99, 1e-7), constant(0.05));
}

TEST(Optimizers, NadamMomentumCacheScheduleNewAndLegacy) {
  Nadam nadam(0.05f);
  expect_matches(nadam, nadam_rule(0.9, 0.999, 1e-7, 1.0), constant(0.05));
  Nadam legacy(0.05f, 0.9f, 0.999f, 1e-7f, 0.004f);
  expect_matches(legacy, nadam_rule(0.9, 0.999, 1e-7, 0.004), constant(0.05));
}

TEST(Optimizers, ClipnormClipsEachVariableByItsOwnNorm) {
  SGD opt(0.1f);
  opt.clip.clipnorm = 1.0f;
  expect_matches(opt, sgd_rule(0, false), constant(0.1), {}, [](Grads& g) {
    for (auto& var : g)
      if (const double n = norm(var); n > 1.0)
        for (double& x : var) x *= 1.0 / n;
  });
}

TEST(Optimizers, GlobalClipnormScalesAllGradientsTogether) {
  Adam opt(0.05f);
  opt.clip.global_clipnorm = 2.0f;
  expect_matches(opt, adam_rule(0.9, 0.999, 1e-7, false), constant(0.05), {}, [](Grads& g) {
    const double n = std::hypot(norm(g[0]), norm(g[1]));
    if (n > 2.0)
      for (auto& var : g)
        for (double& x : var) x *= 2.0 / n;
  });
}

TEST(Optimizers, ClipvalueClampsEachElement) {
  SGD opt(0.1f, 0.5f);
  opt.clip.clipvalue = 0.5f;
  expect_matches(opt, sgd_rule(0.5, false), constant(0.1), {}, [](Grads& g) {
    for (auto& var : g)
      for (double& x : var) x = std::clamp(x, -0.5, 0.5);
  });
}

TEST(Optimizers, ClipnormAndGlobalClipnormTogetherAreAnError) {
  SGD opt;
  opt.clip.clipnorm = 1.0f;
  opt.clip.global_clipnorm = 1.0f;
  std::vector<Tensor> w = initial_weights();
  const auto g = gradients(1);
  EXPECT_THROW(opt.apply_gradients(refs(w, g)), std::invalid_argument);
  EXPECT_THROW(optimizer_from_json({{"class_name", "SGD"}, {"config", {{"clipnorm", 1}, {"global_clipnorm", 1}}}}),
               std::invalid_argument);
}

TEST(Schedules, ExponentialDecayContinuousAndStaircase) {
  const auto smooth = exponential_decay(0.1f, 3, 0.5f), stairs = exponential_decay(0.1f, 3, 0.5f, true);
  for (int s = 0; s <= 10; ++s) {
    EXPECT_NEAR((*smooth)(s), 0.1 * std::pow(0.5, s / 3.0), 1e-8) << s;
    EXPECT_NEAR((*stairs)(s), 0.1 * std::pow(0.5, s / 3), 1e-8) << s;
  }
}

TEST(Schedules, PiecewiseConstantDecayIncludesTheBoundaryInTheLowerPiece) {
  const auto schedule = piecewise_constant_decay({2, 5}, {1.0f, 0.5f, 0.1f});
  const std::vector<float> expected = {1.0f, 1.0f, 1.0f, 0.5f, 0.5f, 0.5f, 0.1f, 0.1f};
  for (std::size_t s = 0; s < expected.size(); ++s) EXPECT_EQ((*schedule)(s), expected[s]) << s;
  EXPECT_THROW(piecewise_constant_decay({2, 5}, {1.0f, 0.5f}), std::invalid_argument);
}

TEST(Schedules, CosineDecayWithAlphaAndWarmup) {
  const auto cosine = cosine_decay(0.1f, 4, 0.2f);
  auto decayed = [](double from, double s) {
    return from * (0.8 * 0.5 * (1 + std::cos(std::numbers::pi * std::min(s, 4.0) / 4)) + 0.2);
  };
  for (int s = 0; s <= 6; ++s) EXPECT_NEAR((*cosine)(s), decayed(0.1, s), 1e-8) << s;
  const auto warm = cosine_decay(0.0f, 4, 0.2f, 0.1f, 2);
  EXPECT_NEAR((*warm)(0), 0.0, 1e-8);
  EXPECT_NEAR((*warm)(1), 0.05, 1e-8);
  for (int s = 2; s <= 8; ++s) EXPECT_NEAR((*warm)(s), decayed(0.1, s - 2), 1e-8) << s;
}

TEST(Schedules, OptimizerEvaluatesTheScheduleAtIterationsBeforeTheStep) {
  SGD opt(0.1f, 0.5f);
  opt.set_schedule(exponential_decay(0.2f, 2, 0.5f, true));
  expect_matches(opt, sgd_rule(0.5, false), [](int t) { return 0.2 * std::pow(0.5, (t - 1) / 2); });
}

TEST(Schedules, LegacyDecayDividesByOnePlusDecayTimesIterations) {
  SGD opt(0.1f);
  opt.decay = 0.25f;
  expect_matches(opt, sgd_rule(0, false), [](int t) { return 0.1 / (1 + 0.25 * (t - 1)); });
}

TEST(Schedules, FromJsonRoundTripsAndNamesUnknownOnes) {
  for (const auto& s : {exponential_decay(0.1f, 3, 0.5f, true), piecewise_constant_decay({2, 5}, {1, 0.5f, 0.1f}),
                        cosine_decay(0.1f, 4, 0.2f, 0.3f, 2)}) {
    const auto back = schedule_from_json(schedule_to_json(*s));
    for (int step = 0; step < 9; ++step) EXPECT_EQ((*back)(step), (*s)(step)) << s->class_name();
  }
  try {
    schedule_from_json({{"class_name", "InverseTimeDecay"}, {"config", Json::object()}});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("InverseTimeDecay"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("CosineDecay"), std::string::npos) << e.what();
  }
}

TEST(OptimizerConfig, RoundTripGivesTheSameConfigAndTheSameSteps) {
  std::vector<OptimizerPtr> optimizers = {
      std::make_shared<SGD>(0.05f, 0.5f, true), std::make_shared<Adam>(0.02f, 0.8f, 0.9f, 1e-6f, true),
      std::make_shared<AdamW>(0.02f, 0.0f), std::make_shared<RMSprop>(0.01f, 0.8f, 0.3f, 1e-6f, true),
      std::make_shared<Adagrad>(0.1f, 0.3f), std::make_shared<Adadelta>(1.0f, 0.9f),
      std::make_shared<Adamax>(0.05f, 0.8f), std::make_shared<Nadam>(0.05f, 0.9f, 0.99f, 1e-7f, 0.004f)};
  optimizers[0]->clip.clipvalue = 0.5f;
  optimizers[1]->clip.global_clipnorm = 1.5f;
  optimizers[2]->set_schedule(cosine_decay(0.1f, 4, 0.2f));
  optimizers[3]->decay = 0.1f;
  optimizers[4]->weight_decay = 0.05f;
  optimizers[5]->clip.clipnorm = 0.7f;
  optimizers[6]->set_schedule(piecewise_constant_decay({1}, {0.1f, 0.01f}));
  for (const auto& a : optimizers) {
    const Json j = optimizer_to_json(*a);
    const OptimizerPtr b = optimizer_from_json(Json::parse(j.dump()));
    EXPECT_EQ(optimizer_to_json(*b), j);
    std::vector<Tensor> wa = initial_weights(), wb = initial_weights();
    for (int t = 1; t <= 3; ++t) {
      const auto grads = gradients(t);
      a->apply_gradients(refs(wa, grads));
      b->apply_gradients(refs(wb, grads));
    }
    EXPECT_EQ(wa, wb) << j.dump();
  }
}

TEST(OptimizerConfig, AcceptsTheOldLrSpellingAndLegacyKeys) {
  const auto sgd = optimizer_from_json(
      Json::parse(R"({"class_name": "SGD", "config": {"lr": 0.25, "momentum": 0.5, "decay": 0.0, "nesterov": false}})"));
  EXPECT_FLOAT_EQ(sgd->learning_rate(), 0.25f);
  // Keras 2.1.3 (tests/data/real-keras is from the same project; this config is dense_tensorflow_2.h5's).
  const auto adam = optimizer_from_json(Json::parse(
      R"({"class_name": "Adam", "config": {"lr": 0.0010000000474974513, "beta_1": 0.8999999761581421,
          "beta_2": 0.9990000128746033, "decay": 0.0, "epsilon": 1e-07, "amsgrad": false}})"));
  EXPECT_FLOAT_EQ(adam->learning_rate(), 0.001f);
  EXPECT_EQ(adam->class_name(), "Adam");
  // Keras ≤ 2.3's Nadam: its decay is the momentum schedule's, not the learning rate's.
  const auto nadam = optimizer_from_json(
      Json::parse(R"({"class_name": "Nadam", "config": {"lr": 0.002, "schedule_decay": 0.004}})"));
  EXPECT_EQ(nadam->decay, 0.0f);
  EXPECT_EQ(nadam->get_config()["decay"], 0.004f);
}

TEST(OptimizerConfig, ReadsConfigsKerasWrote) {
  // Keras 2.15 (tests' fit fixtures) and Keras 2.11 (keras-attention.h5, with nulls).
  const auto adam = optimizer_from_json(Json::parse(
      R"({"class_name": "Adam", "config": {"name": "Adam", "learning_rate": 0.02, "beta_1": 0.9,
          "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}})"));
  EXPECT_FLOAT_EQ(adam->learning_rate(), 0.02f);
  const auto custom = optimizer_from_json(Json::parse(
      R"({"class_name": "Custom>Adam", "config": {"name": "Adam", "weight_decay": null, "clipnorm": null,
          "global_clipnorm": null, "clipvalue": null, "use_ema": false, "ema_momentum": 0.99,
          "ema_overwrite_frequency": null, "jit_compile": true, "is_legacy_optimizer": false,
          "learning_rate": 0.004999999888241291, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07,
          "amsgrad": false}})"));
  EXPECT_EQ(custom->class_name(), "Adam");
  EXPECT_FLOAT_EQ(custom->learning_rate(), 0.005f);
  EXPECT_EQ(custom->weight_decay, 0.0f);
  // Keras 2.3.1 (RMSprop with a legacy decay) and tf.keras 2.2.4-tf, from their training_config.
  H5File old(std::string(TESSERA_TEST_DATA) + "/real-keras/ReLU_0_model.h5");
  const auto rms = optimizer_from_json(Json::parse(old.read_string("/", "training_config"))["optimizer_config"]);
  EXPECT_EQ(rms->class_name(), "RMSprop");
  EXPECT_FLOAT_EQ(rms->learning_rate(), 1e-4f);
  EXPECT_FLOAT_EQ(rms->decay, 1e-6f);
  H5File tf(std::string(TESSERA_TEST_DATA) + "/real-keras/cnn2d_32.h5");
  const auto rms2 = optimizer_from_json(Json::parse(tf.read_string("/", "training_config"))["optimizer_config"]);
  EXPECT_EQ(rms2->get_config()["rho"], 0.9f);
}

TEST(OptimizerConfig, ScheduleAsLearningRate) {
  const auto opt = optimizer_from_json(Json::parse(
      R"({"class_name": "SGD", "config": {"learning_rate": {"module": "keras.optimizers.schedules",
          "class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 2,
          "decay_rate": 0.5, "staircase": true, "name": null}, "registered_name": null}}})"));
  ASSERT_NE(opt->schedule(), nullptr);
  std::vector<Tensor> w = initial_weights();
  for (int t = 1; t <= 3; ++t) {
    const auto g = gradients(t);
    opt->apply_gradients(refs(w, g));
  }
  EXPECT_FLOAT_EQ(opt->learning_rate(), 0.05f);  // iterations 3 → 0.1·0.5^⌊3/2⌋
}

TEST(OptimizerConfig, KerasNamesAndDefaults) {
  EXPECT_FLOAT_EQ(get_optimizer("sgd")->learning_rate(), 0.01f);
  EXPECT_FLOAT_EQ(get_optimizer("ADAM")->learning_rate(), 0.001f);
  EXPECT_EQ(get_optimizer("adamw")->weight_decay, 0.004f);
  EXPECT_EQ(get_optimizer("rmsprop")->get_config()["rho"], 0.9f);
  EXPECT_EQ(get_optimizer("adagrad")->get_config()["initial_accumulator_value"], 0.1f);
  const Json adadelta = get_optimizer("Adadelta")->get_config();
  EXPECT_EQ(adadelta["rho"], 0.95f);
  EXPECT_EQ(adadelta["learning_rate"], 0.001f);
  EXPECT_EQ(get_optimizer("adamax")->class_name(), "Adamax");
  EXPECT_EQ(get_optimizer("nadam")->get_config()["is_legacy_optimizer"], false);
}

TEST(OptimizerConfig, UnknownOptimizerNamesItAndListsTheSupportedOnes) {
  try {
    get_optimizer("ftrl");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'ftrl'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Adadelta, Adagrad, Adam, AdamW, Adamax, Nadam, RMSprop, SGD"), std::string::npos) << msg;
  }
  EXPECT_THROW(optimizer_from_json({{"class_name", "Lion"}}), std::invalid_argument);
}

TEST(OptimizerConfig, UnknownKeyIsAnErrorNamingIt) {
  try {
    optimizer_from_json({{"class_name", "Adam"}, {"config", {{"momentum", 0.9}}}});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("Adam config: unknown key 'momentum'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(optimizer_from_json({{"class_name", "SGD"}, {"config", {{"use_ema", true}}}}), std::invalid_argument);
}

TEST(Optimizers, SetLearningRateTakesEffectAndReplacesASchedule) {
  SGD opt(0.1f);
  opt.set_learning_rate(0.02f);
  expect_matches(opt, sgd_rule(0, false), constant(0.02));
  opt.set_schedule(exponential_decay(0.1f, 1, 0.5f));
  opt.set_learning_rate(0.3f);
  EXPECT_EQ(opt.schedule(), nullptr);
  EXPECT_FLOAT_EQ(opt.learning_rate(), 0.3f);
  EXPECT_THROW(opt.set_learning_rate(-1.0f), std::invalid_argument);
  EXPECT_THROW(opt.set_learning_rate(NAN), std::invalid_argument);
}

TEST(Optimizers, SlotStateBelongsToTheVariableIndex) {
  // Both variables together step exactly as each alone.
  Adam both(0.05f), first(0.05f), second(0.05f);
  std::vector<Tensor> w = initial_weights(), w0 = {initial_weights()[0]}, w1 = {initial_weights()[1]};
  for (int t = 1; t <= 3; ++t) {
    const auto g = gradients(t);
    both.apply_gradients(refs(w, g));
    first.apply_gradients({{&w0[0], &g[0]}});
    second.apply_gradients({{&w1[0], &g[1]}});
  }
  EXPECT_EQ(w[0], w0[0]);
  EXPECT_EQ(w[1], w1[0]);
  // A variable without a gradient is skipped and keeps its state for later steps.
  const auto g = gradients(4);
  Tensor before = w[0];
  both.apply_gradients({{&w[0], nullptr}, {&w[1], &g[1]}});
  EXPECT_EQ(w[0], before);
  EXPECT_EQ(both.iterations(), 4);
  both.apply_gradients({{&w[0], nullptr}});
  EXPECT_EQ(both.iterations(), 4) << "a step without gradients is a no-op";
  // Variables in another order no longer fit their state.
  try {
    both.apply_gradients({{&w[1], &g[1]}, {&w[0], &g[0]}});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("(4,)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(2, 3)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(both.apply_gradients({{&w[0], &g[1]}}), ShapeError);
}
