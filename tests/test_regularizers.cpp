// Keras' l1, l2, l1_l2: penalty values (no ½), gradients, configs in both serializer styles.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "grad_test.hpp"
#include "optim/regularizers.hpp"

using namespace tessera;

namespace {

const Tensor kW = {{1.0f, -2.0f}, {3.0f, -4.0f}};  // Σ|w| = 10, Σw² = 30

float penalty(const RegularizerPtr& r) { return (*r)(Variable(kW)).value()(); }

}  // namespace

TEST(Regularizers, Values) {
  EXPECT_FLOAT_EQ(penalty(l1_regularizer(0.1f)), 1.0f);
  EXPECT_FLOAT_EQ(penalty(l2_regularizer(0.01f)), 0.3f);
  EXPECT_FLOAT_EQ(penalty(l1_l2_regularizer(0.1f, 0.01f)), 1.3f);
  EXPECT_FLOAT_EQ(penalty(l1_l2_regularizer(0.0f, 0.0f)), 0.0f);
  EXPECT_FLOAT_EQ(penalty(l2_regularizer()), 0.3f);  // Keras' default factor 0.01
}

TEST(Regularizers, Gradients) {
  // d/dw (a·Σ|w| + b·Σw²) = a·sign(w) + 2b·w; the points stay away from 0.
  const std::vector<Tensor> w = {Tensor{{0.5f, -1.5f, 2.0f}, {-0.3f, 0.8f, -2.5f}}};
  for (const auto& r : {l1_regularizer(0.3f), l2_regularizer(0.2f), l1_l2_regularizer(0.1f, 0.4f)}) {
    SCOPED_TRACE(r->class_name());
    EXPECT_GRADIENTS_OK([r](const std::vector<Variable>& v) { return (*r)(v[0]); }, w);
  }
  Variable v(Tensor{2.0f, -1.0f}, true);
  (*l1_l2_regularizer(0.1f, 0.5f))(v).backward();
  EXPECT_FLOAT_EQ(v.grad()(0), 0.1f + 2.0f);
  EXPECT_FLOAT_EQ(v.grad()(1), -0.1f - 1.0f);
}

TEST(Regularizers, ConfigsAndNames) {
  EXPECT_EQ(regularizer_from_json(Json()), nullptr);
  EXPECT_TRUE(regularizer_to_json(nullptr).is_null());
  for (const auto& r : {l1_regularizer(0.2f), l2_regularizer(0.05f), l1_l2_regularizer(0.1f, 0.3f)}) {
    SCOPED_TRACE(r->class_name());
    const Json keras2 = regularizer_to_json(r);
    EXPECT_EQ(regularizer_to_json(regularizer_from_json(keras2)), keras2);
    Json keras3 = keras2;
    keras3["module"] = "keras.regularizers";
    keras3["registered_name"] = nullptr;
    EXPECT_EQ(regularizer_to_json(regularizer_from_json(keras3)), keras2);
    EXPECT_FLOAT_EQ(penalty(regularizer_from_json(keras3)), penalty(r));
  }
  // Names use Keras' defaults (0.01); old Keras writes every regularizer as L1L2.
  EXPECT_FLOAT_EQ(penalty(regularizer_from_json(Json("l1"))), 0.1f);
  EXPECT_FLOAT_EQ(penalty(regularizer_from_json(Json("l1_l2"))), 0.4f);
  EXPECT_FLOAT_EQ(penalty(regularizer_from_json(
                      Json::parse(R"({"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.5}})"))),
                  15.0f);
  EXPECT_FLOAT_EQ(penalty(regularizer_from_json(Json::parse(R"({"class_name": "L1L2", "config": {}})"))), 0.0f);
  EXPECT_THROW(regularizer_from_json(Json("l3")), std::invalid_argument);
  EXPECT_THROW(l1_regularizer(-1.0f), std::invalid_argument);
}
