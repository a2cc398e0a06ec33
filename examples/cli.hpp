// Shared by the `tessera` tool's subcommands: option parsing and the usage-error type. A
// subcommand takes its arguments (after the command name) and returns the exit status; it
// throws UsageError for a usage error (exit 2) and anything else for other errors (exit 1).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace tessera::cli {

namespace po = boost::program_options;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Args = std::vector<std::string>;

// Parses `args` against `opts` (adding --help); returns false when --help was printed.
// Throws UsageError for unknown, missing or malformed options.
bool parse(const std::string& usage, po::options_description& opts, const Args& args,
           po::variables_map& vm);

// An error message as one printable line: file contents end up in messages (layer names,
// JSON excerpts), and a newline, control character or invalid UTF-8 must not garble stderr.
// Control characters and bytes that are not valid UTF-8 become \xNN escapes.
std::string one_line(const std::string& message);

// The value of a long option `key` that must be positive; throws UsageError naming it.
std::size_t positive(const po::variables_map& vm, const std::string& key);

int summary(const Args& args);
int predict(const Args& args);
int fit(const Args& args);
int evaluate(const Args& args);
int bench(const Args& args);

}  // namespace tessera::cli
