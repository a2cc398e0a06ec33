// The fit fixtures in tests/data/fit (copied from ../shared/fixtures/fit), found by scanning the
// folder so that new cases join the tests by themselves. A case is
//   <case>.h5           a compiled model (training_config), <case>.data.h5 its x and y,
//   <case>.json         {"epochs", "batch_size"} of Keras' fit(shuffle=False),
//   <case>.expected.h5  the model after that fit,
//   <case>.mask.h5      (optional) for implementation-2 LC kernels, 1 where an entry is a
//                       real connection (the others are never used and carry no meaning).
#pragma once

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <xtensor/xmath.hpp>

#include "io/hdf5.hpp"
#include "io/keras_model.hpp"
#include "keras_files.hpp"

namespace fit_cases {

inline const std::string kFolder = keras_files::kData + "/fit";

inline std::vector<std::string> names() { return keras_files::stems(kFolder, ".json"); }

struct Case {
  std::string stem;  // path without the suffixes
  std::size_t epochs, batch_size;
};

inline Case read(const std::string& name) {
  const std::string stem = kFolder + "/" + name;
  const auto spec = nlohmann::json::parse(std::ifstream(stem + ".json"));
  return {stem, spec.at("epochs").get<std::size_t>(), spec.at("batch_size").get<std::size_t>()};
}

// Float32 training of a few steps agrees with Keras to rounding: |w − expected| ≤ 1e-5 ·
// max(1, |expected|) — absolute for weights below 1, relative above.
constexpr double kTolerance = 1e-5;

struct Comparison {
  double max_error = 0.0;  // largest |w − expected| over the compared entries
  double worst = 0.0;      // largest |w − expected| / (kTolerance · max(1, |expected|)): ≤ 1 passes
  std::string where;       // the weight where `worst` is
};

// Every weight of `model` against the case's expected model, masked where the case has a mask.
inline Comparison compare(const tessera::Sequential& model, const Case& c) {
  const tessera::Sequential expected = tessera::load_model(c.stem + ".expected.h5", false);
  std::optional<tessera::H5File> masks;
  if (std::filesystem::exists(c.stem + ".mask.h5")) masks.emplace(c.stem + ".mask.h5");
  Comparison out;
  for (std::size_t l = 0; l < model.layers().size(); ++l) {
    const auto& layer = *model.layers()[l];
    for (std::size_t i = 0; i < layer.weights().size(); ++i) {
      const std::string name = layer.name() + "/" + layer.weights()[i].name;
      const tessera::Tensor& w = layer.weights()[i].variable.value();
      const tessera::Tensor& e = expected.layers()[l]->weights()[i].variable.value();
      EXPECT_EQ(w.shape(), e.shape()) << name;
      if (w.shape() != e.shape()) continue;
      const std::string mask_path = layer.name() + "/" + name + ":0";
      // A default Tensor is a 0-d scalar of size 1, not empty: say "masked" explicitly.
      const bool masked = masks && masks->exists(mask_path);
      const tessera::Tensor mask = masked ? masks->read_tensor(mask_path) : tessera::Tensor();
      if (masked) EXPECT_EQ(mask.shape(), w.shape()) << mask_path;
      if (masked && mask.shape() != w.shape()) continue;
      for (std::size_t k = 0; k < w.size(); ++k) {
        if (masked && mask.data()[k] == 0.0f) continue;
        const double error = std::fabs(double(w.data()[k]) - e.data()[k]);
        const double ratio = error / (kTolerance * std::max(1.0, std::fabs(double(e.data()[k]))));
        out.max_error = std::max(out.max_error, error);
        if (ratio > out.worst) {
          out.worst = ratio;
          out.where = name + "[" + std::to_string(k) + "]";
        }
      }
    }
  }
  return out;
}

// The model matches the case's expected weights; prints the figure for the record.
inline void expect_matches(const tessera::Sequential& model, const Case& c) {
  const Comparison r = compare(model, c);
  std::cout << "[ fit case ] " << c.stem.substr(kFolder.size() + 1) << ": max weight error " << r.max_error << '\n';
  EXPECT_LE(r.worst, 1.0) << "max error " << r.max_error << ", worst at " << r.where;
}

}  // namespace fit_cases
