#include "layers/locally_connected2d.hpp"

namespace tessera {

LocallyConnected2D::LocallyConnected2D(long filters, const LcSizes& kernel_size,
                                       const LocallyConnectedOptions& options, KernelOptions kernel)
    : LocallyConnected("LocallyConnected2D", 2, filters, kernel_size, options, std::move(kernel)) {}

LayerPtr LocallyConnected2D::from_config(const Json& config) {
  Arguments a = arguments_from_json("LocallyConnected2D", 2, config);
  auto layer = std::make_shared<LocallyConnected2D>(a.filters, a.kernel_size, a.options, a.kernel);
  apply_base_config(*layer, config);
  return layer;
}

}  // namespace tessera
