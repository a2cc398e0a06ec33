// Keras' max_norm, non_neg, unit_norm, min_max_norm: values with axis (negative and several),
// configs in both serializer styles and old names.
#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <xtensor/xio.hpp>
#include <xtensor/xmath.hpp>

#include "optim/constraints.hpp"

using namespace tessera;

namespace {

Tensor applied(const ConstraintPtr& c, Tensor w) {
  c->apply(w);
  return w;
}

constexpr float kEps = 1e-7f;

}  // namespace

TEST(Constraints, MaxNormPerColumnByDefault) {
  // Columns have norms 5 and 0.5: the first is scaled to 2, the second is kept.
  const Tensor w = {{3.0f, 0.3f}, {4.0f, 0.4f}, {0.0f, 0.0f}};
  const Tensor out = applied(max_norm_constraint(2.0f), w);
  const Tensor expected = {{3.0f * 2 / (5 + kEps), 0.3f * 0.5f / (0.5f + kEps)},
                           {4.0f * 2 / (5 + kEps), 0.4f * 0.5f / (0.5f + kEps)},
                           {0.0f, 0.0f}};
  EXPECT_TRUE(xt::allclose(out, expected, 1e-6, 1e-7)) << out;
}

TEST(Constraints, NegativeAndSeveralAxes) {
  // axis -1 on (2, 2): per row.
  const Tensor rows = applied(max_norm_constraint(1.0f, {-1}), Tensor{{3.0f, 4.0f}, {0.6f, 0.0f}});
  EXPECT_TRUE(xt::allclose(rows, Tensor{{0.6f, 0.8f}, {0.6f, 0.0f}}, 1e-6)) << rows;
  // axis (0, 1) on a (2, 2, 2) conv-like kernel: one norm per last index.
  Tensor k = Tensor::from_shape({2, 2, 2});
  for (std::size_t i = 0; i < 8; ++i) k.data()[i] = float(i + 1);
  const Tensor out = applied(unit_norm_constraint({0, 1}), k);
  for (std::size_t f = 0; f < 2; ++f) {
    double n = 0, n_out = 0;
    for (std::size_t i = f; i < 8; i += 2) n += double(k.data()[i]) * k.data()[i];
    n = std::sqrt(n);
    for (std::size_t i = f; i < 8; i += 2) {
      EXPECT_NEAR(out.data()[i], k.data()[i] / (n + kEps), 1e-6);
      n_out += double(out.data()[i]) * out.data()[i];
    }
    EXPECT_NEAR(n_out, 1.0, 1e-5);
  }
  // The same axes written negatively, and a list with one axis, give the same result.
  EXPECT_EQ(applied(unit_norm_constraint({-3, -2}), k), out);
  EXPECT_THROW(max_norm_constraint(1.0f, {}), std::invalid_argument);
  EXPECT_THROW(applied(max_norm_constraint(1.0f, {2}), full({1, 1}, 1.0f)), ShapeError);
}

TEST(Constraints, NonNegAndMinMaxNorm) {
  EXPECT_EQ(applied(non_neg_constraint(), Tensor{-1.0f, 0.0f, 2.0f}), (Tensor{0.0f, 0.0f, 2.0f}));
  // Norms 0.5 (below 1), 1.5 (inside) and 5 (above 2); rate 0.5 moves halfway.
  const Tensor w = {{0.3f, 0.9f, 3.0f}, {0.4f, 1.2f, 4.0f}};
  const Tensor out = applied(min_max_norm_constraint(1.0f, 2.0f, 0.5f), w);
  const float desired[] = {0.75f, 1.5f, 3.5f}, norms[] = {0.5f, 1.5f, 5.0f};
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t c = 0; c < 3; ++c)
      EXPECT_NEAR(out(r, c), w(r, c) * desired[c] / (norms[c] + kEps), 1e-6);
}

TEST(Constraints, ConfigsAndNames) {
  EXPECT_EQ(constraint_from_json(Json()), nullptr);
  EXPECT_TRUE(constraint_to_json(nullptr).is_null());
  const std::vector<ConstraintPtr> all = {max_norm_constraint(3.0f, {0, 1}), non_neg_constraint(),
                                          unit_norm_constraint({-1}),
                                          min_max_norm_constraint(0.5f, 1.5f, 0.25f, {1})};
  const Tensor w = {{0.3f, -0.9f, 3.0f}, {0.4f, 1.2f, -4.0f}};
  for (const auto& c : all) {
    SCOPED_TRACE(c->class_name());
    const Json keras2 = constraint_to_json(c);
    EXPECT_EQ(constraint_to_json(constraint_from_json(keras2)), keras2);
    Json keras3 = keras2;
    keras3["module"] = "keras.constraints";
    keras3["registered_name"] = nullptr;
    const ConstraintPtr read = constraint_from_json(keras3);
    EXPECT_EQ(constraint_to_json(read), keras2);
    EXPECT_EQ(applied(read, w), applied(c, w));
  }
  EXPECT_EQ(constraint_to_json(max_norm_constraint(3.0f, {0, 1}))["config"]["axis"], Json::parse("[0, 1]"));
  EXPECT_EQ(constraint_to_json(unit_norm_constraint({-1}))["config"]["axis"], -1);
  // Old names and Keras' defaults (max_value 2, axis 0).
  EXPECT_EQ(constraint_from_json(Json("maxnorm"))->class_name(), "MaxNorm");
  EXPECT_EQ(constraint_from_json(Json("nonneg"))->class_name(), "NonNeg");
  EXPECT_EQ(constraint_from_json(Json("unitnorm"))->class_name(), "UnitNorm");
  EXPECT_EQ(constraint_to_json(constraint_from_json(Json("max_norm")))["config"],
            Json::parse(R"({"max_value": 2.0, "axis": 0})"));
  EXPECT_THROW(constraint_from_json(Json("radial")), std::invalid_argument);
}
