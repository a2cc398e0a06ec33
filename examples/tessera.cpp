// The `tessera` command-line tool. Subcommands each parse their own options (Boost.Program_options);
// exit status 0 on success, 2 on a usage error, 1 on any other error, with one line on stderr.
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "core/blas.hpp"
#include "core/version.hpp"

namespace po = boost::program_options;

namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses `args` against `opts`; returns false when --help was printed.
bool parse(const std::string& usage, po::options_description& opts,
           const std::vector<std::string>& args, po::variables_map& vm) {
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

int cmd_info(const std::vector<std::string>& args) {
  po::options_description opts("options");
  po::variables_map vm;
  if (!parse("tessera info", opts, args, vm)) return 0;
  std::cout << "tessera " << tessera::kVersion << '\n'
            << "tensor: float32 xtensor" << (tessera::kUsesXsimd ? " with xsimd" : "") << '\n'
            << "BLAS: OpenBLAS, " << tessera::blas::num_threads() << " thread(s)\n";
  return 0;
}

const std::map<std::string, std::pair<int (*)(const std::vector<std::string>&), const char*>>
    kCommands = {
        {"info", {cmd_info, "print the version and how this build computes"}},
};

void print_help() {
  std::cout << "usage: tessera <command> [options]   (tessera <command> --help for its options)\n\n"
               "commands:\n";
  for (const auto& [name, cmd] : kCommands) std::cout << "  " << name << "  " << cmd.second << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    print_help();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "tessera " << tessera::kVersion << '\n';
    return 0;
  }
  auto it = kCommands.find(args[0]);
  if (it == kCommands.end()) {
    std::cerr << "tessera: error: unknown command '" << args[0] << "' (tessera --help lists them)\n";
    return 2;
  }
  try {
    return it->second.first({args.begin() + 1, args.end()});
  } catch (const UsageError& e) {
    std::cerr << "tessera: error: " << e.what() << " (tessera " << args[0] << " --help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tessera: error: " << e.what() << '\n';
    return 1;
  }
}
