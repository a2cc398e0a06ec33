#include "cli.hpp"

#include <iostream>

namespace tessera::cli {

bool parse(const std::string& usage, po::options_description& opts, const Args& args,
           po::variables_map& vm) {
  opts.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(opts).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: " << usage << "\n\n" << opts << '\n';
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  return true;
}

namespace {

// The length of the valid UTF-8 sequence starting at s[i] (no overlongs, no surrogates), or 0.
std::size_t utf8_length(const std::string& s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = byte(i);
  const std::size_t n = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  if ((b == 0xE0 && byte(i + 1) < 0xA0) || (b == 0xED && byte(i + 1) >= 0xA0) ||
      (b == 0xF0 && byte(i + 1) < 0x90) || (b == 0xF4 && byte(i + 1) >= 0x90))
    return 0;
  return n;
}

}  // namespace

std::string one_line(const std::string& message) {
  std::string out;
  for (std::size_t i = 0; i < message.size();) {
    const std::size_t n = utf8_length(message, i);
    const unsigned char b = static_cast<unsigned char>(message[i]);
    if (n == 0 || b < 0x20 || b == 0x7F) {
      static const char* hex = "0123456789abcdef";
      out += std::string("\\x") + hex[b >> 4] + hex[b & 15];
      ++i;
    } else {
      out.append(message, i, n);
      i += n;
    }
  }
  return out;
}

std::size_t positive(const po::variables_map& vm, const std::string& key) {
  const long value = vm[key].as<long>();
  if (value <= 0) throw UsageError("--" + key + " must be positive, got " + std::to_string(value));
  return std::size_t(value);
}

}  // namespace tessera::cli
