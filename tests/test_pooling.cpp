#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <xtensor/xio.hpp>

#include "core/pooling.hpp"
#include "core/random.hpp"
#include "grad_test.hpp"
#include "layer_test.hpp"
#include "layers/average_pooling1d.hpp"
#include "layers/average_pooling2d.hpp"
#include "layers/global_average_pooling1d.hpp"
#include "layers/global_average_pooling2d.hpp"
#include "layers/global_max_pooling1d.hpp"
#include "layers/global_max_pooling2d.hpp"
#include "layers/max_pooling1d.hpp"
#include "layers/max_pooling2d.hpp"
#include "layers/registry.hpp"

using namespace tessera;
using namespace tessera::testing;

namespace {

// One axis of a pooling window by TensorFlow's rules: 'valid' windows lie inside the input;
// 'same' gives ceil(in / s) windows with floor(total pad / 2) before.
struct AxisPlan {
  std::size_t out, before;
};
AxisPlan plan(std::size_t in, std::size_t k, std::size_t s, bool same) {
  if (!same) return {(in - k) / s + 1, 0};
  const std::size_t out = (in + s - 1) / s;
  return {out, std::size_t(std::max(long((out - 1) * s + k) - long(in), 0L) / 2)};
}

// Direct pooling of channels-last (B, H, W, C); padded taps are left out (max and mean alike).
Tensor naive_pool(const Tensor& x, std::size_t kh, std::size_t kw, std::size_t sh, std::size_t sw,
                  bool same, bool max) {
  const std::size_t B = x.shape(0), H = x.shape(1), W = x.shape(2), C = x.shape(3);
  const AxisPlan rows = plan(H, kh, sh, same), cols = plan(W, kw, sw, same);
  Tensor y = zeros({B, rows.out, cols.out, C});
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t i = 0; i < rows.out; ++i)
      for (std::size_t j = 0; j < cols.out; ++j)
        for (std::size_t c = 0; c < C; ++c) {
          double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
          int n = 0;
          for (std::size_t p = 0; p < kh; ++p)
            for (std::size_t q = 0; q < kw; ++q) {
              const long r = long(i * sh + p) - long(rows.before);
              const long s = long(j * sw + q) - long(cols.before);
              if (r < 0 || s < 0 || r >= long(H) || s >= long(W)) continue;
              const double v = x(b, std::size_t(r), std::size_t(s), c);
              acc = max ? std::max(acc, v) : acc + v;
              ++n;
            }
          y(b, i, j, c) = float(max ? acc : acc / n);
        }
  return y;
}

// One of four layer classes, by rank (1 or 2) and mode (max or average).
template <class Max1, class Average1, class Max2, class Average2, class Options>
LayerPtr make_layer(std::size_t rank, bool max, const Options& o) {
  if (rank == 1) {
    if (max) return std::make_shared<Max1>(o);
    return std::make_shared<Average1>(o);
  }
  if (max) return std::make_shared<Max2>(o);
  return std::make_shared<Average2>(o);
}

LayerPtr make_pooling(std::size_t rank, bool max, const PoolingOptions& o) {
  return make_layer<MaxPooling1D, AveragePooling1D, MaxPooling2D, AveragePooling2D>(rank, max, o);
}

struct PoolCase {
  std::size_t rank;
  Shape sample;  // channels-last
  std::vector<long> pool, strides;
};

// Feeds x (channels-last, batched) in `format` to a built layer; returns its output channels-last.
Tensor run_channels_last(Layer& layer, const Tensor& x, const std::string& format, Generator& gen) {
  const Tensor fed = format == "channels_first" ? channels_first_of(x) : x;
  Shape sample = shape_of(fed);
  sample.erase(sample.begin());
  layer.build(sample, gen);
  const Tensor y = layer(Variable(fed)).value();
  Shape out = shape_of(y);
  out.erase(out.begin());
  EXPECT_EQ(out, layer.output_shape());
  return format == "channels_first" && y.dimension() > 2 ? channels_last_of(y) : y;
}

const std::vector<PoolCase> kCases = {
    {2, {7, 6, 3}, {3, 2}, {}},      // strides default to pool_size
    {2, {7, 6, 2}, {3, 3}, {2, 1}},  // overlapping windows, non-square input
    {2, {5, 8, 2}, {2, 4}, {3, 3}},  // strides larger than the pool
    {1, {9, 3}, {3}, {2}},          {1, {8, 2}, {2}, {}}, {1, {7, 2}, {4}, {3}},
};

}  // namespace

TEST(Pooling, MatchesDirectPoolingForEveryModeFormatAndPadding) {
  Generator gen(21);
  for (const PoolCase& c : kCases)
    for (bool max : {true, false})
      for (const std::string padding : {"valid", "same"})
        for (const std::string format : {"channels_last", "channels_first"}) {
          SCOPED_TRACE(std::to_string(c.rank) + "D " + (max ? "max " : "avg ") + padding + " " +
                       format);
          LayerPtr layer = make_pooling(c.rank, max, {c.pool, c.strides, padding, format});
          Shape batch = c.sample;
          batch.insert(batch.begin(), 2);
          const Tensor x = gen.uniform(batch, -1, 1);
          const Tensor y = run_channels_last(*layer, x, format, gen);
          Tensor x4 = x;
          std::vector<long> pool = c.pool, strides = c.strides.empty() ? c.pool : c.strides;
          if (c.rank == 1) {
            x4.reshape({2, 1, c.sample[0], c.sample[1]});
            pool.insert(pool.begin(), 1);
            strides.insert(strides.begin(), 1);
          }
          Tensor expected =
              naive_pool(x4, pool[0], pool[1], strides[0], strides[1], padding == "same", max);
          if (c.rank == 1) expected.reshape({2, expected.shape(2), expected.shape(3)});
          ASSERT_EQ(shape_of(y), shape_of(expected));
          EXPECT_TRUE(xt::allclose(y, expected, 1e-6, 1e-6)) << y << "\nexpected\n" << expected;
        }
}

// Max pooling over more channels than a SIMD register holds (whole registers and a remainder),
// with ties in most windows: each output is its window's first largest input in row-major
// order, and the gradient goes to that input alone, whether the windows tile the input, leave
// some inputs in no window, overlap, or leave gaps.
TEST(Pooling, MaxOfManyChannelsPicksTheFirstLargestAndRoutesItsGradient) {
  struct Case {
    std::size_t H, W, kh, kw, sh, sw;
    bool same;
    const char* what;
  };
  const std::vector<Case> cases = {{6, 8, 2, 2, 2, 2, false, "windows tiling the input"},
                                   {7, 7, 2, 2, 2, 2, false, "last row and col in no window"},
                                   {7, 7, 2, 2, 2, 2, true, "tiled with padding"},
                                   {7, 6, 3, 3, 2, 2, false, "overlapping windows"},
                                   {8, 8, 2, 2, 3, 3, false, "gaps between windows"}};
  Generator gen(26);
  const std::size_t B = 2, C = 35;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Tensor x = gen.uniform({B, c.H, c.W, C}, -2, 2);
    for (float& v : x) v = std::round(v * 2) / 2;  // nine values: ties in most windows
    const Im2colSpec spec =
        make_im2col_spec(c.H, c.W, c.kh, c.kw, c.sh, c.sw, 1, 1, c.same ? "same" : "valid");
    Variable in(x, true);
    Variable y = pool2d(in, spec, PoolMode::max);
    const AxisPlan rows = plan(c.H, c.kh, c.sh, c.same), cols = plan(c.W, c.kw, c.sw, c.same);
    ASSERT_EQ(shape_of(y.value()), (Shape{B, rows.out, cols.out, C}));
    const Tensor gy = gen.uniform(shape_of(y.value()), -1, 1);
    y.backward(gy);
    Tensor gx = zeros(shape_of(x));
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t i = 0; i < rows.out; ++i)
        for (std::size_t j = 0; j < cols.out; ++j)
          for (std::size_t ch = 0; ch < C; ++ch) {
            bool found = false;
            std::size_t at_r = 0, at_c = 0;
            for (std::size_t p = 0; p < c.kh; ++p)
              for (std::size_t q = 0; q < c.kw; ++q) {
                const long r = long(i * c.sh + p) - long(rows.before);
                const long s = long(j * c.sw + q) - long(cols.before);
                if (r < 0 || s < 0 || r >= long(c.H) || s >= long(c.W)) continue;
                if (!found || x(b, r, s, ch) > x(b, at_r, at_c, ch))
                  at_r = std::size_t(r), at_c = std::size_t(s), found = true;
              }
            ASSERT_TRUE(found);
            ASSERT_EQ(y.value()(b, i, j, ch), x(b, at_r, at_c, ch)) << b << " " << i << " " << j;
            gx(b, at_r, at_c, ch) += gy(b, i, j, ch);
          }
    EXPECT_TRUE(xt::allclose(in.grad(), gx, 1e-6, 1e-6)) << in.grad() << "\nexpected\n" << gx;
  }
}

TEST(Pooling, SameAverageDividesByTheRealInputsOnly) {
  // TensorFlow's avg_pool with 'same': the last window of [1, 2, 3] holds 3 and one pad → 3,
  // not 1.5.
  Generator gen(22);
  AveragePooling1D pool({.pool_size = {2}, .padding = "same"});
  pool.build({3, 1}, gen);
  Tensor x = {1.0f, 2.0f, 3.0f};
  x.reshape({1, 3, 1});
  const Tensor y = pool(Variable(x)).value();
  ASSERT_EQ(shape_of(y), (Shape{1, 2, 1}));
  EXPECT_FLOAT_EQ(y(0, 0, 0), 1.5f);
  EXPECT_FLOAT_EQ(y(0, 1, 0), 3.0f);
}

TEST(Pooling, Gradients) {
  Generator gen(23);
  for (const PoolCase& c : {PoolCase{2, {5, 4, 2}, {2, 3}, {2, 1}}, PoolCase{1, {7, 2}, {3}, {2}}})
    for (bool max : {true, false})
      for (const std::string padding : {"valid", "same"})
        for (const std::string format : {"channels_last", "channels_first"}) {
          SCOPED_TRACE(std::to_string(c.rank) + "D " + (max ? "max " : "avg ") + padding + " " +
                       format);
          LayerPtr layer = make_pooling(c.rank, max, {c.pool, c.strides, padding, format});
          Shape sample = c.sample;
          if (format == "channels_first")
            std::rotate(sample.rbegin(), sample.rbegin() + 1, sample.rend());
          layer->build(sample, gen);
          sample.insert(sample.begin(), 2);
          EXPECT_GRADIENTS_OK(through_layer(*layer),
                              std::vector<Tensor>{distinct_values(sample, gen)});
        }
}

TEST(Pooling, ConfigsReadAndWriteKerasKeys) {
  LayerPtr layer =
      layer_from_config("MaxPooling2D", Json::parse(R"({"name": "pool", "trainable": true,
      "dtype": "float32", "pool_size": [2, 3], "padding": "same", "strides": null,
      "data_format": "channels_first"})"));
  Json c = layer->get_config();
  EXPECT_EQ(c["pool_size"], Json::parse("[2, 3]"));
  EXPECT_EQ(c["strides"], Json::parse("[2, 3]"));  // strides=None means pool_size
  EXPECT_EQ(c["padding"], "same");
  EXPECT_EQ(c["data_format"], "channels_first");
  EXPECT_EQ(layer_from_config("MaxPooling2D", c)->get_config(), c);
  Generator gen(24);
  layer->build({4, 5, 7}, gen);
  EXPECT_EQ(layer->output_shape(), (Shape{4, 3, 3}));
  EXPECT_EQ(layer->count_params(), 0u);

  LayerPtr avg = layer_from_config("AveragePooling1D",
                                   Json::parse(R"({"name": "a", "pool_size": 3, "strides": 1})"));
  c = avg->get_config();
  EXPECT_EQ(c["pool_size"], Json::parse("[3]"));
  EXPECT_EQ(c["strides"], Json::parse("[1]"));
  EXPECT_EQ(c["data_format"], "channels_last");
  avg->build({10, 4}, gen);
  EXPECT_EQ(avg->output_shape(), (Shape{8, 4}));
}

TEST(Pooling, BadArgumentsNameTheLayerAndTheValue) {
  Generator gen(25);
  expect_layer_error(
      [] {
        MaxPooling2D({.pool_size = {0, 2}, .name = "p"});
      },
      {"MaxPooling2D 'p'", "pool_size", "(0, 2)"});
  expect_layer_error([] { AveragePooling1D({.strides = {-2}}); },
                     {"AveragePooling1D", "strides", "-2"});
  expect_layer_error([] { MaxPooling1D({.padding = "causal"}); },
                     {"MaxPooling1D", "padding", "'causal'"});
  expect_layer_error([] { AveragePooling2D({.data_format = "nhwc"}); },
                     {"AveragePooling2D", "data_format", "'nhwc'"});
  expect_layer_error(
      [&] {
        MaxPooling2D pool({.pool_size = {3}, .name = "big"});
        pool.build({2, 6, 1}, gen);
      },
      {"MaxPooling2D 'big'", "(2, 6, 1)", "3", "2"});
  expect_layer_error(
      [&] {
        AveragePooling1D pool({.name = "r"});
        pool.build({6}, gen);
      },
      {"AveragePooling1D 'r'", "rank 3", "(6,)"});
}

namespace {

LayerPtr make_global(std::size_t rank, bool max, const GlobalPoolingOptions& o) {
  return make_layer<GlobalMaxPooling1D, GlobalAveragePooling1D, GlobalMaxPooling2D,
                    GlobalAveragePooling2D>(rank, max, o);
}

}  // namespace

TEST(GlobalPooling, ValuesShapesAndGradients) {
  Generator gen(26);
  for (std::size_t rank : {1u, 2u})
    for (bool max : {true, false})
      for (bool keepdims : {false, true})
        for (const std::string format : {"channels_last", "channels_first"}) {
          SCOPED_TRACE(std::to_string(rank) + "D " + (max ? "max " : "avg ") + format +
                       (keepdims ? " keepdims" : ""));
          LayerPtr layer = make_global(rank, max, {format, keepdims});
          const Shape batch = rank == 1 ? Shape{2, 5, 3} : Shape{2, 4, 5, 3};  // channels-last
          const Tensor x = gen.uniform(batch, -1, 1);
          Tensor y = run_channels_last(*layer, x, format, gen);
          Tensor expected = zeros({2, 3});
          const std::size_t positions = x.size() / 6;
          for (std::size_t b = 0; b < 2; ++b)
            for (std::size_t c = 0; c < 3; ++c) {
              double acc = max ? -1e30 : 0.0;
              for (std::size_t p = 0; p < positions; ++p) {
                const double v = x.data()[(b * positions + p) * 3 + c];
                acc = max ? std::max(acc, v) : acc + v / double(positions);
              }
              expected(b, c) = float(acc);
            }
          Shape kept(rank, 1);  // keepdims leaves the spatial axes with size 1
          if (format == "channels_first")
            kept.insert(kept.begin(), 3);
          else
            kept.push_back(3);
          EXPECT_EQ(layer->output_shape(), keepdims ? kept : Shape{3});
          y.reshape({2, 3});
          EXPECT_TRUE(xt::allclose(y, expected, 1e-6, 1e-6)) << y << "\nexpected\n" << expected;
          Shape sample = shape_of(format == "channels_first" ? channels_first_of(x) : x);
          EXPECT_GRADIENTS_OK(through_layer(*layer),
                              std::vector<Tensor>{distinct_values(sample, gen)});
        }
}
