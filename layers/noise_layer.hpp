// NoiseLayer: the base of the layers that draw random noise while training and are the identity
// at inference (Dropout and its spatial forms, GaussianNoise, GaussianDropout). Each draws from a
// stream of its own (core/random.hpp OwnedGenerator): from `seed` when given, else from the
// model's generator at build, so adding such a layer does not change the draws of the others;
// the seed is part of the Keras config.
#pragma once

#include <optional>

#include "layers/keras_config.hpp"

namespace tessera {

class NoiseLayer : public Layer {
 public:
  Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
  Json get_config() const override;

  // Restarts the layer's random stream from `seed` (it is also written to the config).
  void seed(std::uint64_t seed) { rng_.reseed(seed); }

 protected:
  NoiseLayer(std::optional<std::uint64_t> seed, std::string name);
  void build_weights(const Shape& input_shape, Generator& gen) override;
  Generator& noise() { return rng_.gen(); }

 private:
  OwnedGenerator rng_;
};

}  // namespace tessera
