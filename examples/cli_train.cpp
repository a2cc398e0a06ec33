// `tessera fit` and `tessera evaluate`: a Keras .h5 model trained or scored on arrays in an HDF5
// file, compiled from the file's training_config (as keras.models.load_model) unless flags
// override it.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "core/finite.hpp"
#include "io/hdf5.hpp"
#include "io/keras_model.hpp"
#include "io/progress.hpp"
#include "io/training_config.hpp"

namespace tessera::cli {

namespace {

void add_data_options(po::options_description& opts) {
  opts.add_options()
      ("model", po::value<std::string>()->required(), "Keras .h5 file (model.save)")
      ("data", po::value<std::string>()->required(), "HDF5 file holding the arrays")
      ("x", po::value<std::string>()->default_value("x"), "path of the inputs in --data")
      ("y", po::value<std::string>()->default_value("y"), "path of the targets in --data")
      ("allow-nan", "use the data even when it holds NaN or Inf (refused by default)");
}

struct Data {
  std::string path;
  Tensor x, y;
};

// The arrays, refused with the first NaN or Inf named unless --allow-nan.
Data read_data(const po::variables_map& vm) {
  const H5File file(vm["data"].as<std::string>());
  Data data{file.path(), Tensor(), Tensor()};
  for (auto [key, tensor] : {std::pair{"x", &data.x}, std::pair{"y", &data.y}}) {
    const std::string dataset = vm[key].as<std::string>();
    *tensor = file.read_tensor(dataset);
    if (!vm.count("allow-nan"))
      require_finite(*tensor, file.path() + " dataset '" + dataset + "'", "pass --allow-nan to use it anyway");
  }
  return data;
}

// Runs `f` on the data, naming the data file in shape errors (x and y of different lengths,
// targets that do not fit the model's output or the loss).
template <class F>
auto on_data(const Data& data, F&& f) {
  try {
    return f();
  } catch (const ShapeError& e) {
    throw std::runtime_error(data.path + ": " + e.what());
  }
}

// --optimizer, --loss and --learning-rate, checked before anything is loaded (usage errors).
struct Overrides {
  Json optimizer, loss;  // null: the file's
  std::optional<float> learning_rate;
};

Overrides read_overrides(const po::variables_map& vm) {
  Overrides o;
  try {
    if (vm.count("optimizer")) o.optimizer = optimizer_to_json(*get_optimizer(vm["optimizer"].as<std::string>()));
    if (vm.count("loss")) o.loss = get_loss(vm["loss"].as<std::string>())->name();
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (vm.count("learning-rate")) {
    o.learning_rate = vm["learning-rate"].as<float>();
    if (!(*o.learning_rate >= 0.0f) || !std::isfinite(*o.learning_rate))
      throw UsageError("--learning-rate must be >= 0, got " + std::to_string(*o.learning_rate));
  }
  return o;
}

// Compiles from the file's training_config with the overrides put in, so that flags and files
// go through the same map (io/training_config).
void apply(const Overrides& o, Sequential& model, const std::string& path) {
  if (!model.compiled() && (o.optimizer.is_null() || o.loss.is_null()))
    throw std::runtime_error(path + " has no training_config (saved before compile): give --optimizer and --loss");
  if (!o.optimizer.is_null() || !o.loss.is_null()) {
    Json config = model.compiled() ? training_config(model) : Json{{"metrics", nullptr}};
    if (!o.optimizer.is_null()) config["optimizer_config"] = o.optimizer;
    if (!o.loss.is_null()) config["loss"] = o.loss;
    compile_from_training_config(model, config);
  }
  if (o.learning_rate) model.optimizer().set_learning_rate(*o.learning_rate);
}

}  // namespace

int fit(const Args& args) {
  po::options_description opts("options");
  add_data_options(opts);
  opts.add_options()
      ("epochs", po::value<long>()->required(), "passes over the data")
      ("batch-size", po::value<long>()->required(), "samples per step")
      ("no-shuffle", po::bool_switch(), "take the batches in order (Keras' shuffle=False)")
      ("validation-split", po::value<double>()->default_value(0.0), "last fraction of the data kept for validation")
      ("optimizer", po::value<std::string>(), "optimizer by Keras name (with its defaults), instead of the file's")
      ("learning-rate", po::value<float>(), "learning rate, instead of the optimizer's")
      ("loss", po::value<std::string>(), "loss by Keras name, instead of the file's")
      ("seed", po::value<std::uint64_t>(), "seed of shuffling and dropout (default: random, as Keras)")
      ("output", po::value<std::string>()->required(), "Keras .h5 file to write the trained model to");
  po::variables_map vm;
  if (!parse("tessera fit --model M.h5 --data D.h5 [--x x] [--y y] [--allow-nan] --epochs E --batch-size B [--no-shuffle] "
             "[--validation-split F] [--optimizer NAME] [--learning-rate LR] [--loss NAME] [--seed S] --output OUT.h5",
             opts, args, vm))
    return 0;
  FitOptions options;
  options.epochs = positive(vm, "epochs");
  options.batch_size = positive(vm, "batch-size");
  options.shuffle = !vm["no-shuffle"].as<bool>();
  options.validation_split = vm["validation-split"].as<double>();
  if (!(options.validation_split >= 0.0 && options.validation_split < 1.0))
    throw UsageError("--validation-split must be in [0, 1), got " + std::to_string(options.validation_split));
  const std::string output = vm["output"].as<std::string>();
  const auto folder = std::filesystem::path(output).parent_path();
  if (!folder.empty() && !std::filesystem::is_directory(folder))  // fail before training, not after
    throw std::runtime_error(output + ": no such directory '" + folder.string() + "'");

  const Overrides overrides = read_overrides(vm);
  const std::string path = vm["model"].as<std::string>();
  Sequential model = load_model(path);
  apply(overrides, model, path);
  model.set_seed(vm.count("seed") ? vm["seed"].as<std::uint64_t>() : std::random_device{}());
  const Data data = read_data(vm);
  options.allow_nan = true;  // read_data checked, with the CLI's hint
  auto guard = std::make_shared<TerminateOnNaN>();  // on by default: a diverged model is not written
  options.callbacks = {guard};
  on_data(data, [&] { return model.fit(data.x, data.y, options); });
  if (!guard->message().empty()) throw std::runtime_error(guard->message() + "; " + output + " not written");
  save_model(model, output);
  return 0;
}

int evaluate(const Args& args) {
  po::options_description opts("options");
  add_data_options(opts);
  opts.add_options()("batch-size", po::value<long>()->default_value(32), "samples per forward pass");
  po::variables_map vm;
  if (!parse("tessera evaluate --model M.h5 --data D.h5 [--x x] [--y y] [--allow-nan] [--batch-size N]", opts, args, vm)) return 0;
  const std::size_t batch_size = positive(vm, "batch-size");
  const std::string path = vm["model"].as<std::string>();
  Sequential model = load_model(path);
  if (!model.compiled()) throw std::runtime_error(path + " has no training_config (saved before compile): nothing to evaluate with");
  const Data data = read_data(vm);
  // read_data checked the arrays (with the CLI's hint) unless --allow-nan.
  const Logs logs =
      on_data(data, [&] { return model.evaluate(data.x, data.y, batch_size, true); });
  // Keras' order: the loss, then the metrics as compiled.
  std::cout << "loss: " << format_log_value(logs.at("loss"));
  for (const auto& name : model.metric_names()) std::cout << " - " << name << ": " << format_log_value(logs.at(name));
  std::cout << '\n';
  return 0;
}

}  // namespace tessera::cli
