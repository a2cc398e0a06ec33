// io/history: the CSV's columns and rows, the plot through gnuplot, and the errors for a plot
// that cannot be drawn.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "io/history.hpp"
#include "layers/sequential.hpp"
#include "temp_dir.hpp"

using namespace tessera;

namespace {

// Two runs as a comparison writes them; the second has no validation in its first epoch.
HistoryLog two_runs() {
  HistoryLog log;
  log.runs.push_back(
      {"conv",
       {{1, {{"loss", 0.5}, {"accuracy", 0.8}, {"val_loss", 0.4}, {"val_accuracy", 0.85}}, 2.5},
        {2,
         {{"loss", 0.25}, {"accuracy", 0.9}, {"val_loss", 0.3}, {"val_accuracy", 0.875}},
         2.0}}});
  log.runs.push_back({"lc", {{1, {{"loss", 0.75}, {"accuracy", 0.7}}, 1.5}}});
  return log;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class HistoryFiles : public TempDirTest {};

}  // namespace

TEST_F(HistoryFiles, ColumnsAreLossMetricsThenValidation) {
  EXPECT_EQ(two_runs().columns(),
            (std::vector<std::string>{"loss", "accuracy", "val_loss", "val_accuracy"}));
  HistoryLog no_validation;
  no_validation.runs.push_back({"m", {{1, {{"mae", 1.0}, {"loss", 2.0}}, 1.0}}});
  EXPECT_EQ(no_validation.columns(), (std::vector<std::string>{"loss", "mae"}));
}

TEST_F(HistoryFiles, CsvHasOneRowPerEpochOfEveryRun) {
  write_history_csv(two_runs(), file("h.csv"));
  EXPECT_EQ(read_text(file("h.csv")),
            "model,epoch,loss,accuracy,val_loss,val_accuracy,seconds\n"
            "conv,1,0.5,0.8,0.4,0.85,2.5\n"
            "conv,2,0.25,0.9,0.3,0.875,2\n"
            "lc,1,0.75,0.7,,,1.5\n");
  EXPECT_EQ(entries(), 1u);  // no temporary file left
}

TEST_F(HistoryFiles, RecorderNamesTheRunAndCountsEpochsFromOne) {
  HistoryLog log;
  HistoryRecorder recorder(log, "lc2d");
  Sequential model;
  for (std::size_t epoch : {0, 1}) {
    recorder.on_epoch_begin(model, epoch);
    recorder.on_epoch_end(model, epoch, {{"loss", 1.0 / double(epoch + 1)}});
  }
  ASSERT_EQ(log.runs.size(), 1u);
  EXPECT_EQ(log.runs[0].model, "lc2d");
  ASSERT_EQ(log.runs[0].epochs.size(), 2u);
  EXPECT_EQ(log.runs[0].epochs[1].epoch, 2u);
  EXPECT_EQ(log.runs[0].epochs[1].logs.at("loss"), 0.5);
  EXPECT_GE(log.runs[0].epochs[1].seconds, 0.0);
}

TEST_F(HistoryFiles, PlotsSvgAndPngWithGnuplot) {
  if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot-nox is not installed";
  plot_history(two_runs(), file("h.svg"), "two runs");
  const std::string svg = read_text(file("h.svg"));
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  for (const char* label : {"conv loss", "conv val_loss", "lc accuracy", "two runs"})
    EXPECT_NE(svg.find(label), std::string::npos) << label;
  plot_history(two_runs(), file("h.png"), "two runs");
  EXPECT_EQ(read_text(file("h.png")).substr(1, 3), "PNG");
  EXPECT_EQ(entries(), 2u);
}

TEST_F(HistoryFiles, PlotErrorsSayWhatIsWrong) {
  try {
    check_plot_path(file("h.pdf"));
    FAIL() << "a .pdf plot was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("must end in .svg or .png"), std::string::npos)
        << e.what();
  }
  const std::string path = std::getenv("PATH");
  setenv("PATH", dir_.c_str(), 1);  // a PATH without gnuplot
  std::string message;
  try {
    plot_history(two_runs(), file("h.svg"), "t");
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  setenv("PATH", path.c_str(), 1);
  EXPECT_NE(message.find("apt-get install gnuplot-nox"), std::string::npos) << message;
  EXPECT_EQ(entries(), 0u);
}
