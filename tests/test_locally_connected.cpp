// LocallyConnected1D/2D: Keras' shapes and parameter counts, the window rule, the three stored
// layouts and Keras' sorted impl-3 order, 1-D = 2-D with a unit row axis, the three compute paths
// against independent references and against each other, and finite-difference gradients.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "core/ops.hpp"
#include "grad_test.hpp"
#include "layer_test.hpp"
#include "lc_test_cases.hpp"

using namespace tessera;
using namespace lc_test;

namespace {

Tensor flat(const Tensor& t) {
  Tensor f = t;
  f.reshape({t.shape(0), t.size() / t.shape(0)});
  return f;
}

Tensor random_input(const Case& c, std::size_t batch, std::uint64_t seed) {
  Generator gen(seed);
  Shape s = c.input_shape();
  s.insert(s.begin(), batch);
  return gen.uniform(s, -1, 1);
}

// The layer's output with its kernel replaced by `kernel` (in its storage layout), no bias.
Tensor run_path(const Case& c, int path, const Tensor& x, const Tensor& kernel) {
  auto layer = built_layer(c, path);
  return lc_compute(path, Variable(x), Variable(kernel), nullptr, layer->engine()).value();
}

}  // namespace

TEST(LocallyConnected, KerasShapesAndParameterCounts) {
  Generator gen(1);
  LocallyConnected1D a(64, 3), b(32, 3);
  a.build({10, 32}, gen);
  EXPECT_EQ(a.output_shape(), (Shape{8, 64}));
  b.build(a.output_shape(), gen);
  EXPECT_EQ(b.output_shape(), (Shape{6, 32}));
  EXPECT_EQ(a.count_params() + b.count_params(), 86720u);  // MANIFEST's lc1d_seed_example

  LocallyConnected2D c(64, {3, 3}), d(32, {3, 3});
  c.build({32, 32, 3}, gen);
  EXPECT_EQ(c.output_shape(), (Shape{30, 30, 64}));
  EXPECT_EQ(c.count_params(), 1612800u);
  EXPECT_EQ(c.weights()[0].variable.shape(), (Shape{900, 27, 64}));
  EXPECT_EQ(c.weights()[1].variable.shape(), (Shape{30, 30, 64}));
  d.build(c.output_shape(), gen);
  EXPECT_EQ(d.output_shape(), (Shape{28, 28, 32}));

  Variable y = c(Variable(zeros({2, 32, 32, 3})));
  EXPECT_EQ(y.shape(), (Shape{2, 30, 30, 64}));
}

TEST(LocallyConnected, OutputSizesAndStoredShapesFollowKeras) {
  EXPECT_EQ(lc_output_size(7, 3, 2, false), 3u);  // ceil((7 − 3 + 1) / 2)
  EXPECT_EQ(lc_output_size(6, 3, 2, false), 2u);
  EXPECT_EQ(lc_output_size(7, 3, 2, true), 4u);  // ceil(7 / 2)
  EXPECT_EQ(lc_output_size(5, 5, 1, false), 1u);
  Generator gen(2);
  // Channels-first LC2D, 'same', strides (2, 1) on (C=2, 5, 4): output (3, 3, 4).
  const LocallyConnectedOptions cf{
      .strides = {2, 1}, .padding = "SAME", .data_format = "Channels_First", .implementation = 2};
  LocallyConnected2D lc(3, {3, 2}, cf);
  lc.build({2, 5, 4}, gen);
  EXPECT_EQ(lc.output_shape(), (Shape{3, 3, 4}));
  EXPECT_EQ(lc.weights()[0].variable.shape(), (Shape{2, 5, 4, 3, 3, 4}));
  EXPECT_EQ(lc.weights()[1].variable.shape(), (Shape{3, 4, 3}));
  LocallyConnected1D l1(4, 3, {.data_format = "channels_first", .implementation = 2});
  l1.build({2, 9}, gen);
  EXPECT_EQ(l1.output_shape(), (Shape{4, 7}));
  EXPECT_EQ(l1.weights()[0].variable.shape(), (Shape{2, 9, 4, 7}));
  LocallyConnected1D l2(4, 3, {.implementation = 2});
  l2.build({9, 2}, gen);
  EXPECT_EQ(l2.weights()[0].variable.shape(), (Shape{9, 2, 7, 4}));
  // Impl 3: one value per connection; valid, so every position has the full patch.
  LocallyConnected1D l3(4, 3, {.implementation = 3});
  l3.build({9, 2}, gen);
  EXPECT_EQ(l3.weights()[0].variable.shape(), (Shape{7 * 3 * 2 * 4}));
}

TEST(LocallyConnected, WindowsFollowKerasRule) {
  for (const Case& c : all_cases()) {
    SCOPED_TRACE(c.label());
    auto layer = built_layer(c, 1);
    const LcEngine& e = *layer->engine();
    const Dims d = dims(c);
    ASSERT_EQ(e.geometry().positions(), d.OH * d.OW);
    for (std::size_t pr = 0; pr < d.OH; ++pr)
      for (std::size_t pc = 0; pc < d.OW; ++pc) {
        std::vector<std::uint32_t> expected, got;
        for (std::size_t ch = 0; ch < d.C; ++ch)
          for (std::size_t r = 0; r < d.H; ++r)
            for (std::size_t col = 0; col < d.W; ++col)
              if (connected(r, pr, d.H, d.KH, d.SH, c.same()) &&
                  connected(col, pc, d.W, d.KW, d.SW, c.same()))
                expected.push_back(std::uint32_t(in_index(c, d, r, col, ch)));
        std::sort(expected.begin(), expected.end());
        for (const LcTap& t : e.taps(pr * d.OW + pc)) got.push_back(t.input);
        EXPECT_EQ(got, expected) << "position " << pr << ", " << pc;  // ascending, as promised
      }
  }
}

TEST(LocallyConnected, SameWindowsOfEvenKernelsStartHalfAKernelEarly) {
  // keras-format.md: 'same', k = 2, s = 1 on 4 steps: windows [0,1) [0,2) [1,3) [2,4) — not
  // Conv's [0,2) [1,3) [2,4) [3,4).
  Generator gen(3);
  LocallyConnected1D lc(1, 2, {.padding = "same", .implementation = 2});
  lc.build({4, 1}, gen);
  std::vector<std::vector<std::uint32_t>> windows;
  for (std::size_t p = 0; p < 4; ++p) {
    windows.emplace_back();
    for (const LcTap& t : lc.engine()->taps(p)) windows.back().push_back(t.input);
  }
  EXPECT_EQ(windows, (std::vector<std::vector<std::uint32_t>>{{0}, {0, 1}, {1, 2}, {2, 3}}));
}

TEST(LocallyConnected, Impl3OrderIsKerasSortedOutputThenInput) {
  for (const Case& c : all_cases()) {
    SCOPED_TRACE(c.label());
    auto layer = built_layer(c, 2);
    const LcEngine& e = *layer->engine();
    const Dims d = dims(c);
    const std::size_t n_out = d.OH * d.OW * d.F;
    // Connections as Keras' conv_kernel_idxs lists them, then sorted as Keras does.
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    for (std::size_t r = 0; r < d.H; ++r)
      for (std::size_t col = 0; col < d.W; ++col)
        for (std::size_t pr = 0; pr < d.OH; ++pr)
          for (std::size_t pc = 0; pc < d.OW; ++pc)
            if (connected(r, pr, d.H, d.KH, d.SH, c.same()) &&
                connected(col, pc, d.W, d.KW, d.SW, c.same()))
              for (std::size_t ch = 0; ch < d.C; ++ch)
                for (std::size_t f = 0; f < d.F; ++f)
                  pairs.push_back({out_index(c, d, pr, pc, f), in_index(c, d, r, col, ch)});
    std::sort(pairs.begin(), pairs.end());
    ASSERT_EQ(e.connections(), pairs.size());
    // Tag each impl-2 entry with its (input, output) code; impl 3 must list the codes in order.
    Tensor kernel2 = zeros(e.kernel_shape(2));
    std::iota(kernel2.begin(), kernel2.end(), 0.0f);
    const Tensor kernel3 = e.convert_kernel(kernel2, 2, 3);
    for (std::size_t i = 0; i < pairs.size(); ++i)
      ASSERT_EQ(std::size_t(kernel3(i)), pairs[i].second * n_out + pairs[i].first) << i;
  }
}

TEST(LocallyConnected, OneDimensionalIsTwoDimensionalWithUnitRows) {
  for (const Case& c : all_cases()) {
    if (c.rank != 1) continue;
    SCOPED_TRACE(c.label());
    Case c2 = c;
    c2.rank = 2;
    c2.spatial = {1, c.spatial[0]};
    c2.kernel = {1, c.kernel[0]};
    c2.strides = {1, c.strides[0]};
    const LcEnginePtr e1 = built_layer(c, 1)->engine();
    const LcEnginePtr e2 = built_layer(c2, 1)->engine();
    for (int impl : {1, 2, 3})
      EXPECT_EQ(shape_size(e1->kernel_shape(impl)), shape_size(e2->kernel_shape(impl)));
    EXPECT_EQ(shape_size(e1->bias_shape()), shape_size(e2->bias_shape()));
    // Same memory layouts: a kernel tagged with its indices converts identically.
    for (int from : {1, 2, 3})
      for (int to : {1, 2, 3}) {
        Tensor k1 = zeros(e1->kernel_shape(from)), k2 = zeros(e2->kernel_shape(from));
        std::iota(k1.begin(), k1.end(), 1.0f);
        std::iota(k2.begin(), k2.end(), 1.0f);
        const Tensor a = e1->convert_kernel(k1, from, to), b = e2->convert_kernel(k2, from, to);
        EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << from << "→" << to;
      }
    // And the 1-D layer computes what the 2-D layer computes on the same memory.
    for (int impl : {1, 2, 3}) {
      auto l1 = built_layer(c, impl, 5), l2 = built_layer(c2, impl, 5);
      // (Initial values differ: Keras' fans of the impl-2 channels_first shapes differ.)
      for (std::size_t w = 0; w < 2; ++w) {
        Tensor& dst = l2->weights()[w].variable.value();
        const Tensor& src = l1->weights()[w].variable.value();
        std::copy(src.begin(), src.end(), dst.begin());
      }
      const Tensor x = random_input(c, 2, 6);
      Tensor x2 = x;
      Shape s2 = c2.input_shape();
      s2.insert(s2.begin(), 2);
      x2.reshape(s2);
      const Tensor y1 = (*l1)(Variable(x)).value(), y2 = (*l2)(Variable(x2)).value();
      EXPECT_TRUE(xt::allclose(flat(y1), flat(y2))) << impl;
    }
  }
}

TEST(LocallyConnected, PathsMatchTheDefinitions) {
  for (const Case& c : all_cases()) {
    SCOPED_TRACE(c.label());
    const Tensor x = random_input(c, 3, 11);
    Generator gen(12);
    const LcEnginePtr e = built_layer(c, 1)->engine();
    const Tensor kernel1 = gen.uniform(e->kernel_shape(1), -1, 1);
    const Tensor kernel2 = gen.uniform(e->kernel_shape(2), -1, 1);
    const Tensor local = reference_local(c, x, kernel1), dense = reference_dense(c, x, kernel2);
    EXPECT_TRUE(xt::allclose(flat(run_path(c, 1, x, kernel1)), local, 1e-5, 1e-5));
    EXPECT_TRUE(xt::allclose(flat(run_path(c, 2, x, kernel2)), dense, 1e-5, 1e-5));
    EXPECT_TRUE(
        xt::allclose(flat(run_path(c, 3, x, e->convert_kernel(kernel2, 2, 3))), dense, 1e-5, 1e-5));
    // The converters carry the meaning of a kernel between the two definitions.
    EXPECT_TRUE(
        xt::allclose(reference_dense(c, x, e->convert_kernel(kernel1, 1, 2)), local, 1e-5, 1e-5));
    EXPECT_TRUE(
        xt::allclose(reference_local(c, x, e->convert_kernel(kernel2, 2, 1)), dense, 1e-5, 1e-5));
  }
}

TEST(LocallyConnected, ConvertersRoundTripOnConnections) {
  for (const Case& c : all_cases()) {
    SCOPED_TRACE(c.label());
    const LcEnginePtr e = built_layer(c, 1)->engine();
    Generator gen(13);
    const Tensor k2 = gen.uniform(e->kernel_shape(2), -1, 1);
    const Tensor masked = e->convert_kernel(k2, 2, 2);
    EXPECT_EQ(e->convert_kernel(e->convert_kernel(k2, 2, 3), 3, 2), masked);
    EXPECT_EQ(e->convert_kernel(e->convert_kernel(masked, 2, 1), 1, 2), masked);
    const Tensor k3 = gen.uniform(e->kernel_shape(3), -1, 1);
    EXPECT_EQ(e->convert_kernel(e->convert_kernel(k3, 3, 1), 1, 3), k3);
    // Only connections survive the mask: as many nonzeros as impl 3 has values.
    EXPECT_EQ(
        std::size_t(std::count_if(masked.begin(), masked.end(), [](float v) { return v != 0; })),
        e->connections());
  }
}

namespace {

// Runs the paths (1 and others) on the same function (kernels converted from one impl-1 kernel,
// one bias) and compares outputs, input, kernel (converted back to impl 1) and bias gradients;
// the kernel gradient of implementation 2 must be 0 outside its mask.
void expect_paths_agree(const Case& c, std::size_t batch, std::vector<int> paths = {1, 2, 3}) {
  SCOPED_TRACE(c.label());
  const LcEnginePtr engine = built_layer(c, 1)->engine();
  Generator gen(14);
  const Tensor x = random_input(c, batch, 15);
  const Tensor kernel1 = engine->convert_kernel(gen.uniform(engine->kernel_shape(1), -1, 1), 1, 1);
  const Tensor bias = gen.uniform(engine->bias_shape(), -1, 1);
  Tensor seed;
  Tensor outputs[4], dx[4], dkernel1[4], dbias[4];
  for (int path : paths) {
    Variable xv(x, true), kv(engine->convert_kernel(kernel1, 1, path), true), bv(bias, true);
    Variable y = lc_compute(path, xv, kv, &bv, engine);
    if (seed.dimension() == 0) seed = gen.normal(y.shape(), 0, 1);
    y.backward(seed);
    outputs[path] = y.value();
    dx[path] = xv.grad();
    dkernel1[path] = engine->convert_kernel(kv.grad(), path, 1);
    dbias[path] = bv.grad();
    if (path == 2) EXPECT_EQ(kv.grad(), engine->convert_kernel(kv.grad(), 2, 2));
  }
  Tensor expected = reference_local(c, x, kernel1);
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t i = 0; i < bias.size(); ++i) expected(b, i) += bias.data()[i];
  EXPECT_TRUE(xt::allclose(flat(outputs[1]), expected, 1e-4, 1e-5));
  Tensor seed_sum = xt::sum(flat(seed), {0});
  Tensor dbias_flat = dbias[1];
  dbias_flat.reshape({dbias_flat.size()});
  EXPECT_TRUE(xt::allclose(dbias_flat, seed_sum, 1e-4, 1e-5));
  for (int path : paths) {
    if (path == 1) continue;
    SCOPED_TRACE(path);
    EXPECT_TRUE(xt::allclose(outputs[path], outputs[1], 1e-4, 1e-5));
    EXPECT_TRUE(xt::allclose(dx[path], dx[1], 1e-4, 1e-5));
    EXPECT_TRUE(xt::allclose(dkernel1[path], dkernel1[1], 1e-4, 1e-5));
    EXPECT_TRUE(xt::allclose(dbias[path], dbias[1], 1e-4, 1e-5));
  }
}

}  // namespace

TEST(LocallyConnected, ThreePathsGiveTheSameOutputsAndGradients) {
  for (const Case& c : all_cases()) expect_paths_agree(c, 3);
}

TEST(LocallyConnected, ThreePathsAgreeWhenThreaded) {
  // Batch 5 is not a multiple of the SIMD width: transposed products pad it.
  for (const Case& c : threaded_cases())
    for (std::size_t batch : {8, 5}) expect_paths_agree(c, batch);
}

TEST(LocallyConnected, StreamedOutputsAndKernelGradientsAgree) {
  // Outputs and kernel gradients over 2 MiB are written with streaming stores (paths 1 and 3
  // for the output; for the kernel gradient path 1, and path 3 where it reads its block
  // transposed, the second case): 2.0 and 2.1 MiB each here, the first case's patches read in
  // place (one run each), the second's gathered. Path 2's dense kernels would take 0.5 and
  // 0.14 GB.
  expect_paths_agree({1, {700}, 8, 32, {3}, {1}, "valid", "channels_last"}, 24, {1, 3});
  expect_paths_agree({2, {24, 24}, 4, 32, {3, 3}, {1, 1}, "valid", "channels_last"}, 36, {1, 3});
}

namespace {

// Finite differences of the layer's output against its input, kernel and bias.
void expect_lc_gradients_ok(const Case& c, LcImplementation impl, std::size_t batch,
                            std::uint64_t seed) {
  auto layer = built_layer(c, impl);
  auto& weights = layer->weights();
  std::vector<Tensor> inputs = {random_input(c, batch, seed), weights[0].variable.value(),
                                weights[1].variable.value()};
  EXPECT_GRADIENTS_OK(
      [&](const std::vector<Variable>& v) {
        weights[0].variable = v[1];
        weights[1].variable = v[2];
        return (*layer)(v[0]);
      },
      inputs);
}

}  // namespace

TEST(LocallyConnected, GradientRowsCopiedWhereTheyAliasInL1) {
  // 32 positions × 16 filters: a sample's output-gradient row every 2 KiB, so the rows of 24
  // samples fall on 2 of L1's sets and are copied together before the products (copy_rows in
  // locally_connected_paths.cpp); batch 8 reads them in place.
  const Case c{1, {34}, 4, 16, {3}, {1}, "valid", "channels_last"};
  for (std::size_t batch : {24, 8}) {
    expect_paths_agree(c, batch);
    expect_lc_gradients_ok(c, 1, batch, 22);
  }
}

TEST(LocallyConnected, GradientsOfInputKernelAndBias) {
  // Every rank × data_format × padding × implementation (and 'auto', stored as impl 1).
  for (const Case& c : all_cases())
    for (LcImplementation impl : {LcImplementation(1), LcImplementation(2), LcImplementation(3),
                                  LcImplementation("auto")}) {
      SCOPED_TRACE(c.label() + " implementation " + impl.text());
      expect_lc_gradients_ok(c, impl, 2, 21);
    }
}

TEST(LocallyConnected, ChannelsFirstBiasIsReshapedNotTransposed) {
  Generator gen(4);
  LocallyConnected2D lc(2, {2, 2}, {.data_format = "channels_first"},
                        {.kernel_initializer = zeros_initializer()});
  lc.build({1, 3, 4}, gen);  // output (2, 2, 3), bias (2, 3, 2)
  Tensor& bias = lc.weights()[1].variable.value();
  std::iota(bias.begin(), bias.end(), 0.0f);
  const Tensor y = lc(Variable(zeros({1, 1, 3, 4}))).value();
  for (std::size_t i = 0; i < bias.size(); ++i) EXPECT_EQ(y.data()[i], float(i));
}

TEST(LocallyConnected, ActivationAppliesAfterBias) {
  Generator gen(5);
  LocallyConnected1D lc(1, 1, {},
                        {.activation = "relu",
                         .kernel_initializer = zeros_initializer(),
                         .bias_initializer = constant_initializer(-1.0f)});
  lc.build({2, 1}, gen);
  lc.weights()[1].variable.value()(1, 0) = 2.0f;
  const Tensor y = lc(Variable(zeros({1, 2, 1}))).value();
  EXPECT_EQ(y(0, 0, 0), 0.0f);
  EXPECT_EQ(y(0, 1, 0), 2.0f);
}

TEST(LocallyConnected, ReluRunsInsideTheOpAndMatchesReluAfterIt) {
  // activation="relu" is applied by the LocallyConnected op to its output in place (no relu
  // node, no tensor of its own), except on implementation 2's channels_first path, whose bias
  // is an op of its own too; outputs and gradients equal relu after the linear layer's, bit for
  // bit.
  for (const Case& c : all_cases())
    for (int impl : {1, 2, 3}) {
      SCOPED_TRACE(c.label() + " implementation " + std::to_string(impl));
      auto fused = make_layer(c, impl, {.activation = "relu"});
      auto plain = make_layer(c, impl);
      Generator gen(8);
      fused->build(c.input_shape(), gen);
      plain->build(c.input_shape(), gen);
      for (std::size_t i = 0; i < 2; ++i)  // a bias around zero: some outputs cut off
        plain->weights()[i].variable.value() = fused->weights()[i].variable.value() =
            gen.uniform(fused->weights()[i].variable.shape(), -0.5f, 0.5f);
      tessera::testing::expect_relu_inside_matches_relu_after(
          *fused, *plain, random_input(c, 3, 9), gen, impl == 2 && c.channels_first());
    }
}

TEST(LocallyConnected, AutoStoresImplementationOneAndPicksByShape) {
  Generator gen(6);
  LocallyConnected2D big(64, {3, 3}, {.implementation = "auto"});
  big.build({32, 32, 3}, gen);
  EXPECT_EQ(big.weights()[0].variable.shape(), (Shape{900, 27, 64}));
  // The dense kernel would hold 3072 × 57600 values for 1.5M connections.
  EXPECT_EQ(big.compute_path(32).path, 1) << big.compute_path(32).reason;
  // A kernel as large as the input: one position, a dense layer in all but name (10 filters,
  // not a multiple of the SIMD width, so path 1 would call OpenBLAS too and mask nothing less).
  // channels_first: path 1 would transpose its output, path 2 is one product.
  LocallyConnected2D whole(10, {4, 4}, {.data_format = "channels_first", .implementation = "auto"});
  whole.build({2, 4, 4}, gen);
  EXPECT_EQ(whole.compute_path(32).path, 2) << whole.compute_path(32).reason;
  // channels_last: path 2 runs path 1's products on the dense kernel's blocks, so never wins.
  LocallyConnected2D whole_last(10, {4, 4}, {.implementation = "auto"});
  whole_last.build({4, 4, 2}, gen);
  EXPECT_EQ(whole_last.compute_path(32).path, 1) << whole_last.compute_path(32).reason;
}
