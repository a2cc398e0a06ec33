// Keras HDF5 files ↔ Sequential models, in the layouts Keras 2.0–2.15 write (facts in
// ../shared/keras-format.md):
// - whole models (model.save): root attribute model_config (JSON), group model_weights;
// - weights files (model.save_weights): layer_names and one group per layer at the root.
//
// load_model builds the model from model_config in every style Keras wrote: Sequential with an
// InputLayer first (2.3+), Sequential whose first layer carries batch_input_shape (2.2), the
// bare layer list (≤ 2.1), and Functional/Model graphs that are a single chain from one input
// to one output. The InputLayer is not kept as a layer: as in Keras' Sequential, its shape
// becomes the model's input shape.
//
// Weights go to layers by position, as Keras loads them: the file's layers that have weights,
// in the order of layer_names, to the model's layers that have weights; within a layer by the
// order of weight_names. Groups not listed in layer_names (top_level_model_weights,
// optimizer_weights) are never read. Everything is checked before anything is changed.
//
// Every failure is a KerasFormatError: one line naming the file and, where it applies, the
// layer and the weight, with what was expected and what was found.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "layers/sequential.hpp"

namespace tessera {

class KerasFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The Keras version and backend tessera writes into files; Keras 2.15 loads them.
inline constexpr const char* kKerasVersion = "2.15.0";
inline constexpr const char* kKerasBackend = "tensorflow";

// The model in a file written by Keras' model.save (or save_model below), with its weights.
// With `compile` (Keras' default) a file's training_config compiles the model
// (io/training_config.hpp); without it, or when the file has none, the model is not compiled.
Sequential load_model(const std::string& path, bool compile = true);

// A model_config attribute's JSON. Keras configs nest a few levels; deeper nesting is refused
// (KerasFormatError), as the code that walks and prints configs recurses.
Json parse_model_config(const std::string& text);

// A built model (fresh weights) from a Keras model config, as keras.models.model_from_config:
// {"class_name": "Sequential" | "Functional" | "Model", "config": ...}.
Sequential model_from_config(const Json& config);
// The model's config in Keras 2.15's Sequential style, with an InputLayer entry first.
Json model_config(const Sequential& model);

// Loads weights from a save_weights file or from a whole-model file's model_weights. With
// `by_name`, each model layer takes the weights of the file's layer of the same name, and
// layers the file does not have keep theirs.
void load_weights(Sequential& model, const std::string& path, bool by_name = false);

// Keras' save_weights layout. Atomic: on error the file at `path` is left as it was.
void save_weights(const Sequential& model, const std::string& path);
// Keras' model.save layout. The root attribute training_config (Keras' JSON of optimizer, loss
// and metrics) is `training_config` when given, else that of a compiled model, else absent.
// Atomic: on error the file at `path` is left as it was.
void save_model(const Sequential& model, const std::string& path,
                const Json* training_config = nullptr);

// A ModelCheckpoint whose saves are save_model's: whole model with its training_config, atomic.
std::shared_ptr<ModelCheckpoint> model_checkpoint(std::string path, ModelCheckpointOptions options = {});

}  // namespace tessera
