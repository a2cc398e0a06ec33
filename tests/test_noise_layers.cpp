// Dropout, SpatialDropout1D/2D, GaussianNoise, GaussianDropout: identity at inference, Keras'
// noise while training (statistics checked), seeded reproducibility, gradients, configs, errors.
#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <xtensor/xmath.hpp>

#include "grad_test.hpp"
#include "layer_test.hpp"
#include "layers/dropout.hpp"
#include "layers/gaussian_dropout.hpp"
#include "layers/gaussian_noise.hpp"
#include "layers/spatial_dropout1d.hpp"
#include "layers/spatial_dropout2d.hpp"

using namespace tessera;
using namespace tessera::testing;

namespace {

Tensor ones_like_shape(const Shape& s) { return full(s, 1.0f); }

double mean_of(const Tensor& t) { return double(xt::mean(t)()); }

}  // namespace

TEST(Dropout, IdentityAtInference) {
  Dropout d(0.5f);
  build(d, {4, 3});
  Generator gen(1);
  const Tensor x = gen.normal({2, 4, 3}, 0.0f, 1.0f);
  EXPECT_EQ(d(Variable(x), false).value(), x);
  Dropout none(0.0f);
  build(none, {4, 3});
  EXPECT_EQ(none(Variable(x), true).value(), x);
}

TEST(Dropout, InvertedScalingAndRate) {
  Dropout d(0.3f, std::nullopt, 42);
  build(d, {100, 100});
  const Tensor y = d(Variable(ones_like_shape({2, 100, 100})), true).value();
  std::size_t dropped = 0;
  for (float v : y) {
    if (v == 0.0f) ++dropped;
    else EXPECT_FLOAT_EQ(v, 1.0f / 0.7f);
  }
  // 20000 Bernoulli(0.3) draws: the standard error of the fraction is 0.0032.
  EXPECT_NEAR(double(dropped) / double(y.size()), 0.3, 0.015);
  EXPECT_NEAR(mean_of(y), 1.0, 0.03);  // the expectation is kept
}

TEST(Dropout, SeededAndReproducible) {
  const Tensor x = ones_like_shape({4, 50});
  Dropout a(0.5f, std::nullopt, 7), b(0.5f, std::nullopt, 7), c(0.5f, std::nullopt, 8);
  build(a, {50}, 1);
  build(b, {50}, 2);  // its own seed wins over the model's
  build(c, {50}, 1);
  const Tensor first = a(Variable(x), true).value();
  EXPECT_EQ(b(Variable(x), true).value(), first);
  EXPECT_NE(c(Variable(x), true).value(), first);
  EXPECT_NE(a(Variable(x), true).value(), first);  // the stream moves on between calls
  a.seed(7);
  EXPECT_EQ(a(Variable(x), true).value(), first);
  // Without a seed, the model's generator seeds the layer: the same model seed, the same masks.
  Dropout m1(0.5f), m2(0.5f), m3(0.5f);
  build(m1, {50}, 99);
  build(m2, {50}, 99);
  build(m3, {50}, 100);
  const Tensor from_model = m1(Variable(x), true).value();
  EXPECT_EQ(m2(Variable(x), true).value(), from_model);
  EXPECT_NE(m3(Variable(x), true).value(), from_model);
}

TEST(Dropout, NoiseShapeBroadcastsTheMask) {
  // noise_shape (None, 1, 6): one draw per (sample, column), shared by the 5 rows.
  Dropout d(0.5f, Shape{0, 1, 6}, 3, "d");
  build(d, {5, 6});
  const Tensor y = d(Variable(ones_like_shape({3, 5, 6})), true).value();
  for (std::size_t b = 0; b < 3; ++b)
    for (std::size_t c = 0; c < 6; ++c)
      for (std::size_t r = 1; r < 5; ++r) EXPECT_EQ(y(b, r, c), y(b, 0, c));
  expect_config_round_trip(d);
  EXPECT_EQ(d.get_config()["noise_shape"], Json::parse("[null, 1, 6]"));
  EXPECT_EQ(d.get_config()["seed"], 3);
  Dropout bad(0.5f, Shape{0, 2, 6}, std::nullopt, "bad");
  expect_layer_error([&] { build(bad, {5, 6}); }, {"Dropout 'bad'", "noise_shape", "(None, 5, 6)"});
}

TEST(Dropout, GradientIsTheMask) {
  Dropout d(0.4f, std::nullopt, 11);
  build(d, {3, 4});
  Generator gen(5);
  EXPECT_GRADIENTS_OK(through_layer(d, true, [&] { d.seed(11); }),
                      std::vector<Tensor>{gen.normal({2, 3, 4}, 0.0f, 1.0f)});
}

TEST(Dropout, ConfigAndErrors) {
  LayerPtr d = layer_from_config("Dropout", Json::parse(
      R"({"name": "dropout", "trainable": true, "dtype": "float32", "rate": 0.25,
          "noise_shape": null, "seed": null})"));
  EXPECT_FLOAT_EQ(std::dynamic_pointer_cast<Dropout>(d)->rate(), 0.25f);
  expect_config_round_trip(*d);
  expect_layer_error([&] { Dropout(1.5f, std::nullopt, std::nullopt, "high"); }, {"Dropout 'high'", "1.5"});
  Dropout all(1.0f, std::nullopt, std::nullopt, "all");  // Keras loads it ...
  build(all, {2});
  EXPECT_EQ(all(Variable(ones_like_shape({1, 2}))).value(), ones_like_shape({1, 2}));
  expect_layer_error([&] { all(Variable(ones_like_shape({1, 2})), true); }, {"Dropout 'all'", "rate 1"});
  expect_layer_error([&] { layer_from_config("Dropout", Json::parse(R"({"name": "s", "rate": 0.1, "seed": -3})")); }, {"Dropout 's'", "seed"});
}

TEST(SpatialDropout1D, DropsWholeChannels) {
  SpatialDropout1D d(0.5f, 4, "sd1");
  build(d, {7, 8});
  const Tensor y = d(Variable(ones_like_shape({6, 7, 8})), true).value();
  std::size_t dropped = 0;
  for (std::size_t b = 0; b < 6; ++b)
    for (std::size_t c = 0; c < 8; ++c) {
      EXPECT_TRUE(y(b, 0, c) == 0.0f || y(b, 0, c) == 2.0f);
      dropped += y(b, 0, c) == 0.0f;
      for (std::size_t t = 1; t < 7; ++t) EXPECT_EQ(y(b, t, c), y(b, 0, c));
    }
  EXPECT_GT(dropped, 0u);
  EXPECT_LT(dropped, 48u);
  expect_config_round_trip(d);
  SpatialDropout1D rank2(0.5f, std::nullopt, "r2");
  expect_layer_error([&] { build(rank2, {7}); }, {"SpatialDropout1D 'r2'", "rank 3", "(None, 7)"});
  expect_layer_error([&] { SpatialDropout1D(-0.5f, std::nullopt, "neg"); }, {"SpatialDropout1D 'neg'", "rate"});
}

TEST(SpatialDropout2D, ChannelAxisFollowsDataFormat) {
  for (const std::string format : {"channels_last", "channels_first"}) {
    SCOPED_TRACE(format);
    const bool first = format == "channels_first";
    SpatialDropout2D d(0.5f, format, 9);
    const Shape sample = first ? Shape{6, 3, 4} : Shape{3, 4, 6};
    build(d, sample);
    Shape batch = sample;
    batch.insert(batch.begin(), 5);
    const Tensor y = d(Variable(ones_like_shape(batch)), true).value();
    for (std::size_t b = 0; b < 5; ++b)
      for (std::size_t c = 0; c < 6; ++c) {
        const float v = first ? y(b, c, 0, 0) : y(b, 0, 0, c);
        for (std::size_t r = 0; r < 3; ++r)
          for (std::size_t q = 0; q < 4; ++q) EXPECT_EQ(first ? y(b, c, r, q) : y(b, r, q, c), v);
      }
    expect_config_round_trip(d);
    SpatialDropout2D small(0.5f, format, 9);
    build(small, {3, 2, 2});
    EXPECT_GRADIENTS_OK(through_layer(small, true, [&] { small.seed(9); }),
                        std::vector<Tensor>{Generator(2).normal({2, 3, 2, 2}, 0.0f, 1.0f)});
  }
  // Keras 2 writes no data_format for SpatialDropout2D: the default is channels_last.
  LayerPtr k = layer_from_config("SpatialDropout2D", Json::parse(
      R"({"name": "spatial_dropout2d_32", "trainable": true, "dtype": "float32", "rate": 0.2,
          "noise_shape": null, "seed": null})"));
  EXPECT_EQ(k->get_config()["data_format"], "channels_last");
  expect_layer_error([&] { SpatialDropout2D(0.5f, "nchw", std::nullopt, "f"); }, {"SpatialDropout2D 'f'", "nchw"});
}

TEST(GaussianNoise, AddsNoiseOnlyWhileTraining) {
  GaussianNoise g(0.5f, 21, "gn");
  build(g, {200, 50});
  Generator gen(4);
  const Tensor x = gen.normal({2, 200, 50}, 3.0f, 1.0f);
  EXPECT_EQ(g(Variable(x), false).value(), x);
  const Tensor noise = g(Variable(x), true).value() - x;
  // 20000 draws of N(0, 0.25): standard errors 0.0035 (mean) and 0.0025 (stddev).
  EXPECT_NEAR(mean_of(noise), 0.0, 0.015);
  EXPECT_NEAR(double(xt::stddev(noise)()), 0.5, 0.01);
  g.seed(21);
  EXPECT_EQ(g(Variable(x), true).value() - x, noise);
  expect_config_round_trip(g);
  EXPECT_EQ(g.get_config()["seed"], 21);
  GaussianNoise small(0.5f, 21);
  build(small, {3, 2});
  EXPECT_GRADIENTS_OK(through_layer(small, true, [&] { small.seed(21); }),
                      std::vector<Tensor>{gen.normal({2, 3, 2}, 0.0f, 1.0f)});
  expect_layer_error([&] { GaussianNoise(-1.0f, std::nullopt, "neg"); }, {"GaussianNoise 'neg'", "stddev"});
  LayerPtr k = layer_from_config("GaussianNoise", Json::parse(R"({"name": "gaussian_noise", "stddev": 0.1})"));
  EXPECT_TRUE(k->get_config()["seed"].is_null());
}

TEST(GaussianDropout, MultipliesByUnitMeanNoise) {
  GaussianDropout g(0.2f, 5, "gd");
  build(g, {200, 50});
  const Tensor x = full({2, 200, 50}, 2.0f);
  EXPECT_EQ(g(Variable(x), false).value(), x);
  const Tensor factor = g(Variable(x), true).value() / x;
  // N(1, rate/(1 − rate)) = N(1, 0.25): stddev 0.5.
  EXPECT_NEAR(mean_of(factor), 1.0, 0.015);
  EXPECT_NEAR(double(xt::stddev(factor)()), 0.5, 0.01);
  g.seed(5);
  EXPECT_EQ(g(Variable(x), true).value() / x, factor);
  expect_config_round_trip(g);
  GaussianDropout small(0.2f, 5);
  build(small, {3, 2});
  EXPECT_GRADIENTS_OK(through_layer(small, true, [&] { small.seed(5); }),
                      std::vector<Tensor>{Generator(6).normal({2, 3, 2}, 0.0f, 1.0f)});
  expect_layer_error([&] { GaussianDropout(1.0f, std::nullopt, "one"); }, {"GaussianDropout 'one'", "rate"});
}
