// Dropout: while training, zeroes each element with probability `rate` and scales the kept ones
// by 1/(1 − rate) (inverted dropout, as Keras); at inference the identity. Rate 1 is accepted
// (Keras loads it) but training with it fails, as in Keras. noise_shape (with the
// batch axis; a 0 entry stands for Keras' None, the input's size) makes the mask broadcast, so
// whole slices drop together. The layer draws from its own stream (random.hpp OwnedGenerator):
// from `seed` when given, else from the model's generator at build.
#pragma once

#include "layers/keras_config.hpp"

namespace tessera {

class Dropout : public Layer {
 public:
  explicit Dropout(float rate, std::optional<Shape> noise_shape = std::nullopt,
                   std::optional<std::uint64_t> seed = std::nullopt, std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "Dropout"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

  float rate() const { return rate_; }
  // Restarts the layer's random stream from `seed` (it is also written to the config).
  void seed(std::uint64_t seed) { rng_.reseed(seed); }

 protected:
  // For subclasses: `class_name` names the layer in construction errors (the virtual
  // class_name() is not yet the subclass's while this constructor runs).
  Dropout(float rate, std::optional<Shape> noise_shape, std::optional<std::uint64_t> seed,
          std::string name, const std::string& class_name);
  void build_weights(const Shape& input_shape, Generator& gen) override;
  Variable call(const Variable& x, bool training) override;
  // The mask's shape for an input of `input_shape` (with batch); SpatialDropout overrides it.
  virtual Shape mask_shape(const Shape& input_shape) const;

 private:
  float rate_;
  std::optional<Shape> noise_shape_;
  OwnedGenerator rng_;
};

// Reads rate, noise_shape and seed from a Dropout-family config (the caller names the layer).
struct DropoutArgs {
  float rate = 0.0f;
  std::optional<Shape> noise_shape;
  std::optional<std::uint64_t> seed;
};
DropoutArgs dropout_args_from_json(const Json& config);

}  // namespace tessera
