#include "io/idx.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include <zlib.h>

namespace tessera {

namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

// Reads exactly n bytes or says how many were missing.
void read_exact(gzFile file, void* into, std::size_t n, const std::string& path,
                const char* what) {
  std::size_t done = 0;
  auto* bytes = static_cast<unsigned char*>(into);
  while (done < n) {
    const unsigned chunk = unsigned(std::min<std::size_t>(n - done, 1u << 30));
    const int got = gzread(file, bytes + done, chunk);
    if (got < 0) {
      int code = 0;
      const char* msg = gzerror(file, &code);
      throw DataError(path + ": corrupt " + what + " (" + msg + ")");
    }
    if (got == 0)
      throw DataError(path + ": truncated " + what + ": expected " + std::to_string(n) +
                      " bytes, got " + std::to_string(done));
    done += std::size_t(got);
  }
}

}  // namespace

Tensor read_idx(const std::string& path, std::size_t limit) {
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) throw DataError(path + ": cannot open: " + std::strerror(errno));
  unsigned char magic[4];
  read_exact(file.get(), magic, 4, path, "header");
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] == 0 || magic[3] > 8)
    throw DataError(path + ": not an unsigned-byte IDX file (magic bytes " +
                    std::to_string(magic[0]) + " " + std::to_string(magic[1]) + " " +
                    std::to_string(magic[2]) + " " + std::to_string(magic[3]) + ")");
  Shape shape(magic[3]);
  for (auto& d : shape) {
    unsigned char be[4];
    read_exact(file.get(), be, 4, path, "header");
    d = (std::size_t(be[0]) << 24) | (std::size_t(be[1]) << 16) | (std::size_t(be[2]) << 8) | be[3];
  }
  if (limit > 0 && limit < shape[0]) shape[0] = limit;
  const std::size_t count = shape_size(shape);
  // Refuse absurd headers before allocating (a corrupt header must not exhaust memory).
  if (count > (std::size_t(1) << 33))
    throw DataError(path + ": header claims " + shape_str(shape) + ", too large to be real");
  std::vector<unsigned char> raw(count);
  read_exact(file.get(), raw.data(), count, path, "data");
  Tensor t = Tensor::from_shape(shape);
  std::copy(raw.begin(), raw.end(), t.begin());
  return t;
}

Dataset load_fashion_mnist(const std::string& split, std::size_t limit, const std::string& dir) {
  if (split != "train" && split != "test")
    throw std::invalid_argument("Fashion-MNIST split must be 'train' or 'test', got '" + split +
                                "'");
  if (!std::filesystem::is_directory(dir))
    throw DataError(dir + ": Fashion-MNIST not found; install it with "
                          "'apt-get install dataset-fashion-mnist'");
  const std::string prefix = dir + "/" + (split == "train" ? "train" : "t10k");
  Dataset data;
  const Tensor images = read_idx(prefix + "-images-idx3-ubyte.gz", limit);
  data.y = read_idx(prefix + "-labels-idx1-ubyte.gz", limit);
  if (images.dimension() != 3 || data.y.dimension() != 1 || images.shape(0) != data.y.shape(0))
    throw DataError(prefix + "-*: images " + shape_str(images) + " and labels " +
                    shape_str(data.y) + " do not match");
  data.x = images / 255.0f;
  data.x.reshape({images.shape(0), images.shape(1), images.shape(2), std::size_t(1)});
  return data;
}

}  // namespace tessera
