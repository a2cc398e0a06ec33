// Keras' progress display for fit/evaluate (keras.utils.Progbar):
//   verbose 1: one line per epoch redrawn in place — " 12/469 [>.....] - ETA: 5s - loss: 0.6123"
//              and at the end "469/469 [=====] - 3s 6ms/step - loss: ... - val_loss: ..."
//   verbose 2: one plain line per epoch — "469/469 - 3s - loss: ... - 6ms/step"
//   verbose 0: nothing.
#pragma once

#include <chrono>
#include <iosfwd>
#include <map>
#include <string>

namespace tessera {

class ProgressBar {
 public:
  ProgressBar(std::size_t steps, int verbose, std::ostream& out);
  // After step `done` (1-based) with the running logs; redraws at most every 50 ms (verbose 1).
  void update(std::size_t done, const std::map<std::string, double>& logs);
  // Ends the line with the epoch's final logs (validation included).
  void finish(const std::map<std::string, double>& logs);

  // 1 when `out` is standard output on a terminal, else 2 (for verbose = -1, "auto").
  static int auto_verbosity();

 private:
  std::string values(const std::map<std::string, double>& logs) const;
  double elapsed() const;

  std::size_t steps_;
  int verbose_;
  std::ostream& out_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::size_t done_ = 0;
};

// "0.6123" or "1.2346e-05", as Keras formats log values.
std::string format_log_value(double v);
// "3s", "250ms", "12us", as Keras formats times.
std::string format_duration(double seconds);

}  // namespace tessera
