// The HDF5 writer: what it writes is read back exactly, in the storage kinds Keras 2 with h5py 3
// writes, with Keras' chunking of long lists, and atomically.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "io/hdf5.hpp"
#include "io/hdf5_writer.hpp"
#include "temp_dir.hpp"
#include "keras_files.hpp"

using namespace tessera;

namespace {

using keras_files::kData;

using Hdf5Write = TempDirTest;

std::vector<std::string> names(std::size_t n, std::size_t length) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::string s = "layer_" + std::to_string(i);
    out.push_back(s + std::string(length - s.size(), 'x'));
  }
  return out;
}

}  // namespace

TEST_F(Hdf5Write, WritesDatasetsAndAttributesTheReaderReadsBack) {
  Tensor kernel = Tensor::from_shape({2, 3, 4});
  for (std::size_t i = 0; i < kernel.size(); ++i) kernel.data()[i] = 0.25f * float(i) - 1.0f;
  Tensor scalar = Tensor::from_shape({});
  scalar() = 3.5f;
  {
    H5Writer w(file("a.h5"));
    w.write_string("/", "keras_version", "2.15.0", Charset::utf8);
    w.write_string("/", "model_config", "{\"name\": \"é\"}", Charset::ascii);
    w.create_group("/model_weights");
    w.write_string_list("/model_weights", "layer_names", {"lc", "flatten"});
    w.create_group("/model_weights/flatten");
    w.write_string_list("/model_weights/flatten", "weight_names", {});
    w.write_tensor("/model_weights/lc/lc/kernel:0", kernel);  // creates lc and lc/lc
    w.write_tensor("/step", scalar);
    w.commit();
  }
  H5File f(file("a.h5"));
  EXPECT_EQ(f.read_string("/", "keras_version"), "2.15.0");
  EXPECT_EQ(f.read_string("/", "model_config"), "{\"name\": \"é\"}");
  EXPECT_EQ(f.read_string_list("/model_weights", "layer_names"), (std::vector<std::string>{"lc", "flatten"}));
  EXPECT_TRUE(f.read_string_list("/model_weights/flatten", "weight_names").empty());
  EXPECT_EQ(f.read_tensor("/model_weights/lc/lc/kernel:0"), kernel);
  EXPECT_EQ(f.read_tensor("/step")(), 3.5f);
  EXPECT_TRUE(f.is_group("/model_weights/lc/lc"));
  // The storage kinds h5py 3 gives Keras' str, bytes, lists of bytes and [].
  EXPECT_EQ(f.describe("/", "keras_version"), "string(variable, utf8) scalar");
  EXPECT_EQ(f.describe("/", "model_config"), "string(variable, ascii) scalar");
  EXPECT_EQ(f.describe("/model_weights", "layer_names"), "string(variable, ascii) (2,)");
  EXPECT_EQ(f.describe("/model_weights/flatten", "weight_names"), "float64 (0,)");
  EXPECT_EQ(f.describe("/model_weights/lc/lc/kernel:0"), "float32 (2, 3, 4)");
  EXPECT_EQ(f.describe("/step"), "float32 scalar");
}

TEST_F(Hdf5Write, StorageKindsMatchAFileKerasWrote) {
  // lc2d_impl3_cl.h5 was written by Keras 2.15 with h5py 3.
  H5File keras(kData + "/lc2d_impl3_cl.h5");
  {
    H5Writer w(file("ours.h5"));
    w.write_string("/", "backend", "tensorflow", Charset::utf8);
    w.write_string("/", "model_config", "{}", Charset::ascii);
    w.create_group("/model_weights");
    w.write_string("/model_weights", "backend", "tensorflow", Charset::ascii);
    w.write_string_list("/model_weights", "layer_names", {"lc_b", "flatten", "dense"});
    w.create_group("/model_weights/flatten");
    w.write_string_list("/model_weights/flatten", "weight_names", {});
    w.create_group("/model_weights/dense");
    w.write_string_list("/model_weights/dense", "weight_names", {"dense/kernel:0", "dense/bias:0"});
    w.commit();
  }
  H5File ours(file("ours.h5"));
  for (const auto& [object, attribute] : std::vector<std::pair<std::string, std::string>>{
           {"/", "backend"}, {"/", "model_config"}, {"/model_weights", "backend"},
           {"/model_weights", "layer_names"}, {"/model_weights/flatten", "weight_names"},
           {"/model_weights/dense", "weight_names"}})
    EXPECT_EQ(ours.describe(object, attribute), keras.describe(object, attribute)) << object << " " << attribute;
}

TEST_F(Hdf5Write, SplitsLongListsLikeKeras) {
  // 3000 names of 30 bytes: 90,000 bytes as fixed-length strings, over the 64,512-byte limit,
  // so numpy.array_split(2) → two chunks of 1500, each a fixed-length byte-string array.
  const auto many = names(3000, 30);
  // 5 names of 20,000 bytes: two chunks (3 + 2, array_split puts the extra one first).
  const auto long_ones = names(5, 20000);
  const auto short_list = names(10, 30);
  {
    H5Writer w(file("chunks.h5"));
    w.write_string_list("/", "layer_names", many);
    w.create_group("/g");
    w.write_string_list("/g", "weight_names", long_ones);
    w.write_string_list("/g", "short", short_list);
    w.commit();
  }
  H5File f(file("chunks.h5"));
  EXPECT_FALSE(f.has_attribute("/", "layer_names"));
  EXPECT_EQ(f.describe("/", "layer_names0"), "string(30, ascii) (1500,)");
  EXPECT_EQ(f.describe("/", "layer_names1"), "string(30, ascii) (1500,)");
  EXPECT_FALSE(f.has_attribute("/", "layer_names2"));
  EXPECT_EQ(f.read_string_list("/", "layer_names"), many);
  EXPECT_EQ(f.describe("/g", "weight_names0"), "string(20000, ascii) (3,)");
  EXPECT_EQ(f.describe("/g", "weight_names1"), "string(20000, ascii) (2,)");
  EXPECT_EQ(f.read_string_list("/g", "weight_names"), long_ones);
  EXPECT_EQ(f.describe("/g", "short"), "string(variable, ascii) (10,)");
}

TEST_F(Hdf5Write, RefusesAStringNoChunkCanHold) {
  try {
    H5Writer w(file("big.h5"));
    w.write_string_list("/", "layer_names", {"a", std::string(70000, 'b')});
    FAIL() << "no error";
  } catch (const H5Error& e) {
    EXPECT_NE(std::string(e.what()).find("70000 bytes"), std::string::npos) << e.what();
  }
  EXPECT_EQ(entries(), 0u);
}

TEST_F(Hdf5Write, IsAtomic) {
  const std::string path = file("model.h5");
  std::ofstream(path) << "the old file";
  {
    H5Writer w(path);
    w.write_tensor("/y", Tensor::from_shape({3}));
    // Destroyed without commit, as when an error interrupts a save.
  }
  EXPECT_EQ(entries(), 1u);  // no temporary file left behind
  std::string old;
  std::getline(std::ifstream(path), old);
  EXPECT_EQ(old, "the old file");

  H5Writer w(path);
  w.write_tensor("/y", Tensor::from_shape({3}));
  EXPECT_THROW(w.write_tensor("/y", Tensor::from_shape({3})), H5Error);  // exists already
  EXPECT_THROW(w.create_group("/y"), H5Error);
  w.commit();
  EXPECT_THROW(w.write_tensor("/z", Tensor::from_shape({3})), H5Error);  // committed
  EXPECT_EQ(entries(), 1u);
  EXPECT_EQ(H5File(path).dataset_shape("/y"), (Shape{3}));
}

TEST_F(Hdf5Write, ErrorsNameTheFile) {
  try {
    H5Writer w(file("no/such/dir/m.h5"));
    FAIL() << "no error";
  } catch (const H5Error& e) {
    EXPECT_NE(std::string(e.what()).find("no/such/dir/m.h5"), std::string::npos) << e.what();
  }
  EXPECT_THROW(H5Writer w(dir_.string()), H5Error);  // a directory
  H5Writer w(file("m.h5"));
  EXPECT_THROW(w.write_string("/missing", "a", "b", Charset::ascii), H5Error);
}
