#include "io/hdf5.hpp"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "core/memory_limit.hpp"
#include "io/hdf5_handle.hpp"

namespace tessera {

namespace {

using h5detail::Handle;

Shape space_shape(hid_t space) {
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) return {};
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return Shape(dims.begin(), dims.end());
}

// Reads the strings held by an attribute whose type is a string type; `what` names it in errors.
std::vector<std::string> read_strings(hid_t attr, hid_t type, std::size_t count, const std::string& what) {
  const auto corrupt = [&] { return H5Error(what + " cannot be read (corrupt file?)"); };
  std::vector<std::string> out;
  if (H5Tis_variable_str(type) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type));
    std::vector<char*> ptrs(count, nullptr);
    if (H5Aread(attr, mem.get(), ptrs.data()) < 0) throw corrupt();
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    Handle space(H5Aget_space(attr));
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
  } else {
    const std::size_t size = H5Tget_size(type);
    std::vector<char> buffer(size * count + 1, '\0');
    if (H5Aread(attr, type, buffer.data()) < 0) throw corrupt();
    for (std::size_t i = 0; i < count; ++i) {
      const char* s = buffer.data() + i * size;
      out.emplace_back(s, strnlen(s, size));
    }
  }
  return out;
}

std::string type_str(hid_t type) {
  const std::size_t size = H5Tget_size(type);
  switch (H5Tget_class(type)) {
    case H5T_STRING:
      return std::string("string(") +
             (H5Tis_variable_str(type) > 0 ? "variable" : std::to_string(size)) + ", " +
             (H5Tget_cset(type) == H5T_CSET_UTF8 ? "utf8" : "ascii") + ")";
    case H5T_FLOAT: return "float" + std::to_string(8 * size);
    case H5T_INTEGER:
      return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(8 * size);
    default: return "other";
  }
}

std::string space_str(hid_t space) {
  return H5Sget_simple_extent_type(space) == H5S_SCALAR ? "scalar" : shape_str(space_shape(space));
}

}  // namespace

H5File::H5File(const std::string& path) : path_(path) {
  h5detail::silence_hdf5();
  if (!std::filesystem::exists(path)) throw H5Error(path + ": no such file");
  if (H5Fis_hdf5(path.c_str()) <= 0) throw H5Error(path + ": not an HDF5 file");
  id_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id_ < 0) throw H5Error(path + ": cannot open as HDF5 (corrupt or truncated?)");
}

H5File::~H5File() {
  if (id_ >= 0) H5Fclose(hid_t(id_));
}

bool H5File::exists(const std::string& object) const {
  if (object.empty() || object == "/") return true;
  // Check each prefix: H5Lexists fails (not false) when an intermediate group is missing.
  std::string prefix;
  std::size_t start = object[0] == '/' ? 1 : 0;
  while (start <= object.size()) {
    const std::size_t end = std::min(object.find('/', start), object.size());
    prefix = object.substr(0, end);
    if (!prefix.empty() && prefix != "/" && H5Lexists(hid_t(id_), prefix.c_str(), H5P_DEFAULT) <= 0)
      return false;
    start = end + 1;
  }
  return H5Oexists_by_name(hid_t(id_), object.c_str(), H5P_DEFAULT) > 0;
}

bool H5File::is_group(const std::string& object) const {
  if (!exists(object)) return false;
  H5O_info_t info;
  if (H5Oget_info_by_name(hid_t(id_), object.c_str(), &info, H5P_DEFAULT) < 0) return false;
  return info.type == H5O_TYPE_GROUP;
}

std::vector<std::string> H5File::children(const std::string& group) const {
  if (!is_group(group)) throw H5Error(path_ + ": no group '" + group + "'");
  Handle g(H5Gopen2(hid_t(id_), group.c_str(), H5P_DEFAULT));
  std::vector<std::string> names;
  H5Literate(g.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr,
             [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
               static_cast<std::vector<std::string>*>(data)->emplace_back(name);
               return 0;
             },
             &names);
  return names;
}

Shape H5File::dataset_shape(const std::string& dataset) const {
  if (!exists(dataset) || is_group(dataset)) throw H5Error(path_ + ": no dataset '" + dataset + "'");
  Handle d(H5Dopen2(hid_t(id_), dataset.c_str(), H5P_DEFAULT));
  Handle space(H5Dget_space(d.get()));
  if (!d.ok() || !space.ok()) throw H5Error(path_ + ": cannot open dataset '" + dataset + "'");
  return space_shape(space.get());
}

Tensor H5File::read_tensor(const std::string& dataset) const {
  const Shape shape = dataset_shape(dataset);
  Handle d(H5Dopen2(hid_t(id_), dataset.c_str(), H5P_DEFAULT));
  Handle type(H5Dget_type(d.get()));
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    throw H5Error(path_ + ": dataset '" + dataset + "' is not numeric");
  reserve_memory(shape, path_ + ": dataset '" + dataset + "'");  // the shape is the file's claim
  Tensor t = Tensor::from_shape(shape);
  // HDF5 converts any integer or float type to native float on read.
  if (t.size() > 0 && H5Dread(d.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data()) < 0)
    throw H5Error(path_ + ": cannot read dataset '" + dataset + "' (corrupt?)");
  return t;
}

bool H5File::has_attribute(const std::string& object, const std::string& name) const {
  return exists(object) && H5Aexists_by_name(hid_t(id_), object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

std::string H5File::read_string(const std::string& object, const std::string& name) const {
  auto list = read_string_list(object, name);
  if (list.size() != 1)
    throw H5Error(path_ + ": attribute '" + name + "' of '" + object + "' is not a single string");
  return list[0];
}

std::vector<std::string> H5File::read_string_list(const std::string& object,
                                                  const std::string& name) const {
  if (!has_attribute(object, name)) {
    // Keras splits big lists into name0, name1, ...
    std::vector<std::string> joined;
    int chunk = 0;
    while (has_attribute(object, name + std::to_string(chunk))) {
      auto part = read_string_list(object, name + std::to_string(chunk++));
      joined.insert(joined.end(), part.begin(), part.end());
    }
    if (chunk == 0) throw H5Error(path_ + ": '" + object + "' has no attribute '" + name + "'");
    // A gap in the numbering would silently drop the chunks after it.
    for (const auto& attribute : attribute_names(object)) {
      const std::string suffix = attribute.substr(std::min(name.size(), attribute.size()));
      const bool numbered = attribute.compare(0, name.size(), name) == 0 && !suffix.empty() &&
                            suffix.find_first_not_of("0123456789") == std::string::npos;
      if (numbered && (suffix.size() > 9 || std::stoi(suffix) >= chunk))
        throw H5Error(path_ + ": attribute '" + name + std::to_string(chunk) + "' of '" + object +
                      "' is missing but '" + attribute + "' exists (a list split into chunks lost one)");
    }
    return joined;
  }
  Handle attr(H5Aopen_by_name(hid_t(id_), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
  Handle type(H5Aget_type(attr.get()));
  Handle space(H5Aget_space(attr.get()));
  if (!attr.ok() || !type.ok() || !space.ok())
    throw H5Error(path_ + ": cannot read attribute '" + name + "' of '" + object + "'");
  const std::size_t count = std::size_t(std::max<hssize_t>(H5Sget_simple_extent_npoints(space.get()), 0));
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls == H5T_FLOAT && count == 0) return {};  // Keras' empty weight_names
  if (cls != H5T_STRING)
    throw H5Error(path_ + ": attribute '" + name + "' of '" + object + "' is not a string");
  return read_strings(attr.get(), type.get(), count, path_ + ": attribute '" + name + "' of '" + object + "'");
}

std::vector<std::string> H5File::attribute_names(const std::string& object) const {
  if (!exists(object)) throw H5Error(path_ + ": no object '" + object + "'");
  std::vector<std::string> names;
  H5Aiterate_by_name(hid_t(id_), object.c_str(), H5_INDEX_NAME, H5_ITER_INC, nullptr,
                     [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
                       static_cast<std::vector<std::string>*>(data)->emplace_back(name);
                       return 0;
                     },
                     &names, H5P_DEFAULT);
  return names;
}

std::string H5File::describe(const std::string& object, const std::string& attribute) const {
  if (attribute.empty()) {
    dataset_shape(object);  // throws when there is no such dataset
    Handle d(H5Dopen2(hid_t(id_), object.c_str(), H5P_DEFAULT));
    Handle type(H5Dget_type(d.get())), space(H5Dget_space(d.get()));
    return type_str(type.get()) + " " + space_str(space.get());
  }
  if (!has_attribute(object, attribute))
    throw H5Error(path_ + ": '" + object + "' has no attribute '" + attribute + "'");
  Handle attr(H5Aopen_by_name(hid_t(id_), object.c_str(), attribute.c_str(), H5P_DEFAULT, H5P_DEFAULT));
  Handle type(H5Aget_type(attr.get())), space(H5Aget_space(attr.get()));
  return type_str(type.get()) + " " + space_str(space.get());
}

}  // namespace tessera
