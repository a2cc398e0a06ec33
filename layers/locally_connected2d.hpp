// LocallyConnected2D: Keras' layer on (batch, rows, cols, channels) → (batch, new_rows, new_cols,
// filters) (channels_first: channels before rows and filters before new_rows). Weights: kernel in
// the layout of its implementation (1: (new_rows·new_cols, kernel_rows·kernel_cols·channels,
// filters)), bias (new_rows, new_cols, filters). See locally_connected_layer.hpp for what goes
// beyond Keras.
#pragma once

#include "layers/locally_connected_layer.hpp"

namespace tessera {

// E.g. LocallyConnected2D(64, {3, 3}, {.padding = "same"}, {.activation = "relu"}).
class LocallyConnected2D : public LocallyConnected {
 public:
  LocallyConnected2D(long filters, const LcSizes& kernel_size,
                     const LocallyConnectedOptions& options = {}, KernelOptions kernel = {});
  static LayerPtr from_config(const Json& config);
};

}  // namespace tessera
