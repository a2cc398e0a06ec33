#include "optim/initializers.hpp"

#include <cmath>
#include <functional>
#include <map>

#include <nlohmann/json.hpp>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

#include "optim/keras_object.hpp"

namespace tessera {

namespace {

using Draw = std::function<Tensor(const Shape&, Generator&)>;

// Every Keras initializer is a draw plus the class name and config Keras writes for it.
class KerasInitializer : public Initializer {
 public:
  KerasInitializer(std::string class_name, Json config, Draw draw)
      : class_name_(std::move(class_name)), config_(std::move(config)), draw_(std::move(draw)) {}
  Tensor operator()(const Shape& shape, Generator& gen) const override { return draw_(shape, gen); }
  std::string class_name() const override { return class_name_; }
  Json config() const override { return config_; }

 private:
  std::string class_name_;
  Json config_;
  Draw draw_;
};

InitializerPtr make(std::string class_name, Json config, Draw draw) {
  return std::make_shared<KerasInitializer>(std::move(class_name), std::move(config),
                                            std::move(draw));
}

// Keras' VarianceScaling under another class name (GlorotUniform is VarianceScaling(1, fan_avg,
// uniform) and so on); the draw is the same, only the config written differs.
InitializerPtr variance_scaling(std::string class_name, Json config, float scale,
                                const std::string& mode, const std::string& distribution) {
  if (!(scale > 0.0f))
    throw std::invalid_argument("VarianceScaling: scale must be positive, got " + std::to_string(scale));
  if (mode != "fan_in" && mode != "fan_out" && mode != "fan_avg")
    throw std::invalid_argument("VarianceScaling: mode must be fan_in, fan_out or fan_avg, got '" + mode + "'");
  if (distribution != "truncated_normal" && distribution != "untruncated_normal" &&
      distribution != "uniform" && distribution != "normal")
    throw std::invalid_argument("VarianceScaling: unknown distribution '" + distribution + "'");
  return make(std::move(class_name), std::move(config),
              [=](const Shape& shape, Generator& gen) {
                const auto [fan_in, fan_out] = compute_fans(shape);
                const double fan = mode == "fan_in" ? fan_in : mode == "fan_out" ? fan_out
                                                                             : (fan_in + fan_out) / 2;
                const double s = scale / std::max(1.0, fan);
                if (distribution == "uniform") {
                  const float limit = float(std::sqrt(3.0 * s));
                  return gen.uniform(shape, -limit, limit);
                }
                if (distribution == "untruncated_normal")
                  return gen.normal(shape, 0.0f, float(std::sqrt(s)));
                // The constant is the stddev of a standard normal truncated to [-2, 2].
                return gen.truncated_normal(shape, 0.0f, float(std::sqrt(s) / 0.87962566103423978));
              });
}

const Json kSeedNull = {{"seed", nullptr}};

std::string text(const Json& config, const char* key, const std::string& fallback) {
  auto it = config.find(key);
  return it == config.end() || it->is_null() ? fallback : it->get<std::string>();
}

using Factory = std::function<InitializerPtr(const Json&)>;

const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> table = [] {
    std::map<std::string, Factory> t;
    auto add = [&](std::initializer_list<const char*> names, Factory f) {
      for (const char* n : names) t[n] = f;
    };
    add({"zeros", "zero", "Zeros"}, [](const Json&) { return zeros_initializer(); });
    add({"ones", "one", "Ones"}, [](const Json&) { return ones_initializer(); });
    add({"constant", "Constant"},
        [](const Json& c) { return constant_initializer(config_number(c, "value", 0.0f)); });
    add({"random_normal", "normal", "RandomNormal"}, [](const Json& c) {
      return random_normal_initializer(config_number(c, "mean", 0.0f), config_number(c, "stddev", 0.05f));
    });
    add({"random_uniform", "uniform", "RandomUniform"}, [](const Json& c) {
      return random_uniform_initializer(config_number(c, "minval", -0.05f), config_number(c, "maxval", 0.05f));
    });
    add({"truncated_normal", "TruncatedNormal"}, [](const Json& c) {
      return truncated_normal_initializer(config_number(c, "mean", 0.0f), config_number(c, "stddev", 0.05f));
    });
    add({"variance_scaling", "VarianceScaling"}, [](const Json& c) {
      return variance_scaling_initializer(config_number(c, "scale", 1.0f), text(c, "mode", "fan_in"),
                                          text(c, "distribution", "truncated_normal"));
    });
    add({"glorot_uniform", "GlorotUniform"}, [](const Json&) { return glorot_uniform_initializer(); });
    add({"glorot_normal", "GlorotNormal"}, [](const Json&) { return glorot_normal_initializer(); });
    add({"he_uniform", "HeUniform"}, [](const Json&) { return he_uniform_initializer(); });
    add({"he_normal", "HeNormal"}, [](const Json&) { return he_normal_initializer(); });
    add({"lecun_uniform", "LecunUniform"}, [](const Json&) { return lecun_uniform_initializer(); });
    add({"lecun_normal", "LecunNormal"}, [](const Json&) { return lecun_normal_initializer(); });
    add({"orthogonal", "Orthogonal"},
        [](const Json& c) { return orthogonal_initializer(config_number(c, "gain", 1.0f)); });
    add({"identity", "Identity"},
        [](const Json& c) { return identity_initializer(config_number(c, "gain", 1.0f)); });
    return t;
  }();
  return table;
}

InitializerPtr lookup(const std::string& name, const Json& config) {
  auto it = factories().find(name);
  if (it == factories().end()) {
    std::string list;
    for (const auto& [n, f] : factories())
      if (std::islower((unsigned char)n[0])) list += (list.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown initializer '" + name + "'; supported: " + list);
  }
  return it->second(config);
}

}  // namespace

Json Initializer::config() const { return Json::object(); }

std::pair<double, double> compute_fans(const Shape& shape) {
  if (shape.empty()) return {1.0, 1.0};
  if (shape.size() == 1) return {double(shape[0]), double(shape[0])};
  if (shape.size() == 2) return {double(shape[0]), double(shape[1])};
  double receptive = 1.0;
  for (std::size_t i = 0; i + 2 < shape.size(); ++i) receptive *= double(shape[i]);
  return {double(shape[shape.size() - 2]) * receptive, double(shape.back()) * receptive};
}

InitializerPtr get_initializer(const std::string& name) { return lookup(name, Json::object()); }

InitializerPtr initializer_from_json(const Json& j) {
  const KerasObject object = parse_keras_object(j, "initializer");
  return lookup(object.name, object.config);
}

Json initializer_to_json(const InitializerPtr& init) {
  return Json{{"class_name", init->class_name()}, {"config", init->config()}};
}

InitializerPtr zeros_initializer() {
  return make("Zeros", Json::object(), [](const Shape& s, Generator&) { return zeros(s); });
}

InitializerPtr ones_initializer() {
  return make("Ones", Json::object(), [](const Shape& s, Generator&) { return full(s, 1.0f); });
}

InitializerPtr constant_initializer(float value) {
  return make("Constant", {{"value", value}},
              [value](const Shape& s, Generator&) { return full(s, value); });
}

InitializerPtr random_normal_initializer(float mean, float stddev) {
  return make("RandomNormal", {{"mean", mean}, {"stddev", stddev}, {"seed", nullptr}},
              [=](const Shape& s, Generator& g) { return g.normal(s, mean, stddev); });
}

InitializerPtr random_uniform_initializer(float minval, float maxval) {
  return make("RandomUniform", {{"minval", minval}, {"maxval", maxval}, {"seed", nullptr}},
              [=](const Shape& s, Generator& g) { return g.uniform(s, minval, maxval); });
}

InitializerPtr truncated_normal_initializer(float mean, float stddev) {
  return make("TruncatedNormal", {{"mean", mean}, {"stddev", stddev}, {"seed", nullptr}},
              [=](const Shape& s, Generator& g) { return g.truncated_normal(s, mean, stddev); });
}

InitializerPtr variance_scaling_initializer(float scale, const std::string& mode,
                                            const std::string& distribution) {
  return variance_scaling("VarianceScaling",
                          {{"scale", scale}, {"mode", mode}, {"distribution", distribution}, {"seed", nullptr}},
                          scale, mode, distribution);
}

InitializerPtr glorot_uniform_initializer() {
  return variance_scaling("GlorotUniform", kSeedNull, 1.0f, "fan_avg", "uniform");
}
InitializerPtr glorot_normal_initializer() {
  return variance_scaling("GlorotNormal", kSeedNull, 1.0f, "fan_avg", "truncated_normal");
}
InitializerPtr he_uniform_initializer() {
  return variance_scaling("HeUniform", kSeedNull, 2.0f, "fan_in", "uniform");
}
InitializerPtr he_normal_initializer() {
  return variance_scaling("HeNormal", kSeedNull, 2.0f, "fan_in", "truncated_normal");
}
InitializerPtr lecun_uniform_initializer() {
  return variance_scaling("LecunUniform", kSeedNull, 1.0f, "fan_in", "uniform");
}
InitializerPtr lecun_normal_initializer() {
  return variance_scaling("LecunNormal", kSeedNull, 1.0f, "fan_in", "truncated_normal");
}

InitializerPtr orthogonal_initializer(float gain) {
  return make("Orthogonal", {{"gain", gain}, {"seed", nullptr}}, [gain](const Shape& shape, Generator& g) {
    if (shape.size() < 2)
      throw std::invalid_argument("Orthogonal initializer needs a shape of rank ≥ 2, got " +
                                  shape_str(shape));
    const std::size_t cols = shape.back(), rows = shape_size(shape) / cols;
    // Keras: QR of a normal (max, min) matrix, columns signed by diag(R), transposed if wide.
    const Shape flat = {std::max(rows, cols), std::min(rows, cols)};
    xt::xarray<double> a = xt::cast<double>(g.normal(flat, 0.0f, 1.0f));
    auto [q, r] = xt::linalg::qr(a);
    xt::xarray<double> d = xt::sign(xt::diagonal(r));
    xt::xarray<double> signed_q = q * d;
    if (rows < cols) signed_q = xt::transpose(signed_q);
    Tensor out = xt::cast<float>(gain * signed_q);
    out.reshape(shape);
    return out;
  });
}

InitializerPtr identity_initializer(float gain) {
  return make("Identity", {{"gain", gain}}, [gain](const Shape& shape, Generator&) {
    if (shape.size() != 2)
      throw std::invalid_argument("Identity initializer needs a 2-D shape, got " + shape_str(shape));
    Tensor out = gain * xt::eye<float>({shape[0], shape[1]});
    return out;
  });
}

}  // namespace tessera
