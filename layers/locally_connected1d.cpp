#include "layers/locally_connected1d.hpp"

namespace tessera {

LocallyConnected1D::LocallyConnected1D(long filters, const LcSizes& kernel_size,
                                       const LocallyConnectedOptions& options, KernelOptions kernel)
    : LocallyConnected("LocallyConnected1D", 1, filters, kernel_size, options, std::move(kernel)) {}

LayerPtr LocallyConnected1D::from_config(const Json& config) {
  Arguments a = arguments_from_json("LocallyConnected1D", 1, config);
  auto layer = std::make_shared<LocallyConnected1D>(a.filters, a.kernel_size, a.options, a.kernel);
  apply_base_config(*layer, config);
  return layer;
}

}  // namespace tessera
