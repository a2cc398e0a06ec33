// Reader for IDX files (the MNIST family's format), gzipped or plain, and the Fashion-MNIST
// data set as Debian's dataset-fashion-mnist package installs it.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include "core/tensor.hpp"

namespace tessera {

// Any problem with a data file; the message names the file.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads an unsigned-byte IDX file into a float tensor of its shape (values 0..255).
// At most `limit` items (first axis) are read when limit > 0.
Tensor read_idx(const std::string& path, std::size_t limit = 0);

struct Dataset {
  Tensor x;  // (N, 28, 28, 1), values in [0, 1]
  Tensor y;  // (N,), class indices 0..9 as floats
};

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// split is "train" (60,000 images) or "test" (10,000). Throws DataError naming the missing
// or bad file and, when the directory is absent, the Debian package to install.
Dataset load_fashion_mnist(const std::string& split, std::size_t limit = 0,
                           const std::string& dir = kFashionMnistDir);

}  // namespace tessera
