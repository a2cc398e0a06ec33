#include "core/memory_limit.hpp"

#include <atomic>
#include <cstdio>
#include <fstream>
#include <limits>

#include <unistd.h>

namespace tessera {

namespace {

std::atomic<std::size_t> user_limit{0};
thread_local MemoryBudget* innermost = nullptr;

constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();

std::size_t machine_memory() {
  std::ifstream meminfo("/proc/meminfo");
  unsigned long long kb = 0;
  for (std::string line; std::getline(meminfo, line);)
    if (std::sscanf(line.c_str(), "MemAvailable: %llu kB", &kb) == 1) return std::size_t(kb) * 1024;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? std::size_t(pages) * std::size_t(page) : kNoLimit;
}

std::string human(std::size_t bytes) {
  if (bytes == kNoLimit) return "more than 2^64 bytes";
  const char* units[] = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
  double value = double(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 6) value /= 1024, ++unit;
  char s[32];
  std::snprintf(s, sizeof s, unit ? "%.1f %s" : "%.0f %s", value, units[unit]);
  return s;
}

}  // namespace

std::size_t tensor_bytes(const Shape& shape) {
  std::size_t bytes = sizeof(float);
  for (std::size_t d : shape)
    if (__builtin_mul_overflow(bytes, d, &bytes)) return kNoLimit;
  return bytes;
}

std::size_t memory_limit() {
  const std::size_t user = user_limit.load();
  return user ? user : machine_memory();
}

void set_memory_limit(std::size_t bytes) { user_limit = bytes; }

void reserve_memory(const Shape& shape, const std::string& what) {
  const std::size_t bytes = tensor_bytes(shape), before = innermost ? innermost->reserved_ : 0;
  std::size_t total;
  if (__builtin_add_overflow(before, bytes, &total)) total = kNoLimit;
  const std::size_t limit = memory_limit();
  if (total > limit)
    throw ResourceError(what + " of shape " + shape_str(shape) + " needs " + human(bytes) +
                        (before ? " (" + human(total) + " with what is reserved before it)" : "") +
                        ", more than the " + human(limit) + " of memory available");
  if (innermost) innermost->reserved_ = total;
}

MemoryBudget::MemoryBudget() : outer_(innermost) { innermost = this; }

MemoryBudget::~MemoryBudget() { innermost = outer_; }

}  // namespace tessera
