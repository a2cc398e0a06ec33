// The `tessera` command-line tool. Subcommands each parse their own options (Boost.Program_options,
// examples/cli.hpp) and live in examples/cli_*.cpp; exit status 0 on success, 2 on a usage error,
// 1 on any other error, with one line on stderr.
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cli.hpp"
#include "core/blas.hpp"
#include "core/version.hpp"

namespace {

using tessera::cli::Args;

int info(const Args& args) {
  tessera::cli::po::options_description opts("options");
  tessera::cli::po::variables_map vm;
  if (!tessera::cli::parse("tessera info", opts, args, vm)) return 0;
  std::cout << "tessera " << tessera::kVersion << '\n'
            << "tensor: float32 xtensor" << (tessera::kUsesXsimd ? " with xsimd" : "") << '\n'
            << "BLAS: OpenBLAS, " << tessera::blas::num_threads() << " thread(s)\n";
  return 0;
}

const std::map<std::string, std::pair<int (*)(const Args&), const char*>> kCommands = {
    {"bench", {tessera::cli::bench, "time a layer: GFLOP/s, roofline bound, peak memory"}},
    {"info", {info, "print the version and how this build computes"}},
    {"summary", {tessera::cli::summary, "print the Keras summary of a model file"}},
    {"predict", {tessera::cli::predict, "write a model's outputs for inputs in an HDF5 file"}},
    {"fit", {tessera::cli::fit, "train a model file on arrays in an HDF5 file and save it"}},
    {"evaluate", {tessera::cli::evaluate, "print a model's loss and metrics on arrays in an HDF5 file"}},
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
  } catch (const tessera::cli::UsageError& e) {
    std::cerr << "tessera: error: " << tessera::cli::one_line(e.what()) << " (tessera " << args[0] << " --help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tessera: error: " << tessera::cli::one_line(e.what()) << '\n';
    return 1;
  }
}
