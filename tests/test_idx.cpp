// The IDX reader on files written here: good ones, gzipped and plain, and broken ones.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <xtensor/xio.hpp>
#include <xtensor/xmath.hpp>
#include <zlib.h>

#include "io/idx.hpp"

using namespace tessera;
namespace fs = std::filesystem;

namespace {

std::string idx_bytes(const std::vector<std::uint32_t>& dims, std::size_t data_bytes, int type = 8) {
  std::string s = {0, 0, char(type), char(dims.size())};
  for (auto d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) s.push_back(char((d >> shift) & 0xff));
  for (std::size_t i = 0; i < data_bytes; ++i) s.push_back(char(i % 251));
  return s;
}

class Idx : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tessera_idx_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_gz(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), unsigned(bytes.size()));
    gzclose(f);
    return path;
  }
  std::string write_plain(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  fs::path dir_;
};

}  // namespace

TEST_F(Idx, ReadsGzippedAndPlainFiles) {
  const auto bytes = idx_bytes({3, 2, 2}, 12);
  for (const auto& path : {write_gz("a.gz", bytes), write_plain("a.idx", bytes)}) {
    const Tensor t = read_idx(path);
    EXPECT_EQ(shape_of(t), (Shape{3, 2, 2}));
    EXPECT_EQ(t(2, 1, 1), 11.0f);
  }
  EXPECT_EQ(shape_of(read_idx(write_gz("b.gz", bytes), 2)), (Shape{2, 2, 2}));
}

TEST_F(Idx, TruncatedDataNamesTheFileAndTheSizes) {
  const auto path = write_gz("short.gz", idx_bytes({3, 2, 2}, 10));
  try {
    read_idx(path);
    FAIL() << "no error";
  } catch (const DataError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("expected 12 bytes, got 10"), std::string::npos) << msg;
  }
}

TEST_F(Idx, RejectsForeignAndMissingFiles) {
  EXPECT_THROW(read_idx(write_gz("float.gz", idx_bytes({2}, 8, 0x0D))), DataError);
  EXPECT_THROW(read_idx(write_plain("text.idx", "hello, world")), DataError);
  EXPECT_THROW(read_idx(write_plain("empty.idx", "")), DataError);
  EXPECT_THROW(read_idx((dir_ / "absent.gz").string()), DataError);
  // A header that claims terabytes is refused before allocating.
  EXPECT_THROW(read_idx(write_gz("huge.gz", idx_bytes({0xffffffu, 0xffffffu, 0xffffu}, 0))),
               DataError);
}

TEST_F(Idx, FashionMnistLoaderSaysWhichPackageIsMissing) {
  try {
    load_fashion_mnist("train", 0, (dir_ / "nowhere").string());
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("dataset-fashion-mnist"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_fashion_mnist("validation", 0, dir_.string()), std::invalid_argument);
}

TEST_F(Idx, FashionMnistLoaderScalesAndMatchesLabels) {
  write_gz("t10k-images-idx3-ubyte.gz", idx_bytes({4, 28, 28}, 4 * 784));
  write_gz("t10k-labels-idx1-ubyte.gz", idx_bytes({4}, 4));
  const Dataset d = load_fashion_mnist("test", 0, dir_.string());
  EXPECT_EQ(shape_of(d.x), (Shape{4, 28, 28, 1}));
  EXPECT_EQ(shape_of(d.y), (Shape{4}));
  EXPECT_FLOAT_EQ(d.x(0, 0, 1, 0), 1.0f / 255.0f);
  EXPECT_EQ(d.y(3), 3.0f);
  write_gz("t10k-labels-idx1-ubyte.gz", idx_bytes({3}, 3));
  EXPECT_THROW(load_fashion_mnist("test", 0, dir_.string()), DataError);
}

TEST(FashionMnist, RealFilesFromTheDebianPackage) {
  // scripts/test installs dataset-fashion-mnist; read a slice of the real files.
  const Dataset d = load_fashion_mnist("test", 100);
  EXPECT_EQ(shape_of(d.x), (Shape{100, 28, 28, 1}));
  EXPECT_EQ(d.y(0), 9.0f);  // the first test image is an ankle boot
  EXPECT_LE(xt::amax(d.x)(), 1.0f);
}
