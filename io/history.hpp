// Training histories on disk: a CSV of per-epoch logs and their loss/metric curves drawn by
// gnuplot (Debian's gnuplot-nox). A HistoryLog holds one run per model, so programs that train
// several models side by side write one file and one plot.
//
// CSV columns: model, epoch (1-based), loss, the other metrics (sorted), val_loss, the other
// val_* (sorted), seconds (wall time of the epoch, validation included). Both writers are atomic:
// they write a temporary file next to the destination and rename it.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "optim/callbacks.hpp"

namespace tessera {

struct EpochRecord {
  std::size_t epoch = 0;  // 1-based
  Logs logs;
  double seconds = 0.0;
};

struct HistoryRun {
  std::string model;
  std::vector<EpochRecord> epochs;
};

struct HistoryLog {
  std::vector<HistoryRun> runs;
  // The log keys in column order: loss, other metrics, val_loss, other val_*.
  std::vector<std::string> columns() const;
};

// A fit callback appending each epoch's logs and wall time to `log` as a run named `model`.
class HistoryRecorder : public Callback {
 public:
  HistoryRecorder(HistoryLog& log, std::string model);
  void on_epoch_begin(Sequential& model, std::size_t epoch) override;
  void on_epoch_end(Sequential& model, std::size_t epoch, const Logs& logs) override;

 private:
  HistoryLog& log_;
  std::size_t run_;
  std::chrono::steady_clock::time_point start_;
};

void write_history_csv(const HistoryLog& log, const std::string& path);

// The gnuplot executable on PATH, or "" when there is none.
std::string find_gnuplot();
// Throws std::runtime_error unless `path` ends in .svg or .png and gnuplot is installed (the
// message says which Debian package to install). Call it before training.
void check_plot_path(const std::string& path);
// Draws loss (left) and the first metric (right), training solid and validation dashed, one
// colour per run, as SVG or PNG by the extension of `path`. Throws std::runtime_error when
// gnuplot fails, with its exit status.
void plot_history(const HistoryLog& log, const std::string& path, const std::string& title);

}  // namespace tessera
