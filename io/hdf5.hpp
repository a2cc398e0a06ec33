// Reading HDF5 files as Keras writes them (HDF5 C library). Every error is an H5Error naming the
// file and the object; nothing here crashes on a foreign or corrupt file.
//
// Strings come in every storage kind found in the wild: fixed-length (h5py 2), variable-length
// ASCII or UTF-8 (h5py 3), scalar or 1-D; list attributes larger than 64 KB are split by Keras
// into name0, name1, ...; an empty float64 array means an empty list.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace tessera {

class H5Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class H5File {
 public:
  // Opens for reading; throws H5Error when missing or not HDF5.
  explicit H5File(const std::string& path);
  ~H5File();
  H5File(const H5File&) = delete;
  H5File& operator=(const H5File&) = delete;

  const std::string& path() const { return path_; }
  bool exists(const std::string& object) const;  // a group or dataset at this path
  bool is_group(const std::string& object) const;
  std::vector<std::string> children(const std::string& group) const;  // in creation/name order

  // A numeric dataset (any integer or float type) as float32, with its shape.
  Tensor read_tensor(const std::string& dataset) const;
  Shape dataset_shape(const std::string& dataset) const;

  bool has_attribute(const std::string& object, const std::string& name) const;
  // A string attribute (scalar or 1-element array).
  std::string read_string(const std::string& object, const std::string& name) const;
  // A list of strings, joining Keras' chunks name0, name1, ... when `name` itself is absent.
  std::vector<std::string> read_string_list(const std::string& object, const std::string& name) const;

  // The attribute names of an object, in name order.
  std::vector<std::string> attribute_names(const std::string& object) const;
  // How an attribute (or, with an empty `attribute`, a dataset) is stored: type and shape, e.g.
  // "string(variable, utf8) scalar", "string(7, ascii) (2,)", "float64 (0,)", "float32 (4, 6)".
  // Lets callers check that a file follows the layout another program expects.
  std::string describe(const std::string& object, const std::string& attribute = "") const;

 private:
  std::string path_;
  long long id_ = -1;
};

}  // namespace tessera
