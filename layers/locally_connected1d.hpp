// LocallyConnected1D: Keras' layer on (batch, steps, input_dim) → (batch, new_steps, filters)
// (channels_first: (batch, input_dim, steps) → (batch, filters, new_steps)). Weights: kernel in
// the layout of its implementation (1: (new_steps, kernel·input_dim, filters)), bias
// (new_steps, filters). See locally_connected_layer.hpp for what goes beyond Keras.
#pragma once

#include "layers/locally_connected_layer.hpp"

namespace tessera {

// E.g. LocallyConnected1D(64, 3, {.strides = 2}).
class LocallyConnected1D : public LocallyConnected {
 public:
  LocallyConnected1D(long filters, const LcSizes& kernel_size,
                     const LocallyConnectedOptions& options = {}, KernelOptions kernel = {});
  static LayerPtr from_config(const Json& config);
};

}  // namespace tessera
