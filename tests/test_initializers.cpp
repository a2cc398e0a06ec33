// Keras' initializers: fan rules, the limits and standard deviations of every variance-scaling
// variant (checked on large draws), orthogonality, identity, and the config in Keras 2 and
// Keras 3 serializer styles with old names.
#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>

#include "optim/initializers.hpp"

using namespace tessera;

namespace {

double stddev_of(const Tensor& t) { return double(xt::stddev(t)()); }
double max_abs(const Tensor& t) { return double(xt::amax(xt::abs(t))()); }

}  // namespace

TEST(Initializers, KerasFanRules) {
  EXPECT_EQ(compute_fans({}), std::make_pair(1.0, 1.0));
  EXPECT_EQ(compute_fans({5}), std::make_pair(5.0, 5.0));
  EXPECT_EQ(compute_fans({3, 4}), std::make_pair(3.0, 4.0));
  // Conv2D kernel (kr, kc, C, F): receptive field kr·kc.
  EXPECT_EQ(compute_fans({2, 3, 4, 5}), std::make_pair(24.0, 30.0));
  // LocallyConnected1D implementation-1 kernel (L, K, F) = (6, 12, 4): fan_in = K·L, fan_out = F·L.
  EXPECT_EQ(compute_fans({6, 12, 4}), std::make_pair(72.0, 24.0));
}

TEST(Initializers, UniformVarianceScalingLimits) {
  struct Case {
    InitializerPtr init;
    Shape shape;
    double limit;
  };
  const std::vector<Case> cases = {
      {glorot_uniform_initializer(), {200, 300}, std::sqrt(6.0 / 500)},
      {he_uniform_initializer(), {400, 100}, std::sqrt(6.0 / 400)},
      {lecun_uniform_initializer(), {60, 120, 8}, std::sqrt(3.0 / 7200)},  // fan_in 120·60
      {variance_scaling_initializer(3.0f, "fan_out", "uniform"), {100, 200, 3}, std::sqrt(9.0 / 300)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.init->class_name());
    Generator gen(1);
    const Tensor w = (*c.init)(c.shape, gen);
    EXPECT_EQ(shape_of(w), c.shape);
    EXPECT_LE(max_abs(w), c.limit);
    EXPECT_GT(max_abs(w), 0.99 * c.limit);
    EXPECT_NEAR(stddev_of(w), c.limit / std::sqrt(3.0), 0.02 * c.limit);
    EXPECT_NEAR(double(xt::mean(w)()), 0.0, 0.02 * c.limit);
  }
}

TEST(Initializers, NormalVarianceScalingStddevs) {
  struct Case {
    InitializerPtr init;
    Shape shape;
    double stddev;
    bool truncated;
  };
  const std::vector<Case> cases = {
      {glorot_normal_initializer(), {200, 300}, std::sqrt(2.0 / 500), true},
      {he_normal_initializer(), {400, 100}, std::sqrt(2.0 / 400), true},
      {lecun_normal_initializer(), {6, 12, 400}, std::sqrt(1.0 / 72), true},
      {variance_scaling_initializer(2.0f, "fan_avg", "untruncated_normal"), {300, 150}, std::sqrt(2.0 / 225), false},
      // Keras 2.0's "normal" is the truncated, corrected normal.
      {variance_scaling_initializer(1.0f, "fan_in", "normal"), {250, 160}, std::sqrt(1.0 / 250), true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.init->class_name() + " " + c.init->config().dump());
    Generator gen(2);
    const Tensor w = (*c.init)(c.shape, gen);
    // 40000+ draws: the sample stddev is within 1% of the true one with overwhelming probability.
    EXPECT_NEAR(stddev_of(w), c.stddev, 0.03 * c.stddev);
    // The truncated draw stays within 2 stddevs of the *untruncated* normal it was cut from.
    const double bound = 2.0 * c.stddev / 0.87962566103423978;
    if (c.truncated) EXPECT_LE(max_abs(w), bound * 1.0001);
    else EXPECT_GT(max_abs(w), bound);
  }
}

TEST(Initializers, PlainDistributionsAndConstants) {
  Generator gen(3);
  const Tensor n = (*random_normal_initializer(1.0f, 0.5f))({200, 200}, gen);
  EXPECT_NEAR(double(xt::mean(n)()), 1.0, 0.01);
  EXPECT_NEAR(stddev_of(n), 0.5, 0.01);
  const Tensor u = (*random_uniform_initializer(-0.2f, 0.6f))({200, 200}, gen);
  EXPECT_GE(double(xt::amin(u)()), -0.2);
  EXPECT_LT(double(xt::amax(u)()), 0.6);
  EXPECT_NEAR(double(xt::mean(u)()), 0.2, 0.01);
  const Tensor t = (*truncated_normal_initializer(0.0f, 0.1f))({200, 200}, gen);
  EXPECT_LE(max_abs(t), 0.2 + 1e-6);
  EXPECT_NEAR(stddev_of(t), 0.1 * 0.87962566103423978, 0.003);  // TF's truncation shrinks it
  EXPECT_EQ((*zeros_initializer())({2, 3}, gen), zeros({2, 3}));
  EXPECT_EQ((*ones_initializer())({2}, gen), full({2}, 1.0f));
  EXPECT_EQ((*constant_initializer(0.5f))({3}, gen), full({3}, 0.5f));
}

TEST(Initializers, OrthogonalIsOrthogonal) {
  Generator gen(4);
  auto expect_identity = [](const xt::xarray<double>& m, double gain) {
    const std::size_t n = m.shape(0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) EXPECT_NEAR(m(i, j), i == j ? gain * gain : 0.0, 1e-5);
  };
  // Wide: the rows are orthonormal; tall: the columns.
  const xt::xarray<double> wide = xt::cast<double>((*orthogonal_initializer())({4, 6}, gen));
  expect_identity(xt::linalg::dot(wide, xt::transpose(wide)), 1.0);
  const xt::xarray<double> tall = xt::cast<double>((*orthogonal_initializer(2.0f))({6, 4}, gen));
  expect_identity(xt::linalg::dot(xt::transpose(tall), tall), 2.0);
  // Rank 3 (3, 3, 8) is flattened to (9, 8) as Keras does.
  xt::xarray<double> conv = xt::cast<double>((*orthogonal_initializer())({3, 3, 8}, gen));
  conv.reshape({9, 8});
  expect_identity(xt::linalg::dot(xt::transpose(conv), conv), 1.0);
  EXPECT_THROW((*orthogonal_initializer())({5}, gen), std::invalid_argument);
}

TEST(Initializers, Identity) {
  Generator gen(5);
  EXPECT_EQ((*identity_initializer(3.0f))({2, 3}, gen), (Tensor{{3, 0, 0}, {0, 3, 0}}));
  EXPECT_THROW((*identity_initializer())({2, 2, 2}, gen), std::invalid_argument);
}

TEST(Initializers, ConfigRoundTripInBothSerializerStyles) {
  const std::vector<InitializerPtr> all = {
      zeros_initializer(), ones_initializer(), constant_initializer(0.25f),
      random_normal_initializer(0.1f, 0.2f), random_uniform_initializer(-1.0f, 2.0f),
      truncated_normal_initializer(0.0f, 0.3f), variance_scaling_initializer(2.0f, "fan_out", "uniform"),
      glorot_uniform_initializer(), glorot_normal_initializer(), he_uniform_initializer(),
      he_normal_initializer(), lecun_uniform_initializer(), lecun_normal_initializer(),
      orthogonal_initializer(1.5f), identity_initializer(0.5f)};
  for (const auto& init : all) {
    SCOPED_TRACE(init->class_name());
    const Json keras2 = initializer_to_json(init);
    EXPECT_EQ(keras2["class_name"], init->class_name());
    EXPECT_EQ(initializer_to_json(initializer_from_json(keras2)), keras2);
    Json keras3 = keras2;
    keras3["module"] = "keras.initializers";
    keras3["registered_name"] = nullptr;
    const InitializerPtr read = initializer_from_json(keras3);
    EXPECT_EQ(initializer_to_json(read), keras2);
    // The same draws from the same generator.
    const Shape shape = init->class_name() == "Identity" ? Shape{3, 3} : Shape{4, 3};
    Generator a(9), b(9);
    EXPECT_EQ((*init)(shape, a), (*read)(shape, b));
  }
}

TEST(Initializers, NamesAndOldNames) {
  EXPECT_EQ(get_initializer("glorot_uniform")->class_name(), "GlorotUniform");
  EXPECT_EQ(get_initializer("GlorotUniform")->class_name(), "GlorotUniform");
  EXPECT_EQ(get_initializer("normal")->class_name(), "RandomNormal");
  EXPECT_EQ(get_initializer("uniform")->class_name(), "RandomUniform");
  EXPECT_EQ(get_initializer("zero")->class_name(), "Zeros");
  EXPECT_EQ(get_initializer("one")->class_name(), "Ones");
  EXPECT_EQ(initializer_from_json(Json("he_normal"))->class_name(), "HeNormal");
  // Keras 2.1 style VarianceScaling config.
  const InitializerPtr vs = initializer_from_json(Json::parse(
      R"({"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null}})"));
  Generator a(1), b(1);
  EXPECT_EQ((*vs)({5, 7}, a), (*glorot_uniform_initializer())({5, 7}, b));
  try {
    get_initializer("glorot_unifrom");
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("glorot_unifrom"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("glorot_uniform"), std::string::npos);
  }
  EXPECT_THROW(variance_scaling_initializer(1.0f, "fan_sideways"), std::invalid_argument);
  EXPECT_THROW(variance_scaling_initializer(0.0f), std::invalid_argument);
  EXPECT_THROW(initializer_from_json(Json(3)), std::invalid_argument);
}
