#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <xtensor/xio.hpp>
#include <xtensor/xview.hpp>

#include "core/activations.hpp"
#include "core/im2col.hpp"
#include "core/ops.hpp"
#include "core/random.hpp"
#include "grad_test.hpp"
#include "layer_test.hpp"
#include "layers/conv1d.hpp"
#include "layers/conv2d.hpp"
#include "layers/registry.hpp"

using namespace tessera;
using namespace tessera::testing;

namespace {

// One spatial axis by TensorFlow's documented rules (keras-format.md), restated independently.
struct AxisPlan {
  std::size_t out, before;
};
AxisPlan plan(std::size_t in, std::size_t k, std::size_t s, std::size_t d,
              const std::string& padding) {
  const std::size_t span = (k - 1) * d + 1;
  if (padding == "valid") return {(in - span + s) / s, 0};  // ceil((in − span + 1) / s)
  if (padding == "causal") return {(in + s - 1) / s, span - 1};
  const std::size_t out = (in + s - 1) / s;
  const long total = std::max(long((out - 1) * s + span) - long(in), 0L);
  return {out, std::size_t(total / 2)};
}

// Direct convolution of channels-last x (B, H, W, C) with kernel (KH, KW, C, F), in double.
Tensor naive_conv(const Tensor& x, const Tensor& kernel, const Tensor& bias,
                  std::vector<std::size_t> stride, std::vector<std::size_t> dilation,
                  const std::string& padding) {
  const std::size_t B = x.shape(0), H = x.shape(1), W = x.shape(2), C = x.shape(3);
  const std::size_t KH = kernel.shape(0), KW = kernel.shape(1), F = kernel.shape(3);
  const AxisPlan rows = plan(H, KH, stride[0], dilation[0], padding);
  const AxisPlan cols = plan(W, KW, stride[1], dilation[1], padding);
  Tensor y = zeros({B, rows.out, cols.out, F});
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t i = 0; i < rows.out; ++i)
      for (std::size_t j = 0; j < cols.out; ++j)
        for (std::size_t f = 0; f < F; ++f) {
          double acc = bias(f);
          for (std::size_t p = 0; p < KH; ++p)
            for (std::size_t q = 0; q < KW; ++q) {
              const long r = long(i * stride[0] + p * dilation[0]) - long(rows.before);
              const long c = long(j * stride[1] + q * dilation[1]) - long(cols.before);
              if (r < 0 || c < 0 || r >= long(H) || c >= long(W)) continue;
              for (std::size_t ch = 0; ch < C; ++ch)
                acc += double(x(b, std::size_t(r), std::size_t(c), ch)) * kernel(p, q, ch, f);
            }
          y(b, i, j, f) = float(acc);
        }
  return y;
}

struct ConvCase {
  std::size_t rank;
  Shape sample;  // channels-last, no batch
  std::vector<long> kernel, strides, dilation;
};

LayerPtr make_conv(const ConvCase& c, std::size_t filters, const std::string& padding,
                   const std::string& data_format, const std::string& activation = "linear") {
  ConvOptions conv{c.strides, padding, data_format, c.dilation};
  KernelOptions options{.activation = activation,
                        .bias_initializer = random_uniform_initializer(-1, 1)};
  if (c.rank == 1) return std::make_shared<Conv1D>(filters, c.kernel, conv, options);
  return std::make_shared<Conv2D>(filters, c.kernel, conv, options);
}

std::vector<std::string> paddings(std::size_t rank) {
  if (rank == 1) return {"valid", "same", "causal"};
  return {"valid", "same"};
}

// The layer's output against the direct convolution, for both data formats; 3 filters take
// OpenBLAS's product, 16 (a multiple of the SIMD width) small_gemm's.
void expect_matches_naive(const ConvCase& c, const std::string& padding, Generator& gen) {
  for (const std::string format : {"channels_last", "channels_first"})
    for (const std::size_t F : {3, 16}) {
      SCOPED_TRACE(format + " " + padding + " " + std::to_string(F) + " filters");
      LayerPtr layer = make_conv(c, F, padding, format);
      Shape batch_shape = c.sample;
      batch_shape.insert(batch_shape.begin(), 2);
      const Tensor x = gen.uniform(batch_shape, -1, 1);
      const Tensor fed = format == "channels_first" ? channels_first_of(x) : x;
      Shape sample = shape_of(fed);
      sample.erase(sample.begin());
      layer->build(sample, gen);

      Tensor x4 = x, kernel = layer->weights()[0].variable.value();
      std::vector<std::size_t> stride(c.strides.begin(), c.strides.end()),
          dilation(c.dilation.begin(), c.dilation.end());
      if (c.rank == 1) {  // the 1-D case is one row of the 2-D one
        x4.reshape({2, 1, c.sample[0], c.sample[1]});
        kernel.reshape({1, kernel.shape(0), kernel.shape(1), kernel.shape(2)});
        stride.insert(stride.begin(), 1);
        dilation.insert(dilation.begin(), 1);
      }
      Tensor expected =
          naive_conv(x4, kernel, layer->weights()[1].variable.value(), stride, dilation, padding);
      if (c.rank == 1) expected.reshape({2, expected.shape(2), F});
      if (format == "channels_first") expected = channels_first_of(expected);

      const Tensor y = (*layer)(Variable(fed)).value();
      Shape out = shape_of(expected);
      out.erase(out.begin());
      EXPECT_EQ(layer->output_shape(), out);
      ASSERT_EQ(shape_of(y), shape_of(expected));
      EXPECT_TRUE(xt::allclose(y, expected, 1e-5, 1e-5)) << y << "\nexpected\n" << expected;
    }
}

}  // namespace

TEST(Conv, Conv2DMatchesDirectConvolution) {
  Generator gen(11);
  // Non-square input and kernel; strides > 1; dilation.
  for (const ConvCase& c : {ConvCase{2, {7, 6, 3}, {3, 2}, {2, 1}, {1, 1}},
                            ConvCase{2, {7, 6, 3}, {2, 3}, {1, 3}, {2, 1}},
                            ConvCase{2, {6, 8, 2}, {4, 4}, {3, 2}, {1, 1}}})
    for (const auto& padding : paddings(2)) expect_matches_naive(c, padding, gen);
}

TEST(Conv, Conv1DMatchesDirectConvolution) {
  Generator gen(12);
  for (const ConvCase& c : {ConvCase{1, {9, 3}, {3}, {2}, {1}}, ConvCase{1, {9, 2}, {2}, {1}, {3}},
                            ConvCase{1, {10, 2}, {4}, {3}, {1}}})
    for (const auto& padding : paddings(1)) expect_matches_naive(c, padding, gen);
}

// The gradients of a Conv2D layer (channels_last, relu) against those of the same convolution
// written as im2col, a product and a sum.
void expect_gradients_match_im2col(const ConvCase& c, const std::string& padding, std::size_t F,
                                   Generator& gen) {
  SCOPED_TRACE(padding + " " + std::to_string(F) + " filters");
  LayerPtr layer = make_conv(c, F, padding, "channels_last", "relu");
  layer->build(c.sample, gen);
  Shape batch = c.sample;
  batch.insert(batch.begin(), 2);
  const Tensor x = gen.uniform(batch, -1, 1);
  Variable x_conv(x, true), x_cols(x, true);
  Variable kernel = layer->weights()[0].variable, bias = layer->weights()[1].variable;
  Variable y = (*layer)(x_conv);
  const Tensor seed = gen.normal(y.shape(), 0, 1);
  y.backward(seed);
  const Tensor dkernel = kernel.grad(), dbias = bias.grad();
  kernel.zero_grad();
  bias.zero_grad();
  const Im2colSpec spec = make_im2col_spec(
      c.sample[0], c.sample[1], std::size_t(c.kernel[0]), std::size_t(c.kernel[1]),
      std::size_t(c.strides[0]), std::size_t(c.strides[1]), std::size_t(c.dilation[0]),
      std::size_t(c.dilation[1]), padding);
  const long K = c.kernel[0] * c.kernel[1] * long(c.sample[2]);
  Variable product = matmul(im2col(x_cols, spec), reshape(kernel, {K, long(F)}));
  Variable y_cols = relu(
      add(reshape(product, {2, long(spec.out_h), long(spec.out_w), long(F)}), bias));
  ASSERT_TRUE(xt::allclose(y.value(), y_cols.value(), 1e-5, 1e-5));
  y_cols.backward(seed);
  EXPECT_TRUE(xt::allclose(x_conv.grad(), x_cols.grad(), 1e-5, 1e-5));
  EXPECT_TRUE(xt::allclose(dkernel, kernel.grad(), 1e-4, 1e-4));
  EXPECT_TRUE(xt::allclose(dbias, bias.grad(), 1e-4, 1e-4));
}

// 64 channels under a 3x3 kernel: patches of 576 values, so each sample's patches are made and
// multiplied a few output rows at a time (5 of 8 here, then 3). Outputs match the direct
// convolution; gradients match the im2col formulation, for the products of small_gemm (16
// filters) and OpenBLAS (3).
TEST(Conv, LargePatchesRunInChunksOfOutputRows) {
  Generator gen(16);
  const ConvCase c{2, {10, 12, 64}, {3, 3}, {1, 1}, {1, 1}};
  for (const auto& padding : paddings(2)) expect_matches_naive(c, padding, gen);
  for (const std::size_t F : {3, 16}) expect_gradients_match_im2col(c, "valid", F, gen);
}

// Patches of 9 or 27 values (not a multiple of the SIMD width) with stride_w 1: the input
// gradient is computed channels first (add_input_gradient_by_channel), its taps' rows clipped
// at the padding; with 16 filters the forward and the weight gradient read x in place where
// no tap is padding. Strides and dilation along the rows move the rows the taps add to.
TEST(Conv, InputGradientByChannelMatchesIm2col) {
  Generator gen(17);
  for (const ConvCase& c : {ConvCase{2, {9, 10, 3}, {3, 3}, {1, 1}, {1, 1}},
                            ConvCase{2, {11, 9, 1}, {3, 3}, {2, 1}, {2, 1}},
                            ConvCase{2, {8, 7, 2}, {2, 3}, {3, 1}, {1, 1}}})
    for (const auto& padding : paddings(2))
      for (const std::size_t F : {3, 16}) expect_gradients_match_im2col(c, padding, F, gen);
}

TEST(Conv, CausalOutputOnlySeesThePast) {
  // Changing the last step must leave every earlier output unchanged.
  Generator gen(13);
  Conv1D conv(2, {3}, {.padding = "causal", .dilation_rate = {2}});
  conv.build({8, 2}, gen);
  Tensor x = gen.uniform({1, 8, 2}, -1, 1);
  const Tensor before = conv(Variable(x)).value();
  x(0, 7, 0) += 5.0f;
  const Tensor after = conv(Variable(x)).value();
  ASSERT_EQ(shape_of(after), (Shape{1, 8, 2}));
  EXPECT_TRUE(xt::allclose(xt::view(before, xt::all(), xt::range(0, 7)),
                           xt::view(after, xt::all(), xt::range(0, 7))));
  EXPECT_GT(std::abs(after(0, 7, 0) - before(0, 7, 0)) + std::abs(after(0, 7, 1) - before(0, 7, 1)),
            0.0f);
}

TEST(Conv, GradientsOfInputKernelAndBias) {
  Generator gen(14);
  // 2 filters: OpenBLAS's products; 16: small_gemm's (and for patches of 8 values its input
  // gradient too, which 2 filters also reach).
  for (const ConvCase& c : {ConvCase{2, {5, 4, 2}, {3, 2}, {2, 1}, {1, 1}},
                            ConvCase{2, {5, 4, 2}, {2, 2}, {1, 1}, {2, 2}},
                            ConvCase{1, {7, 2}, {3}, {2}, {1}}, ConvCase{1, {7, 2}, {2}, {1}, {2}}})
    for (const auto& padding : paddings(c.rank))
      for (const std::string format : {"channels_last", "channels_first"})
        for (const std::size_t filters : {2, 16}) {
          SCOPED_TRACE(std::to_string(c.rank) + "D " + format + " " + padding + " " +
                       std::to_string(filters) + " filters");
          LayerPtr layer = make_conv(c, filters, padding, format, "tanh");
          Shape sample = c.sample;
          if (format == "channels_first")
            std::rotate(sample.rbegin(), sample.rbegin() + 1, sample.rend());
          layer->build(sample, gen);
          Shape batch = sample;
          batch.insert(batch.begin(), 2);
          EXPECT_GRADIENTS_OK(through_layer(*layer),
                              input_and_weights(gen.uniform(batch, -1, 1), *layer));
        }
}

TEST(Conv, ReluRunsInsideTheConvolutionAndMatchesReluAfterIt) {
  // activation="relu" is applied by the convolution op per sample (no relu node of its own);
  // outputs and gradients equal relu applied to the linear layer's output, bit for bit.
  Generator gen(15);
  for (const ConvCase& c : {ConvCase{2, {6, 5, 3}, {3, 2}, {2, 1}, {1, 1}},
                            ConvCase{1, {9, 2}, {3}, {1}, {2}}})
    for (const std::string format : {"channels_last", "channels_first"}) {
      SCOPED_TRACE(std::to_string(c.rank) + "D " + format);
      LayerPtr fused = make_conv(c, 4, "same", format, "relu");
      LayerPtr plain = make_conv(c, 4, "same", format, "linear");
      Shape sample = c.sample;
      if (format == "channels_first")
        std::rotate(sample.rbegin(), sample.rbegin() + 1, sample.rend());
      fused->build(sample, gen);
      plain->build(sample, gen);
      for (std::size_t i = 0; i < 2; ++i)
        plain->weights()[i].variable.value() = fused->weights()[i].variable.value();
      Shape batch = sample;
      batch.insert(batch.begin(), 3);
      expect_relu_inside_matches_relu_after(*fused, *plain, gen.uniform(batch, -1, 1), gen);
    }
}

TEST(Conv, WeightLayoutsAndParameterCounts) {
  Generator gen(15);
  Conv2D conv2d(8, {3, 3});
  conv2d.build({32, 32, 3}, gen);
  EXPECT_EQ(conv2d.weights()[0].variable.shape(), (Shape{3, 3, 3, 8}));
  EXPECT_EQ(conv2d.weights()[1].variable.shape(), (Shape{8}));
  EXPECT_EQ(conv2d.count_params(), 3u * 3 * 3 * 8 + 8);
  EXPECT_EQ(conv2d.output_shape(), (Shape{30, 30, 8}));

  Conv2D first(4, {3, 2}, {.strides = {2}, .padding = "same", .data_format = "channels_first"});
  first.build({5, 9, 7}, gen);
  EXPECT_EQ(first.weights()[0].variable.shape(), (Shape{3, 2, 5, 4}));
  EXPECT_EQ(first.output_shape(), (Shape{4, 5, 4}));

  Conv1D conv1d(4, {2}, {}, {.use_bias = false});
  conv1d.build({16, 3}, gen);
  EXPECT_EQ(conv1d.weights().size(), 1u);
  EXPECT_EQ(conv1d.weights()[0].variable.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(conv1d.count_params(), 24u);
  EXPECT_EQ(conv1d.output_shape(), (Shape{15, 4}));
}

TEST(Conv, ReadsAKerasConfigAndWritesItBack) {
  // The layer config of a Keras 2.3.1 model file (real-keras/conv1d_k2_s2_d1_cf_same_model.h5).
  const Json keras = Json::parse(R"({"name": "conv0", "trainable": true,
      "batch_input_shape": [null, 3, 16], "dtype": "float32", "filters": 4, "kernel_size": [2],
      "strides": [2], "padding": "same", "data_format": "channels_first", "dilation_rate": [1],
      "activation": "sigmoid", "use_bias": true, "kernel_initializer": {"class_name":
      "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform",
      "seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}},
      "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
      "kernel_constraint": null, "bias_constraint": null})");
  LayerPtr layer = layer_from_config("Conv1D", keras);
  EXPECT_EQ(layer->class_name(), "Conv1D");
  EXPECT_EQ(layer->name(), "conv0");
  Generator gen(16);
  layer->build({3, 16}, gen);
  EXPECT_EQ(layer->output_shape(), (Shape{4, 8}));
  const Json config = layer->get_config();
  for (const char* key : {"filters", "kernel_size", "strides", "padding", "data_format",
                          "dilation_rate", "activation", "use_bias"})
    EXPECT_EQ(config[key], keras[key]) << key;
  EXPECT_EQ(config["groups"], 1);

  LayerPtr again = layer_from_config(
      "Conv2D",
      Json::parse(
          R"({"name": "c", "filters": 2, "kernel_size": 3, "strides": [1, 2], "padding": "VALID",
          "dilation_rate": 2, "data_format": null})"));
  const Json written = again->get_config();
  EXPECT_EQ(written["kernel_size"], Json::parse("[3, 3]"));
  EXPECT_EQ(written["strides"], Json::parse("[1, 2]"));
  EXPECT_EQ(written["dilation_rate"], Json::parse("[2, 2]"));
  EXPECT_EQ(written["padding"], "valid");
  EXPECT_EQ(written["data_format"], "channels_last");
  EXPECT_EQ(layer_from_config("Conv2D", written)->get_config(), written);
}

TEST(Conv, BadArgumentsNameTheLayerAndTheValue) {
  Generator gen(17);
  expect_layer_error([] { Conv2D(0, {3}, {}, {.name = "c"}); }, {"Conv2D 'c'", "filters", "0"});
  expect_layer_error(
      [] {
        Conv2D(2, {3, 0}, {}, {.name = "c"});
      },
      {"Conv2D 'c'", "kernel_size", "(3, 0)"});
  expect_layer_error([] { Conv1D(2, {3}, {.strides = {-1}}); }, {"Conv1D", "strides", "-1"});
  expect_layer_error([] { Conv2D(2, {3}, {.padding = "full"}); }, {"Conv2D", "padding", "'full'"});
  expect_layer_error([] { Conv2D(2, {3}, {.padding = "causal"}); },
                     {"Conv2D", "padding", "'causal'"});
  expect_layer_error([] { Conv2D(2, {3}, {.data_format = "NCHW"}); },
                     {"Conv2D", "data_format", "'NCHW'"});
  expect_layer_error([] { Conv2D(4, {3}, {.groups = 2}); }, {"Conv2D", "groups", "2"});
  expect_layer_error([] { Conv2D(2, {3, 3, 3}); }, {"Conv2D", "kernel_size", "(3, 3, 3)"});
  expect_layer_error(
      [&] {
        Conv2D conv(2, {3}, {}, {.name = "big"});
        conv.build({2, 5, 1}, gen);
      },
      {"Conv2D 'big'", "(2, 5, 1)", "3", "2"});
  expect_layer_error(
      [&] {
        Conv1D conv(2, {3}, {}, {.name = "rank"});
        conv.build({5, 4, 1}, gen);
      },
      {"Conv1D 'rank'", "rank 3", "(5, 4, 1)"});
  expect_layer_error(
      [] {
        layer_from_config("Conv1D",
                          Json::parse(R"({"name": "j", "filters": -2, "kernel_size": 3})"));
      },
      {"Conv1D 'j'", "filters", "-2"});
  expect_layer_error(
      [] {
        layer_from_config("Conv2D",
                          Json::parse(R"({"name": "j", "filters": 2, "kernel_size": [3, "a"]})"));
      },
      {"Conv2D 'j'", "kernel_size"});
}
