#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <xtensor/xio.hpp>

#include "core/ops.hpp"
#include "layers/dense.hpp"
#include "layers/registry.hpp"
#include "layers/sequential.hpp"

using namespace tessera;

namespace {

Sequential two_dense(std::uint64_t seed = 1) {
  Sequential model("mlp", seed);
  model.add(std::make_shared<Dense>(5, KernelOptions{.activation = "relu"}));
  model.add(std::make_shared<Dense>(3));
  model.build({4});
  return model;
}

}  // namespace

TEST(Sequential, NamesLayersLikeKeras) {
  Sequential model = two_dense();
  EXPECT_EQ(model.layers()[0]->name(), "dense");
  EXPECT_EQ(model.layers()[1]->name(), "dense_1");
  EXPECT_EQ(&model.layer("dense_1"), model.layers()[1].get());
  EXPECT_THROW(model.layer("conv"), LayerError);
  Sequential other;
  other.add(std::make_shared<Dense>(2, KernelOptions{.name = "out"}));
  EXPECT_THROW(other.add(std::make_shared<Dense>(2, KernelOptions{.name = "out"})), LayerError);
}

TEST(Sequential, BuildsShapesAndCountsParams) {
  Sequential model = two_dense();
  EXPECT_EQ(model.output_shape(), (Shape{3}));
  EXPECT_EQ(model.count_params(), 4u * 5 + 5 + 5 * 3 + 3);
  model.layers()[1]->trainable = false;
  EXPECT_EQ(model.count_trainable_params(), 25u);
  const std::string s = model.summary();
  EXPECT_NE(s.find("dense_1 (Dense)              (None, 3)                 18"), std::string::npos) << s;
  EXPECT_NE(s.find("Total params: 43\nTrainable params: 25\nNon-trainable params: 18"), std::string::npos) << s;
  EXPECT_EQ(thousands(1612800), "1,612,800");
  EXPECT_EQ(thousands(999), "999");
}

TEST(Sequential, SameSeedSameInitialWeights) {
  EXPECT_EQ(two_dense(7).get_weights(), two_dense(7).get_weights());
  EXPECT_NE(two_dense(7).get_weights(), two_dense(8).get_weights());
}

TEST(Sequential, PredictInBatchesEqualsOneForwardPass) {
  Sequential model = two_dense();
  Generator gen(3);
  const Tensor x = gen.uniform({10, 4}, -1, 1);
  const Tensor all = model.forward(Variable(x), false).value();
  EXPECT_TRUE(xt::allclose(model.predict(x, 3), all, 1e-6, 1e-6));
  try {
    model.predict(gen.uniform({10, 5}, -1, 1));
    FAIL() << "no error";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("expected input of shape (None, 4), got (10, 5)"),
              std::string::npos) << e.what();
  }
}

TEST(Sequential, SetWeightsChecksEverythingFirst) {
  Sequential model = two_dense();
  auto w = model.get_weights();
  ASSERT_EQ(w.size(), 4u);
  const auto before = model.get_weights();
  w[0] = zeros({4, 5});
  w[3] = zeros({4});  // wrong shape: nothing may change
  EXPECT_THROW(model.set_weights(w), ShapeError);
  EXPECT_EQ(model.get_weights(), before);
  w[3] = zeros({3});
  model.set_weights(w);
  EXPECT_EQ(model.get_weights()[0], zeros({4, 5}));
  EXPECT_THROW(model.set_weights({}), LayerError);
}

TEST(Sequential, BuildsFromADeclaredInputShape) {
  Sequential model;
  model.add(layer_from_config("Dense", nlohmann::json::parse(
      R"({"name": "d", "units": 2, "batch_input_shape": [null, 6], "activation": "tanh"})")));
  model.build();
  EXPECT_EQ(model.input_shape(), (Shape{6}));
  Sequential empty;
  EXPECT_THROW(empty.build(), LayerError);
  Sequential undeclared;
  undeclared.add(std::make_shared<Dense>(2));
  EXPECT_THROW(undeclared.build(), LayerError);
}

TEST(Sequential, ActivityRegularizerLossIsDividedByBatch) {
  Sequential model("m", 1);
  model.add(std::make_shared<Dense>(2, KernelOptions{.activity_regularizer = l1_regularizer(0.5f)}));
  model.build({3});
  const Tensor x = full({4, 3}, 1.0f);
  std::vector<Variable> losses;
  const Tensor y = model.forward(Variable(x), true, &losses).value();
  ASSERT_EQ(losses.size(), 1u);
  EXPECT_NEAR(losses[0].value()(), 0.5f * xt::sum(xt::abs(y))() / 4.0f, 1e-6f);
}
