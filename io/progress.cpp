#include "io/progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <vector>

#include <unistd.h>

namespace tessera {

std::string format_log_value(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, std::fabs(v) >= 1e-3 || v == 0.0 ? "%.4f" : "%.4e", v);
  return buf;
}

std::string format_duration(double seconds) {
  char buf[32];
  if (seconds >= 1.0)
    std::snprintf(buf, sizeof buf, "%.0fs", seconds);
  else if (seconds >= 1e-3)
    std::snprintf(buf, sizeof buf, "%.0fms", seconds * 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0fus", seconds * 1e6);
  return buf;
}

int ProgressBar::auto_verbosity() { return isatty(STDOUT_FILENO) ? 1 : 2; }

ProgressBar::ProgressBar(std::size_t steps, int verbose, std::ostream& out)
    : steps_(steps), verbose_(verbose), out_(out), start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double ProgressBar::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

// In Keras' order: loss, then metrics, then the same for validation ("val_loss", "val_...").
std::string ProgressBar::values(const std::map<std::string, double>& logs) const {
  auto rank = [](const std::string& k) { return 2 * (k.rfind("val_", 0) == 0) + (k != "loss" && k != "val_loss"); };
  std::vector<std::pair<std::string, double>> ordered(logs.begin(), logs.end());
  std::stable_sort(ordered.begin(), ordered.end(),
                   [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
  std::string s;
  for (const auto& [k, v] : ordered) s += " - " + k + ": " + format_log_value(v);
  return s;
}

void ProgressBar::update(std::size_t done, const std::map<std::string, double>& logs) {
  done_ = done;
  if (verbose_ != 1) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < steps_ && now - last_draw_ < std::chrono::milliseconds(50)) return;
  last_draw_ = now;
  const std::string count = std::to_string(steps_);
  const std::string step = std::to_string(done);
  const std::size_t width = 30, filled = steps_ ? width * done / steps_ : width;
  std::string bar(filled, '=');
  if (filled < width) {
    if (filled > 0) bar.back() = '>';
    bar += std::string(width - filled, '.');
  }
  const double eta = done ? elapsed() / double(done) * double(steps_ - done) : 0.0;
  out_ << '\r' << std::string(count.size() - std::min(count.size(), step.size()), ' ') << step << '/'
       << count << " [" << bar << "] - ETA: " << format_duration(eta) << values(logs) << "\033[K"
       << std::flush;
}

void ProgressBar::finish(const std::map<std::string, double>& logs) {
  if (verbose_ == 0) return;
  const double t = elapsed();
  const double per_step = done_ ? t / double(done_) : 0.0;
  const std::string count = std::to_string(steps_);
  if (verbose_ == 1)
    out_ << '\r' << count << '/' << count << " [" << std::string(30, '=') << "] - "
         << format_duration(t) << ' ' << format_duration(per_step) << "/step" << values(logs)
         << "\033[K\n";
  else
    out_ << count << '/' << count << " - " << format_duration(t) << values(logs) << " - "
         << format_duration(per_step) << "/step\n";
  out_ << std::flush;
}

}  // namespace tessera
