// Keras' training_config ↔ a compiled Sequential. model.save writes it for a compiled model as
// the root attribute training_config, and keras.models.load_model(compile=True) compiles from it:
//   {"loss": ..., "metrics": ..., "weighted_metrics": ..., "loss_weights": ...,
//    "optimizer_config": {"class_name": "Adam", "config": {...}}}
// Map: optimizer_config → optimizer_from_json; loss → loss_from_json (a name or
// {"class_name", "config"}); metrics and weighted_metrics → metric names (strings or metric
// objects, possibly nested per output as Keras 2.15 writes them). Without sample weights a
// weighted metric is the plain metric, so both lists compile to the same metrics.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "layers/sequential.hpp"

namespace tessera {

// Compiles `model` from a training_config. Throws KerasFormatError (one line naming the value)
// for unknown optimizers, losses or metrics and for what a single-output model cannot do.
void compile_from_training_config(Sequential& model, const Json& training_config);

// The training_config of a compiled model, in the form Keras 2.15 writes and loads.
Json training_config(const Sequential& model);

}  // namespace tessera
