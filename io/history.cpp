#include "io/history.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace tessera {

namespace fs = std::filesystem;

namespace {

bool is_validation(const std::string& key) { return key.rfind("val_", 0) == 0; }

std::string extension_of(const std::string& path) { return fs::path(path).extension().string(); }

// A name next to `path` that no other writer uses, renamed over `path` when complete.
std::string temporary_for(const std::string& path) {
  return path + ".part" + std::to_string(getpid());
}

void rename_over(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) {
    fs::remove(from, ec);
    throw std::runtime_error("cannot write " + to + ": " + ec.message());
  }
}

// A gnuplot single-quoted string.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// One datablock per run: epoch, then the columns (missing values as '?').
std::string datablocks(const HistoryLog& log, const std::vector<std::string>& columns) {
  std::ostringstream s;
  s.precision(8);
  for (std::size_t r = 0; r < log.runs.size(); ++r) {
    s << "$run" << r << " << EOD\n";
    for (const auto& e : log.runs[r].epochs) {
      s << e.epoch;
      for (const auto& c : columns) {
        const auto it = e.logs.find(c);
        if (it == e.logs.end())
          s << " ?";
        else
          s << ' ' << it->second;
      }
      s << '\n';
    }
    s << "EOD\n";
  }
  return s.str();
}

// `plot` of `key` and val_`key` for every run (gnuplot columns are 1-based; 1 is the epoch).
std::string curves(const HistoryLog& log, const std::vector<std::string>& columns,
                   const std::string& key) {
  std::string plot = "plot";
  for (std::size_t r = 0; r < log.runs.size(); ++r)
    for (const std::string& k : {key, "val_" + key}) {
      const auto at = std::find(columns.begin(), columns.end(), k);
      const auto& epochs = log.runs[r].epochs;
      if (std::none_of(epochs.begin(), epochs.end(),
                       [&](const auto& e) { return e.logs.count(k); }))
        continue;
      const std::string& model = log.runs[r].model;
      plot += std::string(plot == "plot" ? " " : ", ") + "$run" + std::to_string(r) +
              " using 1:" + std::to_string(at - columns.begin() + 2) +
              " with linespoints linecolor " + std::to_string(r + 1) + " dashtype " +
              (k == key ? "1" : "2") + " title " +
              quoted(log.runs.size() > 1 ? model + " " + k : k);
    }
  return plot + "\n";
}

}  // namespace

std::vector<std::string> HistoryLog::columns() const {
  std::set<std::string> train, validation;
  for (const auto& run : runs)
    for (const auto& e : run.epochs)
      for (const auto& [k, v] : e.logs)
        if (k != "loss" && k != "val_loss") (is_validation(k) ? validation : train).insert(k);
  std::vector<std::string> out{"loss"};
  out.insert(out.end(), train.begin(), train.end());
  bool any_validation = !validation.empty();
  for (const auto& run : runs)
    for (const auto& e : run.epochs) any_validation = any_validation || e.logs.count("val_loss");
  if (any_validation) out.push_back("val_loss");
  out.insert(out.end(), validation.begin(), validation.end());
  return out;
}

HistoryRecorder::HistoryRecorder(HistoryLog& log, std::string model)
    : log_(log), run_(log.runs.size()) {
  log_.runs.push_back({std::move(model), {}});
}

void HistoryRecorder::on_epoch_begin(Sequential&, std::size_t) {
  start_ = std::chrono::steady_clock::now();
}

void HistoryRecorder::on_epoch_end(Sequential&, std::size_t epoch, const Logs& logs) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  log_.runs[run_].epochs.push_back({epoch + 1, logs, seconds});
}

void write_history_csv(const HistoryLog& log, const std::string& path) {
  const auto columns = log.columns();
  const std::string temporary = temporary_for(path);
  {
    std::ofstream out(temporary);
    if (!out) throw std::runtime_error("cannot write " + path + ": cannot create " + temporary);
    out.precision(8);
    out << "model,epoch";
    for (const auto& c : columns) out << ',' << c;
    out << ",seconds\n";
    for (const auto& run : log.runs)
      for (const auto& e : run.epochs) {
        out << run.model << ',' << e.epoch;
        for (const auto& c : columns) {
          out << ',';
          if (const auto it = e.logs.find(c); it != e.logs.end()) out << it->second;
        }
        out << ',' << e.seconds << '\n';
      }
    if (!out.flush()) throw std::runtime_error("cannot write " + path);
  }
  rename_over(temporary, path);
}

std::string find_gnuplot() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / "gnuplot";
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

void check_plot_path(const std::string& path) {
  const std::string ext = extension_of(path);
  if (ext != ".svg" && ext != ".png")
    throw std::runtime_error("plot " + path + ": the file name must end in .svg or .png");
  if (find_gnuplot().empty())
    throw std::runtime_error("plot " + path +
                             ": gnuplot is not installed (on Debian: apt-get install gnuplot-nox)");
}

void plot_history(const HistoryLog& log, const std::string& path, const std::string& title) {
  check_plot_path(path);
  const auto columns = log.columns();
  std::string metric;
  for (const auto& c : columns)
    if (c != "loss" && !is_validation(c) && metric.empty()) metric = c;

  std::size_t last_epoch = 0;
  for (const auto& run : log.runs)
    for (const auto& e : run.epochs) last_epoch = std::max(last_epoch, e.epoch);

  const std::string temporary = temporary_for(path);
  std::ostringstream script;
  script << (extension_of(path) == ".svg" ? "set terminal svg size 960,400 dynamic noenhanced "
                                            "background rgb 'white' font 'sans,12'\n"
                                          : "set terminal pngcairo size 960,400 noenhanced "
                                            "background rgb 'white' font 'sans,10'\n")
         << "set output " << quoted(temporary) << "\n"
         << "set datafile missing '?'\nset grid\nset key outside bottom center horizontal\n"
         << "set xrange [0.5:" << last_epoch << ".5]\n"
         << (last_epoch <= 20 ? "set xtics 1\n" : "") << datablocks(log, columns)
         << "set multiplot layout 1," << (metric.empty() ? 1 : 2) << " title " << quoted(title)
         << "\n"
         << "set title 'loss by epoch'\n"
         << curves(log, columns, "loss");
  if (!metric.empty())
    script << "set title " << quoted(metric + " by epoch") << "\n" << curves(log, columns, metric);
  script << "unset multiplot\nset output\n";

  FILE* gnuplot = popen("gnuplot", "w");
  if (!gnuplot) throw std::runtime_error("plot " + path + ": cannot start gnuplot");
  const std::string text = script.str();
  const bool written = std::fwrite(text.data(), 1, text.size(), gnuplot) == text.size();
  const int status = pclose(gnuplot);
  if (!written || status != 0 || !fs::exists(temporary) || fs::file_size(temporary) == 0) {
    std::error_code ec;
    fs::remove(temporary, ec);
    throw std::runtime_error("plot " + path + ": gnuplot failed (exit status " +
                             std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  }
  rename_over(temporary, path);
}

}  // namespace tessera
