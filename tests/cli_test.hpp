// Running the `tessera` tool as a user runs it, in a fresh directory per test: exit status,
// stdout and stderr, and the failure contract every subcommand keeps (exit 1, one stderr line
// "tessera: error: ...", no output file). Cli adds a small model (m.h5; c.h5 the same model
// compiled) and arrays for it (x.h5: x, inputs/dense_input, wide; data.h5: x and targets y).
#pragma once

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>

#include <gtest/gtest.h>

#include "io/hdf5.hpp"
#include "io/hdf5_writer.hpp"
#include "io/keras_model.hpp"
#include "keras_files.hpp"
#include "layers/dense.hpp"
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

class Cli : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    using namespace tessera;
    Sequential model("mlp", 1);
    model.add(std::make_shared<Dense>(5, KernelOptions{.activation = "relu"}));
    model.add(std::make_shared<Dense>(3));
    model.build({4});
    save_model(model, file("m.h5"));
    model.compile("sgd", "mse", {"mae"});
    save_model(model, file("c.h5"));
    x_ = Generator(5).uniform({7, 4}, -1, 1);
    expected_ = model.predict(x_);
    H5Writer w(file("x.h5"));
    w.write_tensor("/x", x_);
    w.write_tensor("/inputs/dense_input", x_);
    w.write_tensor("/wide", Generator(5).uniform({7, 5}, -1, 1));
    w.commit();
    H5Writer data(file("data.h5"));
    data.write_tensor("x", x_);
    data.write_tensor("y", Generator(6).uniform({7, 3}, -1, 1));
    data.commit();
  }

  tessera::Tensor x_, expected_;
};
