// Writing HDF5 files as Keras 2 with h5py 3 writes them (Keras 2.11–2.15, the files in
// ../shared/fixtures): float32 datasets, scalar variable-length string attributes, and list
// attributes stored the way Keras' save_attributes_to_hdf5_group stores them.
//
// Saving is atomic: everything goes to a temporary file in the destination's directory, and
// commit() renames it over the destination. A writer destroyed without commit() (an error on
// the way) removes its temporary file, so the destination is never half-written and a file
// already there stays as it was. Every error is an H5Error naming the file and the object.
#pragma once

#include <string>
#include <vector>

#include "core/tensor.hpp"
#include "io/hdf5.hpp"

namespace tessera {

// h5py 3 stores a Python str as UTF-8 and bytes as ASCII; Keras writes both kinds.
enum class Charset { ascii, utf8 };

class H5Writer {
 public:
  // Keras' limit on an attribute's size before it splits a list (h5py's object header limit).
  static constexpr std::size_t kAttributeLimit = 64512;

  explicit H5Writer(const std::string& path);
  ~H5Writer();
  H5Writer(const H5Writer&) = delete;
  H5Writer& operator=(const H5Writer&) = delete;

  const std::string& path() const { return path_; }

  // Creates a group and any missing groups above it; throws when it exists already.
  void create_group(const std::string& group);
  // A float32 dataset of the tensor's shape, creating missing groups above it (Keras' weight
  // names contain a '/': "dense/dense/kernel:0").
  void write_tensor(const std::string& dataset, const Tensor& value);
  // A scalar variable-length string attribute of `object` ("/" for the root).
  void write_string(const std::string& object, const std::string& name, const std::string& value,
                    Charset charset);
  // A list of strings as Keras writes layer_names and weight_names: a 1-D variable-length ASCII
  // array; an empty list as an empty float64 array (numpy's default dtype for []); a list
  // whose fixed-length form (count × longest) exceeds kAttributeLimit split into name0, name1,
  // ... as numpy.array_split does, each chunk a fixed-length byte-string array.
  void write_string_list(const std::string& object, const std::string& name,
                         const std::vector<std::string>& values);

  // Closes the file and renames it to path(); after this the writer accepts no more writes.
  void commit();

 private:
  [[noreturn]] void fail(const std::string& what) const;
  long long file() const;

  std::string path_, temp_path_;
  long long id_ = -1;
};

}  // namespace tessera
