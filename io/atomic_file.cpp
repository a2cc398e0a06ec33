#include "io/atomic_file.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace tessera {

namespace fs = std::filesystem;

std::string temporary_path(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  const fs::path p(path);
  fs::path name(".");
  name += p.filename();
  name += ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  return (p.parent_path() / name).string();
}

std::error_code replace_file(const std::string& temporary, const std::string& path) {
  std::error_code error;
  // Without the fsync a crash of the machine (not of the process) right after the rename can
  // leave an empty file under the destination's name on some file systems.
  const int fd = ::open(temporary.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) error = std::error_code(errno, std::generic_category());
  if (fd >= 0) ::close(fd);
  if (!error) fs::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
  }
  return error;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string temporary = temporary_path(path);
  bool written;
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    written = bool(out << content) && bool(out.flush());
  }
  const std::error_code error = written ? replace_file(temporary, path) : std::make_error_code(std::errc::io_error);
  std::error_code ignored;
  if (!written) fs::remove(temporary, ignored);
  if (error) throw std::runtime_error(path + ": cannot write (" + error.message() + ")");
}

}  // namespace tessera
