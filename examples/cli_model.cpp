// `tessera summary` and `tessera predict`: a Keras .h5 model file in, a table or outputs out.
#include <iostream>

#include "cli.hpp"
#include "core/finite.hpp"
#include "io/hdf5.hpp"
#include "io/hdf5_writer.hpp"
#include "io/keras_model.hpp"

namespace tessera::cli {

int summary(const Args& args) {
  po::options_description opts("options");
  opts.add_options()("model", po::value<std::string>()->required(), "Keras .h5 file (model.save)");
  po::variables_map vm;
  if (!parse("tessera summary --model M.h5", opts, args, vm)) return 0;
  // Not compiled: a training_config tessera cannot read must not stop a summary or a prediction.
  std::cout << load_model(vm["model"].as<std::string>(), false).summary();
  return 0;
}

int predict(const Args& args) {
  po::options_description opts("options");
  opts.add_options()
      ("model", po::value<std::string>()->required(), "Keras .h5 file (model.save)")
      ("input", po::value<std::string>()->required(), "HDF5 file holding the inputs")
      ("dataset", po::value<std::string>()->default_value("x"), "path of the inputs in --input")
      ("output", po::value<std::string>()->required(), "HDF5 file to write; the outputs are dataset y")
      ("batch-size", po::value<long>()->default_value(32), "samples per forward pass")
      ("allow-nan", "predict even when the inputs hold NaN or Inf (refused by default)");
  po::variables_map vm;
  if (!parse("tessera predict --model M.h5 --input X.h5 [--dataset x] --output Y.h5 [--batch-size N] [--allow-nan]",
             opts, args, vm))
    return 0;
  const std::size_t batch_size = positive(vm, "batch-size");

  const Sequential model = load_model(vm["model"].as<std::string>(), false);
  const H5File input(vm["input"].as<std::string>());
  const std::string dataset = vm["dataset"].as<std::string>();
  const Tensor x = input.read_tensor(dataset);
  if (!vm.count("allow-nan"))
    require_finite(x, input.path() + " dataset '" + dataset + "'", "pass --allow-nan to predict anyway");
  Tensor y;
  try {
    y = model.predict(x, batch_size, /*allow_nan=*/true);  // checked above, with the CLI's hint
  } catch (const ShapeError& e) {
    throw std::runtime_error(input.path() + " dataset '" + dataset + "': " + e.what());
  }
  // Written whole or not at all: the writer renames a finished temporary file into place.
  H5Writer output(vm["output"].as<std::string>());
  output.write_tensor("y", y);
  output.commit();
  return 0;
}

}  // namespace tessera::cli
