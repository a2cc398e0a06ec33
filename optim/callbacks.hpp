// Keras' training callbacks. fit() calls them in Keras' order: on_train_begin, then per epoch
// on_epoch_begin, on_batch_end after every step, on_epoch_end with the epoch's logs (loss,
// metrics, val_*), and on_train_end. A callback stops training by setting
// model.stop_training.
#pragma once

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace tessera {

class Sequential;
using Logs = std::map<std::string, double>;

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(Sequential&) {}
  virtual void on_epoch_begin(Sequential&, std::size_t /*epoch*/) {}
  virtual void on_batch_end(Sequential&, std::size_t /*step*/, const Logs&) {}
  virtual void on_epoch_end(Sequential&, std::size_t /*epoch*/, const Logs&) {}
  virtual void on_train_end(Sequential&) {}
};
using CallbackPtr = std::shared_ptr<Callback>;

// Keras' "auto" mode: maximise metrics named like accuracy/auc, minimise everything else.
bool monitor_maximises(const std::string& monitor, const std::string& mode);

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  float min_delta = 0.0f;
  std::size_t patience = 0;
  std::string mode = "auto";
  bool restore_best_weights = false;
  std::size_t start_from_epoch = 0;
};

class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});
  void on_train_begin(Sequential& model) override;
  void on_epoch_end(Sequential& model, std::size_t epoch, const Logs& logs) override;
  void on_train_end(Sequential& model) override;
  std::size_t stopped_epoch() const { return stopped_epoch_; }  // 0 when it did not stop
  std::size_t best_epoch() const { return best_epoch_; }

 private:
  EarlyStoppingOptions options_;
  bool maximise_;
  double best_ = 0.0;
  std::size_t wait_ = 0, stopped_epoch_ = 0, best_epoch_ = 0;
  std::vector<Tensor> best_weights_;
};

struct ReduceLROnPlateauOptions {
  std::string monitor = "val_loss";
  float factor = 0.1f;
  std::size_t patience = 10;
  std::string mode = "auto";
  float min_delta = 1e-4f;
  std::size_t cooldown = 0;
  float min_lr = 0.0f;
};

class ReduceLROnPlateau : public Callback {
 public:
  explicit ReduceLROnPlateau(ReduceLROnPlateauOptions options = {});
  void on_train_begin(Sequential& model) override;
  void on_epoch_end(Sequential& model, std::size_t epoch, const Logs& logs) override;

 private:
  ReduceLROnPlateauOptions options_;
  bool maximise_;
  double best_ = 0.0;
  std::size_t wait_ = 0, cooldown_left_ = 0;
};

// Writes one CSV row per epoch: epoch, then the logs' keys in sorted order (as Keras).
class CSVLogger : public Callback {
 public:
  explicit CSVLogger(std::string path, char separator = ',', bool append = false);
  void on_train_begin(Sequential& model) override;
  void on_epoch_end(Sequential& model, std::size_t epoch, const Logs& logs) override;

 private:
  std::string path_;
  char separator_;
  bool append_;
  std::vector<std::string> keys_;
};

// Sets the learning rate at each epoch start from schedule(epoch, current_lr).
class LearningRateScheduler : public Callback {
 public:
  using Schedule = std::function<float(std::size_t epoch, float lr)>;
  explicit LearningRateScheduler(Schedule schedule) : schedule_(std::move(schedule)) {}
  void on_epoch_begin(Sequential& model, std::size_t epoch) override;

 private:
  Schedule schedule_;
};

// Stops training at the first step whose loss is NaN or infinite, naming the epoch and step.
class TerminateOnNaN : public Callback {
 public:
  void on_epoch_begin(Sequential&, std::size_t epoch) override { epoch_ = epoch; }
  void on_batch_end(Sequential& model, std::size_t step, const Logs& logs) override;
  const std::string& message() const { return message_; }

 private:
  std::size_t epoch_ = 0;
  std::string message_;
};

// Saves the model after each epoch (or only when the monitored value improved) by calling
// `save(model, path)` — io's atomic Keras .h5 writer; "{epoch}" in the path is replaced by the
// 1-based epoch number.
struct ModelCheckpointOptions {
  std::string monitor = "val_loss";
  bool save_best_only = false;
  std::string mode = "auto";
};

class ModelCheckpoint : public Callback {
 public:
  using Saver = std::function<void(const Sequential&, const std::string&)>;
  ModelCheckpoint(std::string path, Saver save, ModelCheckpointOptions options);
  ModelCheckpoint(std::string path, Saver save) : ModelCheckpoint(std::move(path), std::move(save), ModelCheckpointOptions{}) {}
  void on_train_begin(Sequential& model) override;
  void on_epoch_end(Sequential& model, std::size_t epoch, const Logs& logs) override;

 private:
  std::string path_;
  Saver save_;
  ModelCheckpointOptions options_;
  bool maximise_;
  double best_ = 0.0;
};

}  // namespace tessera
