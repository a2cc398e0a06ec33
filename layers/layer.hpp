// The base of every layer: a Keras layer's name, weights (in Keras' order and layouts), build,
// forward pass on the autodiff tape, and Keras config.
//
// Contract: shapes passed to build/compute_output_shape exclude the batch axis, as Keras'
// input_shape does; tensors passed to operator() include it. A layer is built once; its
// weights are Variables the model trains in place; constraints run after each optimizer step.
// Errors are LayerError: "<ClassName> '<name>': <what>, expected <..>, got <..>".
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/autodiff.hpp"
#include "core/random.hpp"
#include "optim/constraints.hpp"
#include "optim/initializers.hpp"
#include "optim/regularizers.hpp"

namespace tessera {

using Json = nlohmann::json;

class LayerError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A layer's variable with what Keras attaches to it.
struct Weight {
  std::string name;  // Keras' short name: "kernel", "bias", "gamma", "moving_mean", ...
  Variable variable;
  bool trainable = true;
  RegularizerPtr regularizer;  // may be null
  ConstraintPtr constraint;    // may be null
};

class Layer {
 public:
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  virtual std::string class_name() const = 0;  // Keras' class name: "Dense"
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  // Creates the weights for `input_shape` (no batch axis) and fixes the output shape.
  void build(const Shape& input_shape, Generator& gen);
  bool built() const { return built_; }
  const Shape& input_shape() const { return input_shape_; }
  const Shape& output_shape() const { return output_shape_; }

  // The output shape (no batch axis) for `input_shape`; throws LayerError when it does not fit.
  virtual Shape compute_output_shape(const Shape& input_shape) const = 0;

  // Forward pass on a batch. `training` turns on dropout, noise and batch statistics. Checks
  // that the layer is built and that x (minus its batch axis) has the built input shape.
  Variable operator()(const Variable& x, bool training = false);

  // Weights in Keras' order (as get_weights() and the .h5 file list them).
  std::vector<Weight>& weights() { return weights_; }
  const std::vector<Weight>& weights() const { return weights_; }
  std::size_t count_params() const;
  std::size_t count_trainable_params() const;

  bool trainable = true;
  RegularizerPtr activity_regularizer;  // applied by the model to this layer's output
  // The input shape (no batch axis) a Keras config declared on this layer (batch_input_shape,
  // or an InputLayer's shape); a Sequential model builds from its first layer's.
  std::optional<Shape> declared_input_shape;

  // Keras' config: the base writes name, trainable and dtype; layers add their own keys.
  virtual Json get_config() const;

 protected:
  explicit Layer(std::string name = "") : name_(std::move(name)) {}

  // Override to create weights with add_weight; the default creates none.
  virtual void build_weights(const Shape& input_shape, Generator& gen);
  virtual Variable call(const Variable& x, bool training) = 0;

  Variable add_weight(const std::string& name, const Shape& shape, const InitializerPtr& init,
                      Generator& gen, RegularizerPtr regularizer = nullptr,
                      ConstraintPtr constraint = nullptr, bool trainable = true);
  // The stored variable of weight `name`; throws if there is none.
  Variable& weight(const std::string& name);

  // Throws LayerError "<ClassName> '<name>': <what>".
  [[noreturn]] void fail(const std::string& what) const;

 private:
  std::string name_;
  bool built_ = false;
  Shape input_shape_, output_shape_;
  std::vector<Weight> weights_;
};

using LayerPtr = std::shared_ptr<Layer>;

// Keras' automatic name stem: "LocallyConnected2D" → "locally_connected2d".
std::string keras_snake_case(const std::string& class_name);

}  // namespace tessera
