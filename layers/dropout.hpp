// Dropout: while training, zeroes each element with probability `rate` and scales the kept ones
// by 1/(1 − rate) (inverted dropout, as Keras); at inference the identity. Rate 1 is accepted
// (Keras loads it) but training with it fails, as in Keras. noise_shape (with the
// batch axis; a 0 entry stands for Keras' None, the input's size) makes the mask broadcast, so
// whole slices drop together. Its draws come from its own stream (layers/noise_layer.hpp).
#pragma once

#include "layers/noise_layer.hpp"

namespace tessera {

class Dropout : public NoiseLayer {
 public:
  explicit Dropout(float rate, std::optional<Shape> noise_shape = std::nullopt,
                   std::optional<std::uint64_t> seed = std::nullopt, std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "Dropout"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

  float rate() const { return rate_; }

 protected:
  // For subclasses: `class_name` names the layer in construction errors (the virtual
  // class_name() is not yet the subclass's while this constructor runs).
  Dropout(float rate, std::optional<Shape> noise_shape, std::optional<std::uint64_t> seed,
          std::string name, const std::string& class_name);
  Variable call(const Variable& x, bool training) override;
  // The mask's shape for an input of `input_shape` (with batch); SpatialDropout overrides it.
  virtual Shape mask_shape(const Shape& input_shape) const;

 private:
  float rate_;
  std::optional<Shape> noise_shape_;
};

// Reads rate, noise_shape and seed from a Dropout-family config (the caller names the layer).
struct DropoutArgs {
  float rate = 0.0f;
  std::optional<Shape> noise_shape;
  std::optional<std::uint64_t> seed;
};
DropoutArgs dropout_args_from_json(const Json& config);

}  // namespace tessera
