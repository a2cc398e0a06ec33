// libFuzzer target of the model loader (scripts/fuzz runs it). Two kinds of input:
// - bytes starting with HDF5's signature are a whole .h5 file, given to load_model as a user
//   would give one (mutations of the real Keras files in tests/data);
// - anything else is a model_config JSON: model_from_config builds it, and a model that builds
//   must survive save_model → load_model with the same weights.
// Errors (exceptions) are the expected outcome of almost every input; a crash, a sanitizer
// report, a hang, a leak or an allocation past -rss_limit_mb is a finding.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/memory_limit.hpp"
#include "io/keras_model.hpp"

namespace {

using tessera::Sequential;

const std::string kFile = (std::filesystem::temp_directory_path() /
                           ("tessera_fuzz_" + std::to_string(getpid()) + ".h5")).string();

// Runs the model once on a small input, as `tessera predict` would, when its input is small.
void exercise(const Sequential& model) {
  (void)model.summary();
  tessera::Shape shape = model.input_shape();
  std::size_t size = 1;
  for (auto d : shape) size *= d;
  if (size > 4096) return;
  shape.insert(shape.begin(), 2);
  (void)model.predict(tessera::zeros(shape));
}

void from_file(const std::uint8_t* data, std::size_t size) {
  std::ofstream(kFile, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
  try {
    exercise(tessera::load_model(kFile));
  } catch (const std::exception&) {
  }
}

void from_config(const std::uint8_t* data, std::size_t size) {
  Sequential model;
  try {
    model = tessera::model_from_config(tessera::parse_model_config(std::string(data, data + size)));
    exercise(model);
  } catch (const std::exception&) {
    return;
  }
  try {
    tessera::save_model(model, kFile);  // may refuse, e.g. weights that are not finite
  } catch (const tessera::KerasFormatError&) {
    return;
  }
  // What save_model writes, load_model must read back exactly; an exception escaping here is a
  // finding too.
  if (tessera::load_model(kFile).get_weights() != model.get_weights()) std::abort();
}

}  // namespace

// Models of more than a million parameters are refused (core/memory_limit.hpp): real Keras
// configs mutated into large but valid models would otherwise spend the run initialising weights.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tessera::set_memory_limit(std::size_t(4) << 20);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string signature = "\x89HDF\r\n\x1a\n";
  if (size >= signature.size() && std::equal(signature.begin(), signature.end(), data)) from_file(data, size);
  else from_config(data, size);
  return 0;
}
