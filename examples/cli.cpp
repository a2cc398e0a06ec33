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

std::size_t positive(const po::variables_map& vm, const std::string& key) {
  const long value = vm[key].as<long>();
  if (value <= 0) throw UsageError("--" + key + " must be positive, got " + std::to_string(value));
  return std::size_t(value);
}

}  // namespace tessera::cli
