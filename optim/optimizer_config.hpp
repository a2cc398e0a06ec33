// Reading a Keras optimizer config for the optimizers' from_config (internal to optim/).
// Each optimizer reads its own keys through the reader; apply_base then reads the keys every
// Keras optimizer may carry and rejects any key nobody read, naming it.
#pragma once

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "optim/optimizer.hpp"

namespace tessera {

// A new-style config (Optimizer::get_config) in the legacy optimizers' form: without the keys
// they reject (weight_decay, use_ema, jit_compile, ...) and with decay, so that Keras builds
// the legacy optimizer again.
Json legacy_config(Json config, float decay);

class OptimizerConfig {
 public:
  OptimizerConfig(std::string class_name, const Json& config);

  bool has(const std::string& key) const;  // present and not null
  float number(const std::string& key, float fallback);
  bool flag(const std::string& key, bool fallback);
  // Whether Keras 2.11-2.15 would build its legacy optimizer (optimizer_v2) from this config:
  // keras.optimizers.deserialize does for a non-empty config unless is_legacy_optimizer is false
  // (configs from Keras <= 2.10 have no such key). Only where the two differ does it matter.
  bool legacy();
  // Learning rate or lr, legacy decay, clipping, weight decay; Keras' bookkeeping keys (name,
  // use_ema = false, jit_compile, ...) are accepted and ignored. Throws for unknown keys.
  void apply_base(Optimizer& optimizer);

 private:
  [[noreturn]] void fail(const std::string& message) const;
  std::string class_name_;
  const Json& config_;
  std::set<std::string> read_;
};

}  // namespace tessera
