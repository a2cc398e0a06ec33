// The HDF5 reader on files written by Keras itself and on foreign files.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <xtensor/xio.hpp>

#include "io/hdf5.hpp"
#include "keras_files.hpp"

using namespace tessera;

namespace {
using keras_files::kData;
}

TEST(Hdf5, ReadsVariableLengthUtf8AndAsciiStrings) {
  // Written by Keras 2.15 / h5py 3: variable-length strings, UTF-8 and ASCII.
  H5File f(kData + "/lc2d_impl3_cl.h5");
  EXPECT_EQ(f.read_string("/", "keras_version"), "2.15.0");
  const auto config = nlohmann::json::parse(f.read_string("/", "model_config"));
  EXPECT_EQ(config["class_name"], "Sequential");
  EXPECT_EQ(f.read_string_list("/model_weights", "layer_names"),
            (std::vector<std::string>{"lc_b", "flatten", "dense"}));
  EXPECT_TRUE(f.read_string_list("/model_weights/flatten", "weight_names").empty());
}

TEST(Hdf5, ReadsFixedLengthStringsOfOldKeras) {
  // Written by Keras 2.x / h5py 2: null-padded fixed-length strings ("dense\0\0").
  H5File f(kData + "/real-keras/ReLU_0_model.h5");
  EXPECT_EQ(f.read_string_list("/model_weights", "layer_names"),
            (std::vector<std::string>{"dense", "re_lu_1"}));
  EXPECT_EQ(f.read_string_list("/model_weights/dense", "weight_names"),
            (std::vector<std::string>{"dense/kernel:0", "dense/bias:0"}));
  EXPECT_TRUE(f.read_string_list("/model_weights/re_lu_1", "weight_names").empty());
}

TEST(Hdf5, ReadsDatasetsAsFloat) {
  H5File f(kData + "/lc2d_impl3_cl.h5");
  const Tensor bias = f.read_tensor("/model_weights/dense/dense/bias:0");
  EXPECT_EQ(shape_of(bias), (Shape{4}));
  EXPECT_EQ(f.dataset_shape("/model_weights/dense/dense/kernel:0").size(), 2u);
  H5File io(kData + "/lc2d_impl3_cl.io.h5");
  EXPECT_EQ(shape_of(io.read_tensor("x")).back(), 2u);
  EXPECT_TRUE(f.is_group("/model_weights/dense"));
  EXPECT_FALSE(f.exists("/model_weights/nothing/deeper"));
  const auto names = f.children("/model_weights");
  EXPECT_NE(std::find(names.begin(), names.end(), "lc_b"), names.end());
}

TEST(Hdf5, ErrorsNameTheFileAndTheObject) {
  H5File f(kData + "/lc2d_impl3_cl.h5");
  try {
    f.read_tensor("/model_weights/dense/dense/gamma:0");
    FAIL() << "no error";
  } catch (const H5Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("lc2d_impl3_cl.h5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("gamma:0"), std::string::npos) << msg;
  }
  EXPECT_THROW(f.read_tensor("/model_weights"), H5Error);
  EXPECT_THROW(f.read_string("/", "no_such_attribute"), H5Error);
  EXPECT_THROW(f.read_string_list("/model_weights/dense", "keras_version"), H5Error);
  EXPECT_THROW(H5File(kData + "/does_not_exist.h5"), H5Error);
}

TEST(Hdf5, RefusesFilesThatAreNotHdf5) {
  const auto path = std::filesystem::temp_directory_path() / "tessera_not_hdf5.h5";
  std::ofstream(path) << "this is not HDF5";
  try {
    H5File f(path.string());
    FAIL() << "no error";
  } catch (const H5Error& e) {
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos) << e.what();
  }
  // A truncated copy of a real file.
  const auto truncated = std::filesystem::temp_directory_path() / "tessera_truncated.h5";
  std::filesystem::copy_file(kData + "/lc2d_impl3_cl.h5", truncated,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(truncated, 3000);
  EXPECT_THROW({ H5File g(truncated.string()); g.read_tensor("/model_weights/dense/dense/kernel:0"); },
               H5Error);
  std::filesystem::remove(path);
  std::filesystem::remove(truncated);
}
