// Running the `tessera` tool as a user runs it, in a fresh directory per test: exit status,
// stdout and stderr, and the failure contract every subcommand keeps (exit 1, one stderr line
// "tessera: error: ...", no output file).
#pragma once

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

struct Outcome {
  int status;
  std::string out, err;
};

class CliTest : public TempDirTest {
 protected:
  Outcome run(const std::string& args) const {
    const std::string command = std::string(TESSERA_CLI) + " " + args + " >" + file("stdout") + " 2>" + file("stderr");
    const int raw = std::system(command.c_str());
    Outcome r{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, read(file("stdout")), read(file("stderr"))};
    std::filesystem::remove(file("stdout"));
    std::filesystem::remove(file("stderr"));
    return r;
  }
  static std::string read(const std::string& path) {
    std::ostringstream s;
    s << std::ifstream(path).rdbuf();
    return s.str();
  }
  // Exit 1, one stderr line "tessera: error: ..." containing `part`, and no output file.
  void expect_failure(const std::string& args, const std::string& part) const {
    SCOPED_TRACE(args);
    const Outcome r = run(args);
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err.rfind("tessera: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(part), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(file("y.h5")));
  }
};
