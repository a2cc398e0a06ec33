#!/usr/bin/python3
"""Writes tests/data/bad/: hostile model and input files for `tessera summary` / `predict`.

Tooling only (h5py); the files are committed, so the tests do not need Python. Each file is a
small Keras model (Sequential: InputLayer (None, 6) → Dense 4 relu → Dense 3) broken in one way,
or an input file broken in one way for good_model.h5. MANIFEST.tsv lists each file with a
substring its `tessera: error:` line must contain. Run: tools/make_hostile_corpus.py
"""
import copy
import json
import os
import sys

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "bad")
rng = np.random.default_rng(8)
STR = h5py.string_dtype("ascii")


def dense(name, units, activation="linear"):
    config = {"name": name, "trainable": True, "dtype": "float32", "units": units,
              "activation": activation, "use_bias": True,
              "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
              "bias_initializer": {"class_name": "Zeros", "config": {}},
              "kernel_regularizer": None, "bias_regularizer": None,
              "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    return {"class_name": "Dense", "config": config}


def sequential(*layers, shape=(None, 6)):
    entry = {"class_name": "InputLayer",
             "config": {"batch_input_shape": list(shape), "dtype": "float32", "name": "input_1"}}
    return {"class_name": "Sequential", "config": {"name": "base", "layers": [entry, *layers]}}


BASE_CONFIG = sequential(dense("dense", 4, "relu"), dense("dense_1", 3))
BASE_WEIGHTS = {"dense": [("kernel:0", rng.uniform(-1, 1, (6, 4)).astype("f4")),
                          ("bias:0", rng.uniform(-1, 1, (4,)).astype("f4"))],
                "dense_1": [("kernel:0", rng.uniform(-1, 1, (4, 3)).astype("f4")),
                            ("bias:0", rng.uniform(-1, 1, (3,)).astype("f4"))]}
manifest = []  # (file, expected substring)


def model(name, expected, config=BASE_CONFIG, weights=None, raw_config=None, edit=None):
    """A model.save()-style file; `edit(f)` breaks it further after it is written."""
    weights = BASE_WEIGHTS if weights is None else weights
    with h5py.File(os.path.join(OUT, name), "w") as f:
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = raw_config if raw_config is not None else json.dumps(config)
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([n.encode() for n in weights], dtype=STR)
        for layer, values in weights.items():
            lg = g.create_group(layer)
            names = [f"{layer}/{w}" for w, _ in values]
            lg.attrs["weight_names"] = (np.array([n.encode() for n in names], dtype=STR)
                                        if names else np.zeros(0))
            for n, (_, value) in zip(names, values):
                lg.create_dataset(n, data=value)
        if edit:
            edit(f)
    if expected:
        manifest.append((name, expected))


def with_weight(layer, index, value):
    weights = copy.deepcopy(BASE_WEIGHTS)
    name = weights[layer][index][0]
    weights[layer][index] = (name, value)
    return weights


def config_with(**changes):
    """The base config with keys of the first Dense layer replaced."""
    first = dense("dense", 4, "relu")
    first["config"].update(changes)
    return sequential(first, dense("dense_1", 3))


def raw(name, expected, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    manifest.append((name, expected))


def inputs(name, expected, write):
    with h5py.File(os.path.join(OUT, name), "w") as f:
        write(f)
    if expected:
        manifest.append((name, expected))


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        os.remove(os.path.join(OUT, old))
    model("good_model.h5", None)
    inputs("good_input.h5", None, lambda f: f.create_dataset("x", data=rng.uniform(-1, 1, (5, 6)).astype("f4")))
    good = open(os.path.join(OUT, "good_model.h5"), "rb").read()
    # Not hostile: Keras casts weights of any numeric dtype to the variable's float32, and so do we.
    model("good_float64_weights.h5", None, weights={
        layer: [(n, v.astype("f8")) for n, v in values] for layer, values in BASE_WEIGHTS.items()})
    model("good_int_weights.h5", None, weights={
        layer: [(n, np.round(v * 4).astype("i4")) for n, v in values] for layer, values in BASE_WEIGHTS.items()})

    # Not a (whole) HDF5 file.
    raw("empty.h5", "not an HDF5 file", b"")
    raw("not_hdf5.h5", "not an HDF5 file", b"Keras model, honest\n" * 100)
    raw("truncated_half.h5", "cannot open as HDF5", good[: len(good) // 2])
    raw("truncated_superblock.h5", "cannot open as HDF5", good[:40])
    raw("zeroed_tail.h5", "attribute 'model_config' of '/' cannot be read (corrupt file?)",
        good[:2048] + bytes(len(good) - 2048))

    # HDF5, but not a Keras model.
    inputs("no_keras_attributes.h5", "not a Keras model file", lambda f: f.create_dataset("x", data=[1.0]))
    def weights_file(f):  # save_weights' layout: layer_names at the root, no model_config
        del f.attrs["model_config"]
        f.attrs["layer_names"] = f["model_weights"].attrs["layer_names"]
    model("weights_only.h5", "holds weights only", edit=weights_file)
    model("no_model_weights.h5", "no model_weights group", edit=lambda f: f.__delitem__("model_weights"))

    # model_config that is not a usable config.
    model("config_not_json.h5", "model_config is not valid JSON", raw_config="{'class_name': 'Sequential'")
    model("config_empty_string.h5", "model_config is not valid JSON", raw_config="")
    model("config_not_string.h5", "attribute 'model_config' of '/' is not a string",
          edit=lambda f: f.attrs.__setitem__("model_config", np.arange(3)))
    model("config_json_list.h5", "a model config needs \"class_name\" and \"config\"", raw_config="[1, 2, 3]")
    model("config_deeply_nested.h5", "model_config nests deeper than 64 levels", raw_config="[" * 100000 + "]" * 100000)
    model("config_unknown_model_class.h5", "unsupported model class 'Graph'",
          config={"class_name": "Graph", "config": {}})
    model("config_unknown_layer.h5", "unsupported layer 'Frobnicate'",
          config=sequential({"class_name": "Frobnicate", "config": {"name": "f"}}))
    model("config_no_layers.h5", "Sequential config has no \"layers\"",
          config={"class_name": "Sequential", "config": {"name": "base"}})
    model("config_layers_not_list.h5", "\"layers\" must be a list",
          config={"class_name": "Sequential", "config": {"name": "base", "layers": {"a": 1}}})
    model("config_layer_not_object.h5", "a layer entry needs a \"class_name\" string",
          config=sequential("Dense"))
    model("config_units_string.h5", "Dense 'dense'", config=config_with(units="four"))
    model("config_units_missing.h5", "units", config=sequential(
        {"class_name": "Dense", "config": {"name": "dense", "activation": "relu"}}, dense("dense_1", 3)))
    model("config_units_negative.h5", "units must be positive", config=config_with(units=-4))
    model("config_units_2pow40.h5", "of memory available", config=config_with(units=2 ** 40))
    model("config_units_2pow64.h5", "Dense 'dense': config value \"/units\" is out of range",
          config=config_with(units=2 ** 64))
    model("config_units_1e300.h5", "config value \"/units\" is out of range: 1e+300", config=config_with(units=1e300))
    model("config_unknown_activation.h5", "frobnicate", config=config_with(activation="frobnicate"))
    model("config_conv_filters_2pow40.h5", "of memory available", config=sequential(
        {"class_name": "Conv1D", "config": {"name": "conv1d", "filters": 2 ** 40, "kernel_size": [3],
                                            "padding": "valid"}}, shape=(None, 8, 2)))
    model("config_conv_kernel_negative.h5", "kernel_size", config=sequential(
        {"class_name": "Conv1D", "config": {"name": "conv1d", "filters": 2, "kernel_size": [-3]}},
        shape=(None, 8, 2)))
    model("config_lc_kernel_too_big.h5", "LocallyConnected1D 'lc'", config=sequential(
        {"class_name": "LocallyConnected1D", "config": {"name": "lc", "filters": 2, "kernel_size": [9]}},
        shape=(None, 8, 2)))
    model("config_input_shape_negative.h5", "not a positive integer", config=sequential(
        dense("dense", 4, "relu"), dense("dense_1", 3), shape=(None, -6)))
    model("config_input_shape_huge.h5", "of memory available", config=sequential(
        dense("dense", 4, "relu"), dense("dense_1", 3), shape=(None, 2 ** 62)))
    model("config_no_input_shape.h5", "declares no input shape", config={
        "class_name": "Sequential", "config": {"name": "base", "layers": [dense("dense", 4), dense("dense_1", 3)]}})
    model("config_duplicate_layer_name.h5", "dense", config=sequential(dense("dense", 4, "relu"), dense("dense", 3)))
    model("config_functional_cycle.h5", "model 'loop' has a cycle through layer 'a'", config={"class_name": "Functional", "config": {
        "name": "loop", "input_layers": [["in", 0, 0]], "output_layers": [["b", 0, 0]], "layers": [
            {"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_input_shape": [None, 6]},
             "inbound_nodes": []},
            {**dense("a", 4), "name": "a", "inbound_nodes": [[["b", 0, 0, {}]]]},
            {**dense("b", 4), "name": "b", "inbound_nodes": [[["a", 0, 0, {}]]]}]}})
    model("config_functional_bad_keras_tensor.h5", "layer 'd' takes 0 inputs", config={
        "class_name": "Functional", "config": {
            "name": "k3", "input_layers": [["in", 0, 0]], "output_layers": [["d", 0, 0]], "layers": [
                {"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_input_shape": [None, 6]},
                 "inbound_nodes": []},
                {**dense("d", 4), "name": "d", "inbound_nodes": [
                    {"args": [{"class_name": "__keras_tensor__"}], "kwargs": {}}]}]}})
    model("config_non_utf8_name.h5", "model_config is not valid JSON",
          raw_config=json.dumps(BASE_CONFIG).replace('"dense_1"', '"dense_\xff"').encode("latin-1"))

    # Weights that do not fit the config.
    model("weight_wrong_shape.h5", "has shape (6, 4) but the file's 'dense/kernel:0' has shape (4, 6)",
          weights=with_weight("dense", 0, rng.uniform(-1, 1, (4, 6)).astype("f4")))
    model("weight_scalar.h5", "has shape ()", weights=with_weight("dense_1", 1, np.float32(1)))
    def huge_kernel(f):  # chunked and never written: 16 TB claimed in a few bytes
        del f["model_weights/dense/dense/kernel:0"]
        f.create_dataset("model_weights/dense/dense/kernel:0", shape=(2 ** 40, 4), dtype="f4", chunks=(1, 4))
    model("weight_huge_shape.h5", "has shape (1099511627776, 4)", edit=huge_kernel)
    model("weight_string_dtype.h5", "is not numeric",
          weights=with_weight("dense", 1, np.array([b"a", b"b", b"c", b"d"])))
    model("weight_float64_overflow.h5", "contains inf",
          weights=with_weight("dense", 1, np.array([1.0, 1e300, 0, 0])))
    model("weight_nan.h5", "weight 'kernel' ('dense_1/kernel:0') contains NaN at index (2, 1)",
          weights=with_weight("dense_1", 0, np.where(np.arange(12).reshape(4, 3) == 7, np.nan, 1).astype("f4")))
    model("weight_inf.h5", "contains -inf at index (0)",
          weights=with_weight("dense", 1, np.array([-np.inf, 0, 0, 0], dtype="f4")))
    missing = copy.deepcopy(BASE_WEIGHTS)
    missing["dense"] = missing["dense"][:1]
    model("weights_missing.h5", "has 2 weights (kernel, bias) but the file's layer 'dense' has 1", weights=missing)
    extra = copy.deepcopy(BASE_WEIGHTS)
    extra["dense"].append(("extra:0", np.zeros(4, "f4")))
    model("weights_extra.h5", "but the file's layer 'dense' has 3", weights=extra)
    model("weight_dataset_missing.h5", "has no dataset '/model_weights/dense_1/dense_1/bias:0'",
          edit=lambda f: f.__delitem__("model_weights/dense_1/dense_1/bias:0"))
    model("weights_for_one_layer.h5", "the file has weights for 1 layers",
          weights={"dense": BASE_WEIGHTS["dense"]})
    model("layer_names_missing.h5", "no layer_names attribute",
          edit=lambda f: f["model_weights"].attrs.__delitem__("layer_names"))
    model("layer_names_ghost.h5", "layer 'ghost' is in layer_names", edit=lambda f: f["model_weights"].attrs.__setitem__(
        "layer_names", np.array([b"dense", b"ghost"], dtype=STR)))
    model("layer_names_empty_string.h5", "layer '' is in layer_names", edit=lambda f: f["model_weights"].attrs.__setitem__(
        "layer_names", np.array([b"dense", b""], dtype=STR)))
    model("layer_names_non_utf8.h5", "layer 'dense_\\xff' is in layer_names", edit=lambda f: f["model_weights"].attrs.__setitem__(
        "layer_names", np.array([b"dense", b"dense_\xff"], dtype=h5py.string_dtype("ascii", 8))))
    model("weight_names_not_strings.h5", "attribute 'weight_names' of '/model_weights/dense' is not a string",
          edit=lambda f: f["model_weights/dense"].attrs.__setitem__("weight_names", np.arange(2)))

    def split_layer_names(f):  # Keras' chunks layer_names0, layer_names1, ... with layer_names1 lost
        a = f["model_weights"].attrs
        del a["layer_names"]
        a["layer_names0"] = np.array([b"dense"], dtype="S7")
        a["layer_names2"] = np.array([b"dense_1"], dtype="S7")
    model("layer_names_chunk_missing.h5", "attribute 'layer_names1' of '/model_weights' is missing", edit=split_layer_names)

    # Inputs for `tessera predict --model good_model.h5`.
    inputs("input_wrong_rank.h5", "expected input of shape (None, 6), got (5,)",
           lambda f: f.create_dataset("x", data=np.zeros(5, "f4")))
    inputs("input_wrong_shape.h5", "expected input of shape (None, 6), got (5, 7)",
           lambda f: f.create_dataset("x", data=np.zeros((5, 7), "f4")))
    inputs("input_scalar.h5", "got ()", lambda f: f.create_dataset("x", data=np.float32(1)))
    inputs("input_nan.h5", "dataset 'x' contains NaN at index (3, 2); pass --allow-nan",
           lambda f: f.create_dataset("x", data=np.where(np.arange(30).reshape(5, 6) == 20, np.nan, 0).astype("f4")))
    inputs("input_inf.h5", "dataset 'x' contains inf at index (0, 0)",
           lambda f: f.create_dataset("x", data=np.full((5, 6), np.inf, "f4")))
    inputs("input_strings.h5", "dataset 'x' is not numeric", lambda f: f.create_dataset("x", data=np.array([b"a", b"b"])))
    inputs("input_no_x.h5", "no dataset 'x'", lambda f: f.create_dataset("inputs", data=np.zeros((5, 6), "f4")))
    inputs("input_x_is_group.h5", "no dataset 'x'", lambda f: f.create_group("x"))
    inputs("input_huge_shape.h5", "of memory available",
           lambda f: f.create_dataset("x", shape=(2 ** 50, 6), dtype="f4", chunks=(1, 6)))

    with open(os.path.join(OUT, "MANIFEST.tsv"), "w") as m:
        m.write("# file<TAB>substring of the one-line error (input_*: inputs for good_model.h5; written by\n"
                "# tools/make_hostile_corpus.py; files not listed here are good ones the tests use)\n")
        for name, expected in manifest:
            m.write(f"{name}\t{expected}\n")
    print(f"{len(manifest)} hostile files in {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
