// ZeroPadding1D/2D, Cropping1D/2D, UpSampling1D/2D (Keras' "reshaping" layers).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <xtensor/xio.hpp>

#include "core/random.hpp"
#include "grad_test.hpp"
#include "layer_test.hpp"
#include "layers/cropping1d.hpp"
#include "layers/cropping2d.hpp"
#include "layers/registry.hpp"
#include "layers/up_sampling1d.hpp"
#include "layers/up_sampling2d.hpp"
#include "layers/zero_padding1d.hpp"
#include "layers/zero_padding2d.hpp"

using namespace tessera;
using namespace tessera::testing;

namespace {

// A reference over channels-last (B, H, W, C): y(b, i, j, c) = at(x, b, i, j, c) on out_shape.
template <class At>
Tensor naive(const Shape& out_shape, At at) {
  Tensor y = zeros(out_shape);
  for (std::size_t b = 0; b < out_shape[0]; ++b)
    for (std::size_t i = 0; i < out_shape[1]; ++i)
      for (std::size_t j = 0; j < out_shape[2]; ++j)
        for (std::size_t c = 0; c < out_shape[3]; ++c) y(b, i, j, c) = at(b, i, j, c);
  return y;
}

float padded(const Tensor& x, long i, long j, std::size_t b, std::size_t c) {
  if (i < 0 || j < 0 || i >= long(x.shape(1)) || j >= long(x.shape(2))) return 0.0f;
  return x(b, std::size_t(i), std::size_t(j), c);
}

// Bilinear upsampling with half-pixel centres, in double: output i samples (i + ½)/f − ½,
// clamped into the image.
double sample_axis(double src, std::size_t n, std::size_t& lo, std::size_t& hi) {
  const double f = std::floor(src);
  lo = std::size_t(std::clamp(f, 0.0, double(n - 1)));
  hi = std::size_t(std::clamp(f + 1, 0.0, double(n - 1)));
  return src - f;
}
Tensor naive_bilinear(const Tensor& x, std::size_t fh, std::size_t fw) {
  const std::size_t H = x.shape(1), W = x.shape(2);
  return naive({x.shape(0), H * fh, W * fw, x.shape(3)}, [&](auto b, auto i, auto j, auto c) {
    std::size_t r0, r1, c0, c1;
    const double wy = sample_axis((i + 0.5) / fh - 0.5, H, r0, r1);
    const double wx = sample_axis((j + 0.5) / fw - 0.5, W, c0, c1);
    const double top = (1 - wx) * x(b, r0, c0, c) + wx * x(b, r0, c1, c);
    const double bottom = (1 - wx) * x(b, r1, c0, c) + wx * x(b, r1, c1, c);
    return float((1 - wy) * top + wy * bottom);
  });
}

struct Case {
  std::string name;
  LayerPtr layer;
  std::size_t rank;
  // The expected output for channels-last (B, H, W, C) input (1-D layers: H = 1).
  std::function<Tensor(const Tensor&)> expected;
};

std::vector<Case> cases(const std::string& format) {
  std::vector<Case> out;
  const MarginOptions margins{format};
  out.push_back(
      {"ZeroPadding2D", std::make_shared<ZeroPadding2D>(AxisPads{{1, 2}, {0, 3}}, margins), 2,
       [](const Tensor& x) {
         return naive(
             {x.shape(0), x.shape(1) + 3, x.shape(2) + 3, x.shape(3)},
             [&](auto b, auto i, auto j, auto c) { return padded(x, long(i) - 1, long(j), b, c); });
       }});
  out.push_back({"Cropping2D", std::make_shared<Cropping2D>(AxisPads{{1, 0}, {1, 2}}, margins), 2,
                 [](const Tensor& x) {
                   return naive(
                       {x.shape(0), x.shape(1) - 1, x.shape(2) - 3, x.shape(3)},
                       [&](auto b, auto i, auto j, auto c) { return x(b, i + 1, j + 1, c); });
                 }});
  for (const std::string interpolation : {"nearest", "bilinear"})
    out.push_back({"UpSampling2D " + interpolation,
                   std::make_shared<UpSampling2D>(UpSamplingOptions{{2, 3}, format, interpolation}),
                   2, [interpolation](const Tensor& x) {
                     if (interpolation == "bilinear") return naive_bilinear(x, 2, 3);
                     return naive(
                         {x.shape(0), x.shape(1) * 2, x.shape(2) * 3, x.shape(3)},
                         [&](auto b, auto i, auto j, auto c) { return x(b, i / 2, j / 3, c); });
                   }});
  if (format == "channels_first") return out;  // the 1-D layers have no data_format
  out.push_back(
      {"ZeroPadding1D", std::make_shared<ZeroPadding1D>(AxisPads{{2, 1}}), 1, [](const Tensor& x) {
         return naive(
             {x.shape(0), 1, x.shape(2) + 3, x.shape(3)},
             [&](auto b, auto, auto j, auto c) { return padded(x, 0, long(j) - 2, b, c); });
       }});
  out.push_back(
      {"Cropping1D", std::make_shared<Cropping1D>(AxisPads{{1, 2}}), 1, [](const Tensor& x) {
         return naive({x.shape(0), 1, x.shape(2) - 3, x.shape(3)},
                      [&](auto b, auto, auto j, auto c) { return x(b, 0, j + 1, c); });
       }});
  out.push_back({"UpSampling1D", std::make_shared<UpSampling1D>(UpSamplingOptions{{3}}), 1,
                 [](const Tensor& x) {
                   return naive({x.shape(0), 1, x.shape(2) * 3, x.shape(3)},
                                [&](auto b, auto, auto j, auto c) { return x(b, 0, j / 3, c); });
                 }});
  return out;
}

}  // namespace

TEST(ReshapingLayers, ValuesShapesAndGradients) {
  Generator gen(31);
  for (const std::string format : {"channels_last", "channels_first"})
    for (const Case& c : cases(format)) {
      SCOPED_TRACE(c.name + " " + format);
      const Tensor x = gen.uniform(c.rank == 2 ? Shape{2, 4, 5, 2} : Shape{2, 6, 2}, -1, 1);
      const Tensor fed = format == "channels_first" ? channels_first_of(x) : x;
      Shape sample = shape_of(fed);
      sample.erase(sample.begin());
      c.layer->build(sample, gen);
      Tensor y = (*c.layer)(Variable(fed)).value();
      Shape out = shape_of(y);
      out.erase(out.begin());
      EXPECT_EQ(out, c.layer->output_shape());
      if (format == "channels_first") y = channels_last_of(y);
      Tensor x4 = x;
      if (c.rank == 1) x4.reshape({2, 1, 6, 2});
      Tensor expected = c.expected(x4);
      if (c.rank == 1) expected.reshape({2, expected.shape(2), 2});
      ASSERT_EQ(shape_of(y), shape_of(expected));
      EXPECT_TRUE(xt::allclose(y, expected, 1e-6, 1e-6)) << y << "\nexpected\n" << expected;
      EXPECT_EQ(c.layer->count_params(), 0u);
      EXPECT_GRADIENTS_OK(through_layer(*c.layer),
                          std::vector<Tensor>{gen.uniform(shape_of(fed), -1, 1)});
    }
}

TEST(ReshapingLayers, BilinearUsesHalfPixelCentres) {
  // tf.image.resize([1, 2] → 4 samples, bilinear) in TF 2 samples at −¼, ¼, ¾, 5⁄4.
  Generator gen(32);
  UpSampling2D up({.size = {1, 2}, .interpolation = "bilinear"});
  up.build({1, 2, 1}, gen);
  Tensor x = {1.0f, 2.0f};
  x.reshape({1, 1, 2, 1});
  const Tensor y = up(Variable(x)).value();
  ASSERT_EQ(shape_of(y), (Shape{1, 1, 4, 1}));
  EXPECT_FLOAT_EQ(y(0, 0, 0, 0), 1.0f);
  EXPECT_FLOAT_EQ(y(0, 0, 1, 0), 1.25f);
  EXPECT_FLOAT_EQ(y(0, 0, 2, 0), 1.75f);
  EXPECT_FLOAT_EQ(y(0, 0, 3, 0), 2.0f);
}

TEST(ReshapingLayers, ConfigsInEveryKerasForm) {
  auto config_of = [](const std::string& cls, const std::string& json) {
    return layer_from_config(cls, Json::parse(json))->get_config();
  };
  EXPECT_EQ(config_of("ZeroPadding2D", R"({"name": "z", "padding": 2})")["padding"],
            Json::parse("[[2, 2], [2, 2]]"));
  EXPECT_EQ(config_of("ZeroPadding2D", R"({"name": "z", "padding": [1, 2]})")["padding"],
            Json::parse("[[1, 1], [2, 2]]"));
  const Json full =
      config_of("ZeroPadding2D",
                R"({"name": "z", "padding": [[1, 2], [3, 4]], "data_format": "channels_first"})");
  EXPECT_EQ(full["padding"], Json::parse("[[1, 2], [3, 4]]"));
  EXPECT_EQ(full["data_format"], "channels_first");
  EXPECT_EQ(config_of("ZeroPadding2D", full.dump()), full);
  EXPECT_EQ(config_of("ZeroPadding1D", R"({"name": "z", "padding": 2})")["padding"],
            Json::parse("[2, 2]"));
  EXPECT_EQ(config_of("ZeroPadding1D", R"({"name": "z", "padding": [1, 3]})")["padding"],
            Json::parse("[1, 3]"));
  EXPECT_EQ(config_of("Cropping2D", R"({"name": "c"})")["cropping"],
            Json::parse("[[0, 0], [0, 0]]"));
  EXPECT_EQ(config_of("Cropping2D", R"({"name": "c", "cropping": [[1, 0], [2, 3]]})")["cropping"],
            Json::parse("[[1, 0], [2, 3]]"));
  EXPECT_EQ(config_of("Cropping1D", R"({"name": "c"})")["cropping"], Json::parse("[1, 1]"));
  const Json up = config_of(
      "UpSampling2D",
      R"({"name": "u", "size": [2, 3], "interpolation": "bilinear", "data_format": "channels_first"})");
  EXPECT_EQ(up["size"], Json::parse("[2, 3]"));
  EXPECT_EQ(up["interpolation"], "bilinear");
  EXPECT_EQ(up["data_format"], "channels_first");
  EXPECT_EQ(config_of("UpSampling2D", up.dump()), up);
  const Json up1 = config_of("UpSampling1D", R"({"name": "u", "size": 4})");
  EXPECT_EQ(up1["size"], 4);
  EXPECT_FALSE(up1.contains("data_format"));
}

TEST(ReshapingLayers, BadArgumentsNameTheLayerAndTheValue) {
  Generator gen(33);
  expect_layer_error(
      [] {
        layer_from_config("ZeroPadding2D", Json::parse(R"({"name": "z", "padding": [1, -1]})"));
      },
      {"ZeroPadding2D 'z'", "padding", "[1,-1]"});
  expect_layer_error(
      [] {
        layer_from_config("Cropping2D", Json::parse(R"({"name": "c", "cropping": [1, 2, 3]})"));
      },
      {"Cropping2D 'c'", "cropping", "[1,2,3]"});
  expect_layer_error(
      [] {
        ZeroPadding2D({{1, 1}}, {.name = "z"});
      },
      {"ZeroPadding2D 'z'", "padding", "2", "1"});
  expect_layer_error(
      [] {
        Cropping1D({{1, 1}}, {.data_format = "channels_first"});
      },
      {"Cropping1D", "data_format", "channels_first"});
  expect_layer_error(
      [&] {
        Cropping2D crop({{2, 2}, {0, 0}}, {.name = "all"});
        crop.build({4, 5, 1}, gen);
      },
      {"Cropping2D 'all'", "[[2,2],[0,0]]", "(4, 5, 1)"});
  expect_layer_error(
      [] {
        UpSampling2D({.size = {2, 0}, .name = "u"});
      },
      {"UpSampling2D 'u'", "size", "(2, 0)"});
  expect_layer_error([] { UpSampling2D({.interpolation = "bicubic"}); },
                     {"UpSampling2D", "interpolation", "'bicubic'"});
  expect_layer_error([] { UpSampling1D({.interpolation = "bilinear"}); },
                     {"UpSampling1D", "interpolation", "'bilinear'"});
  expect_layer_error(
      [&] {
        ZeroPadding1D pad({{1, 1}}, {.name = "r"});
        pad.build({4, 5, 1}, gen);
      },
      {"ZeroPadding1D 'r'", "rank 3", "(4, 5, 1)"});
}
