// Keras' progress display: a redrawn bar on a terminal (verbose 1), one line per epoch otherwise
// (verbose 2), nothing with verbose 0 — and fit() choosing between them.
#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "io/progress.hpp"
#include "layers/dense.hpp"
#include "layers/sequential.hpp"

using namespace tessera;

TEST(ProgressBar, Verbose1RedrawsABarWithEtaAndRunningLogs) {
  std::ostringstream out;
  ProgressBar bar(3, 1, out);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));  // past the 50 ms redraw limit
  bar.update(1, {{"loss", 0.5}, {"accuracy", 0.25}});
  EXPECT_NE(out.str().find("\r1/3 [=========>....................] - ETA: "), std::string::npos) << out.str();
  EXPECT_NE(out.str().find(" - loss: 0.5000 - accuracy: 0.2500"), std::string::npos) << out.str();
  bar.update(2, {{"loss", 0.4}});  // within 50 ms of the last draw: skipped
  EXPECT_EQ(out.str().find("2/3"), std::string::npos) << out.str();
  bar.finish({{"loss", 0.3}, {"accuracy", 0.5}, {"val_accuracy", 0.4}, {"val_loss", 0.35}});
  const std::string s = out.str();
  EXPECT_NE(s.find("\r3/3 [==============================] - "), std::string::npos) << s;
  EXPECT_NE(s.find("/step - loss: 0.3000 - accuracy: 0.5000 - val_loss: 0.3500 - val_accuracy: 0.4000"), std::string::npos) << s;
  EXPECT_EQ(s.back(), '\n');
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 1);
}

TEST(ProgressBar, Verbose2PrintsOneLineAtTheEndAndVerbose0Nothing) {
  std::ostringstream two, zero;
  ProgressBar line(12, 2, two), silent(12, 0, zero);
  for (std::size_t step = 1; step <= 12; ++step) {
    line.update(step, {{"loss", 1.0 / double(step)}});
    silent.update(step, {{"loss", 1.0}});
  }
  EXPECT_EQ(two.str(), "");
  line.finish({{"loss", 0.125}});
  silent.finish({{"loss", 0.125}});
  const std::string s = two.str();
  EXPECT_EQ(s.rfind("12/12 - ", 0), 0u) << s;
  EXPECT_NE(s.find(" - loss: 0.1250 - "), std::string::npos) << s;
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 1);
  EXPECT_EQ(zero.str(), "");
}

TEST(ProgressBar, SmallValuesUseScientificNotation) {
  EXPECT_EQ(format_log_value(0.12345), "0.1235");
  EXPECT_EQ(format_log_value(0.0), "0.0000");
  EXPECT_EQ(format_log_value(1.5e-5), "1.5000e-05");
}

TEST(ProgressBar, FitPrintsAnEpochHeaderAndOneLinePerEpochWhenNotATerminal) {
  Sequential model("m", 1);
  model.add(std::make_shared<Dense>(1));
  model.build({2});
  model.compile("sgd", "mse");
  const Tensor x = Generator(3).uniform({10, 2}, -1, 1), y = Generator(4).uniform({10, 1}, -1, 1);
  FitOptions options;
  options.epochs = 2;
  options.batch_size = 4;
  options.validation_split = 0.2;
  options.verbose = 2;
  ::testing::internal::CaptureStdout();
  model.fit(x, y, options);
  const std::string s = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(s.find("Epoch 1/2\n2/2 - "), std::string::npos) << s;  // 8 training samples: 2 steps
  EXPECT_NE(s.find("Epoch 2/2\n2/2 - "), std::string::npos) << s;
  EXPECT_NE(s.find(" - val_loss: "), std::string::npos) << s;
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 4);
  options.verbose = 0;
  ::testing::internal::CaptureStdout();
  model.fit(x, y, options);
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
}
