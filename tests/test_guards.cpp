// Guards against data and models that would silently compute garbage or exhaust memory:
// NaN/Inf inputs (core/finite.hpp) and sizes beyond the machine's memory (core/memory_limit.hpp).
#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/finite.hpp"
#include "core/memory_limit.hpp"
#include "io/keras_model.hpp"
#include "layers/dense.hpp"

using namespace tessera;

namespace {

Sequential mlp(std::size_t in, std::size_t hidden) {
  Sequential model("guarded", 1);
  model.add(std::make_shared<Dense>(hidden));
  model.add(std::make_shared<Dense>(2));
  model.build({in});
  return model;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

// Restores the machine's memory limit after a test that set one.
struct MemoryLimit {
  explicit MemoryLimit(std::size_t bytes) { set_memory_limit(bytes); }
  ~MemoryLimit() { set_memory_limit(0); }
};

}  // namespace

TEST(Finite, NamesTheFirstBadValueAndItsIndex) {
  Tensor t = zeros({2, 3, 4});
  EXPECT_NO_THROW(require_finite(t, "x", "hint"));
  t(1, 2, 3) = -INFINITY;
  t(1, 0, 1) = NAN;
  EXPECT_EQ(message_of([&] { require_finite(t, "x", "pass --allow-nan"); }),
            "x contains NaN at index (1, 0, 1); pass --allow-nan");
  t(1, 0, 1) = 0;
  EXPECT_THROW(require_finite(t, "x", ""), NonFiniteError);
  EXPECT_NE(message_of([&] { require_finite(t, "x", ""); }).find("-inf at index (1, 2, 3)"), std::string::npos);
}

TEST(Finite, PredictFitAndEvaluateRefuseNanUnlessAllowed) {
  Sequential model = mlp(3, 4);
  model.compile("sgd", "mse");
  Tensor x = zeros({5, 3}), y = zeros({5, 2});
  x(4, 1) = NAN;
  EXPECT_NE(message_of([&] { model.predict(x); }).find("predict: the input contains NaN at index (4, 1)"), std::string::npos);
  const Tensor out = model.predict(x, 32, /*allow_nan=*/true);
  EXPECT_TRUE(std::isnan(out(4, 0)));
  EXPECT_FALSE(std::isnan(out(0, 0)));

  FitOptions options;
  options.verbose = 0;
  EXPECT_NE(message_of([&] { model.fit(x, y, options); }).find("fit: x contains NaN at index (4, 1)"), std::string::npos);
  x(4, 1) = 0;
  y(2, 0) = INFINITY;
  EXPECT_NE(message_of([&] { model.fit(x, y, options); }).find("fit: y contains inf at index (2, 0)"), std::string::npos);
  const Tensor vx = x, vy = zeros({5, 2}) / 0.0f;
  y(2, 0) = 0;
  options.validation_x = &vx;
  options.validation_y = &vy;
  EXPECT_NE(message_of([&] { model.fit(x, y, options); }).find("fit: validation y contains NaN"), std::string::npos);
  options.allow_nan = true;
  EXPECT_NO_THROW(model.fit(x, y, options));

  x(0, 2) = NAN;
  EXPECT_NE(message_of([&] { model.evaluate(x, y); }).find("evaluate: x contains NaN at index (0, 2)"), std::string::npos);
  EXPECT_TRUE(std::isnan(model.evaluate(x, y, 32, /*allow_nan=*/true).at("loss")));
}

TEST(MemoryLimit, SizesDoNotOverflow) {
  EXPECT_EQ(tensor_bytes({2, 3}), 24u);
  EXPECT_EQ(tensor_bytes({}), 4u);
  EXPECT_EQ(tensor_bytes({std::size_t(1) << 40, std::size_t(1) << 40}), std::numeric_limits<std::size_t>::max());
  EXPECT_GT(memory_limit(), std::size_t(1) << 20);  // the machine's figure is read
}

TEST(MemoryLimit, AModelIsRefusedBeforeItsWeightsAreAllocated) {
  // 2^40 units: 4 TB of kernel, far beyond any test machine; refused, not attempted.
  const std::string huge = message_of([] { mlp(4, std::size_t(1) << 40); });
  EXPECT_NE(huge.find("Dense 'dense': weight 'kernel' of shape (4, 1099511627776) needs 16.0 TB"), std::string::npos) << huge;
  EXPECT_NE(huge.find("of memory available"), std::string::npos) << huge;
}

TEST(MemoryLimit, CountsAllWeightsOfAModelTogether) {
  const MemoryLimit limit(100 * 1000 * 4);  // 100,000 floats
  EXPECT_NO_THROW(mlp(100, 900));           // 90,900 + 1,802 parameters
  // Each weight fits alone, the model does not: the second layer's kernel crosses the limit.
  const std::string total = message_of([] { mlp(100, 990); });
  EXPECT_NE(total.find("Dense 'dense_1': weight 'kernel' of shape (990, 2) needs 7.7 KB (398.3 KB with what is reserved before it)"),
            std::string::npos) << total;
  // A model from a Keras config is checked the same way while it is built.
  EXPECT_NE(message_of([] { model_from_config(Json::parse(R"({"class_name": "Sequential", "config": {"layers": [
                {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 1000]}},
                {"class_name": "Dense", "config": {"units": 1000}}]}})")); }).find("of memory available"),
            std::string::npos);
}
