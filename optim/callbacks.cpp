#include "optim/callbacks.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "io/atomic_file.hpp"
#include "io/progress.hpp"
#include "layers/sequential.hpp"

namespace tessera {

namespace {

// The monitored value, or nothing (with one warning, as Keras) when the logs lack it.
bool monitored(const Logs& logs, const std::string& monitor, double& value, const char* who) {
  auto it = logs.find(monitor);
  if (it != logs.end()) {
    value = it->second;
    return true;
  }
  std::string keys;
  for (const auto& [k, v] : logs) keys += (keys.empty() ? "" : ", ") + k;
  std::cerr << "tessera: warning: " << who << " monitors '" << monitor
            << "', which is not available (available: " << keys << ")\n";
  return false;
}

bool improved(double value, double best, double min_delta, bool maximise) {
  return maximise ? value > best + min_delta : value < best - min_delta;
}

double worst(bool maximise) {
  return maximise ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
}

}  // namespace

bool monitor_maximises(const std::string& monitor, const std::string& mode) {
  if (mode == "max") return true;
  if (mode == "min") return false;
  if (mode != "auto") throw std::invalid_argument("mode must be 'auto', 'min' or 'max', got '" + mode + "'");
  return monitor.find("acc") != std::string::npos || monitor.find("auc") != std::string::npos;
}

EarlyStopping::EarlyStopping(EarlyStoppingOptions options)
    : options_(std::move(options)), maximise_(monitor_maximises(options_.monitor, options_.mode)) {}

void EarlyStopping::on_train_begin(Sequential&) {
  best_ = worst(maximise_);
  wait_ = stopped_epoch_ = best_epoch_ = 0;
  best_weights_.clear();
}

void EarlyStopping::on_epoch_end(Sequential& model, std::size_t epoch, const Logs& logs) {
  double value;
  if (epoch < options_.start_from_epoch || !monitored(logs, options_.monitor, value, "EarlyStopping"))
    return;
  if (options_.restore_best_weights && best_weights_.empty()) best_weights_ = model.get_weights();
  ++wait_;
  if (improved(value, best_, std::fabs(options_.min_delta), maximise_)) {
    best_ = value;
    best_epoch_ = epoch;
    if (options_.restore_best_weights) best_weights_ = model.get_weights();
    wait_ = 0;
    return;
  }
  if (wait_ >= options_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    model.stop_training = true;
  }
}

void EarlyStopping::on_train_end(Sequential& model) {
  // Keras restores the best weights only when it stopped early.
  if (stopped_epoch_ > 0 && options_.restore_best_weights && !best_weights_.empty())
    model.set_weights(best_weights_);
}

ReduceLROnPlateau::ReduceLROnPlateau(ReduceLROnPlateauOptions options)
    : options_(std::move(options)), maximise_(monitor_maximises(options_.monitor, options_.mode)) {
  if (options_.factor >= 1.0f) throw std::invalid_argument("ReduceLROnPlateau: factor must be < 1");
}

void ReduceLROnPlateau::on_train_begin(Sequential&) {
  best_ = worst(maximise_);
  wait_ = cooldown_left_ = 0;
}

void ReduceLROnPlateau::on_epoch_end(Sequential& model, std::size_t, const Logs& logs) {
  double value;
  if (!monitored(logs, options_.monitor, value, "ReduceLROnPlateau")) return;
  if (cooldown_left_ > 0) {
    --cooldown_left_;
    wait_ = 0;
  }
  if (improved(value, best_, options_.min_delta, maximise_)) {
    best_ = value;
    wait_ = 0;
  } else if (cooldown_left_ == 0 && ++wait_ >= options_.patience) {
    const float lr = model.optimizer().learning_rate();
    if (lr > options_.min_lr) {
      model.optimizer().set_learning_rate(std::max(lr * options_.factor, options_.min_lr));
      cooldown_left_ = options_.cooldown;
      wait_ = 0;
    }
  }
}

CSVLogger::CSVLogger(std::string path, char separator, bool append)
    : path_(std::move(path)), separator_(separator), append_(append) {}

// Every write replaces the whole log atomically (io/atomic_file.hpp): a run killed mid-epoch
// leaves the rows of the epochs before, never half a row. The log is small, so rewriting it
// each epoch costs nothing.
void CSVLogger::on_train_begin(Sequential&) {
  keys_.clear();
  if (!append_ || !std::filesystem::exists(path_)) write_file_atomically(path_, "");
}

void CSVLogger::on_epoch_end(Sequential&, std::size_t epoch, const Logs& logs) {
  std::ostringstream previous, out;
  previous << std::ifstream(path_).rdbuf();  // an empty log sets previous's failbit, not out's
  out << previous.str();
  if (keys_.empty()) {
    for (const auto& [k, v] : logs) keys_.push_back(k);
    if (previous.str().empty()) {
      out << "epoch";
      for (const auto& k : keys_) out << separator_ << k;
      out << '\n';
    }
  }
  out << epoch;
  for (const auto& k : keys_) {
    auto it = logs.find(k);
    out << separator_;
    if (it != logs.end()) out << it->second;
  }
  out << '\n';
  write_file_atomically(path_, out.str());
}

void LearningRateScheduler::on_epoch_begin(Sequential& model, std::size_t epoch) {
  const float lr = schedule_(epoch, model.optimizer().learning_rate());
  if (!std::isfinite(lr)) throw std::invalid_argument("LearningRateScheduler: schedule gave a non-finite rate");
  model.optimizer().set_learning_rate(lr);
}

void TerminateOnNaN::on_batch_end(Sequential& model, std::size_t step, const Logs& logs) {
  auto it = logs.find("loss");
  if (it == logs.end() || std::isfinite(it->second)) return;
  message_ = "TerminateOnNaN: loss became " + format_log_value(it->second) + " at epoch " +
             std::to_string(epoch_ + 1) + ", step " + std::to_string(step + 1) + "; training stopped";
  // On standard output, as Keras' print_msg; a caller treating the stop as an error reports message().
  std::cout << message_ << '\n';
  model.stop_training = true;
}

ModelCheckpoint::ModelCheckpoint(std::string path, Saver save, ModelCheckpointOptions options)
    : path_(std::move(path)), save_(std::move(save)), options_(std::move(options)),
      maximise_(monitor_maximises(options_.monitor, options_.mode)) {}

void ModelCheckpoint::on_train_begin(Sequential&) { best_ = worst(maximise_); }

void ModelCheckpoint::on_epoch_end(Sequential& model, std::size_t epoch, const Logs& logs) {
  if (options_.save_best_only) {
    double value;
    if (!monitored(logs, options_.monitor, value, "ModelCheckpoint") ||
        !improved(value, best_, 0.0, maximise_))
      return;
    best_ = value;
  }
  std::string path = path_;
  const auto at = path.find("{epoch}");
  if (at != std::string::npos) path.replace(at, 7, std::to_string(epoch + 1));
  save_(model, path);
}

}  // namespace tessera
