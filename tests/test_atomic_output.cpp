// Output files appear whole or not at all (io/atomic_file.hpp): a saving process killed with
// SIGKILL mid-write leaves the file it was replacing intact and loadable, and its leftover
// temporary is never taken for the model. Covers every writer: models and weights (H5Writer,
// also behind ModelCheckpoint and `tessera predict`'s output) and CSVLogger.
#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "io/atomic_file.hpp"
#include "io/keras_model.hpp"
#include "layers/dense.hpp"
#include "temp_dir.hpp"

using namespace tessera;

namespace {

class AtomicOutput : public TempDirTest {
 protected:
  // The hidden temporary files next to `name` (".name.tmp-<pid>-<n>").
  std::vector<std::filesystem::path> temporaries(const std::string& name) const {
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(dir_))
      if (entry.path().filename().string().rfind("." + name + ".tmp-", 0) == 0) found.push_back(entry.path());
    return found;
  }
};

Sequential dense_stack(const std::string& name, std::size_t layers, std::size_t units) {
  Sequential model(name, 3);
  for (std::size_t i = 0; i < layers; ++i) model.add(std::make_shared<Dense>(units));
  model.build({units});
  return model;
}

}  // namespace

TEST_F(AtomicOutput, AKilledSaveLeavesThePreviousModelIntact) {
  save_model(dense_stack("previous", 2, 4), file("m.h5"));
  const auto previous = load_model(file("m.h5")).get_weights();
  // 300 layers of 64×64 (5 MB in 600 datasets): the save takes long enough to be caught mid-write.
  const Sequential big = dense_stack("big", 300, 64);

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    save_model(big, file("m.h5"));
    _exit(0);
  }
  // Kill as soon as the temporary holds 1 MB: the writer is in the middle of the weights.
  bool caught = false;
  for (int i = 0; i < 20000 && !caught; ++i) {
    for (const auto& t : temporaries("m.h5")) {
      std::error_code error;
      caught = caught || std::filesystem::file_size(t, error) >= (1u << 20);
    }
    if (!caught) std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(caught) << "the save was not seen in progress";
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the saver finished before the kill";

  // The previous model is still there, whole; the killed writer's temporary (which it had no
  // chance to remove) is hidden beside it and is not a model.
  const Sequential loaded = load_model(file("m.h5"));
  EXPECT_EQ(loaded.name(), "previous");
  EXPECT_EQ(loaded.get_weights(), previous);
  const auto left = temporaries("m.h5");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(entries(), 2u);
  EXPECT_THROW(load_model(left[0].string()), KerasFormatError);
  // The next save goes through and replaces the model.
  save_model(dense_stack("next", 1, 4), file("m.h5"));
  EXPECT_EQ(load_model(file("m.h5")).name(), "next");
}

TEST_F(AtomicOutput, AFailedWriteLeavesNothingBehind) {
  write_file_atomically(file("log.csv"), "old\n");
  write_file_atomically(file("log.csv"), "new\n");
  std::ifstream in(file("log.csv"));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "new");
  EXPECT_EQ(entries(), 1u);
  EXPECT_THROW(write_file_atomically(file("no/dir/log.csv"), "x"), std::runtime_error);
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicOutput, CsvLoggerRewritesItsLogWholeEachEpoch) {
  Sequential model = dense_stack("fit", 1, 2);
  model.compile("sgd", "mse", {});
  const Tensor x = Generator(1).uniform({4, 2}, -1, 1);
  FitOptions options;
  options.epochs = 2;
  options.verbose = 0;
  options.callbacks = {std::make_shared<CSVLogger>(file("log.csv"), ',', /*append=*/true)};
  model.fit(x, x, options);
  model.fit(x, x, options);  // appends below the first run's rows, without a second header
  std::ifstream in(file("log.csv"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "epoch,loss");
  EXPECT_EQ(lines[4].substr(0, 2), "1,");
  EXPECT_EQ(entries(), 1u);  // no temporary left
}
