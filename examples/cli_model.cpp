// `tessera summary` and `tessera predict`: a Keras .h5 model file in, a table or outputs out.
#include <iostream>

#include "cli.hpp"
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
      ("batch-size", po::value<long>()->default_value(32), "samples per forward pass");
  po::variables_map vm;
  if (!parse("tessera predict --model M.h5 --input X.h5 [--dataset x] --output Y.h5 [--batch-size N]",
             opts, args, vm))
    return 0;
  const std::size_t batch_size = positive(vm, "batch-size");

  const Sequential model = load_model(vm["model"].as<std::string>(), false);
  const H5File input(vm["input"].as<std::string>());
  const std::string dataset = vm["dataset"].as<std::string>();
  const Tensor x = input.read_tensor(dataset);
  Tensor y;
  try {
    y = model.predict(x, batch_size);
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
