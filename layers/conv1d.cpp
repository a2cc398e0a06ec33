#include "layers/conv1d.hpp"

namespace tessera {

Conv1D::Conv1D(std::size_t filters, std::vector<long> kernel_size, ConvOptions conv,
               KernelOptions options)
    : Conv("Conv1D", 1, filters, kernel_size, std::move(conv), std::move(options)) {}

LayerPtr Conv1D::from_config(const Json& config) {
  return make_from_config<Conv1D>("Conv1D", 1, config);
}

}  // namespace tessera
