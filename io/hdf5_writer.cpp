#include "io/hdf5_writer.hpp"

#include <algorithm>
#include <filesystem>

#include "io/atomic_file.hpp"
#include "io/hdf5_handle.hpp"

namespace tessera {

namespace {

using h5detail::Handle;

namespace fs = std::filesystem;

// Link creation properties that create missing groups on the way.
Handle intermediate_groups() {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  return lcpl;
}

Handle string_type(std::size_t size, Charset charset) {
  Handle type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), size);
  H5Tset_cset(type.get(), charset == Charset::utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII);
  // h5py: variable-length strings are null-terminated, numpy's fixed-length ones null-padded.
  H5Tset_strpad(type.get(), size == H5T_VARIABLE ? H5T_STR_NULLTERM : H5T_STR_NULLPAD);
  return type;
}

Handle simple_space(const std::vector<hsize_t>& dims) {
  return Handle(dims.empty() ? H5Screate(H5S_SCALAR)
                             : H5Screate_simple(int(dims.size()), dims.data(), nullptr));
}

}  // namespace

H5Writer::H5Writer(const std::string& path) : path_(path), temp_path_(temporary_path(path)) {
  h5detail::silence_hdf5();
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty() && !fs::is_directory(dir))
    throw H5Error(path + ": cannot write, no directory '" + dir.string() + "'");
  if (fs::is_directory(path)) throw H5Error(path + ": cannot write, it is a directory");
  id_ = H5Fcreate(temp_path_.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
  if (id_ < 0) throw H5Error(path + ": cannot create a file in '" + dir.string() + "'");
}

H5Writer::~H5Writer() {
  if (id_ < 0) return;  // committed
  H5Fclose(hid_t(id_));
  std::error_code ignored;
  fs::remove(temp_path_, ignored);
}

long long H5Writer::file() const {
  if (id_ < 0) fail("already committed");
  return id_;
}

void H5Writer::fail(const std::string& what) const { throw H5Error(path_ + ": " + what); }

void H5Writer::create_group(const std::string& group) {
  Handle lcpl = intermediate_groups();
  Handle g(H5Gcreate2(hid_t(file()), group.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!g.ok()) fail("cannot create group '" + group + "' (does it exist already?)");
}

void H5Writer::write_tensor(const std::string& dataset, const Tensor& value) {
  const Shape shape = shape_of(value);
  Handle space = simple_space(std::vector<hsize_t>(shape.begin(), shape.end()));
  Handle lcpl = intermediate_groups();
  Handle d(H5Dcreate2(hid_t(file()), dataset.c_str(), H5T_IEEE_F32LE, space.get(), lcpl.get(),
                      H5P_DEFAULT, H5P_DEFAULT));
  if (!d.ok()) fail("cannot create dataset '" + dataset + "' (does it exist already?)");
  // xarray's storage is contiguous and row-major, HDF5's order.
  if (value.size() > 0 &&
      H5Dwrite(d.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, value.data()) < 0)
    fail("cannot write dataset '" + dataset + "'");
}

void H5Writer::write_string(const std::string& object, const std::string& name,
                            const std::string& value, Charset charset) {
  Handle type = string_type(H5T_VARIABLE, charset);
  Handle space = simple_space({});
  Handle attr(H5Acreate_by_name(hid_t(file()), object.c_str(), name.c_str(), type.get(),
                                space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  const char* data = value.c_str();
  if (!attr.ok() || H5Awrite(attr.get(), type.get(), &data) < 0)
    fail("cannot write attribute '" + name + "' of '" + object + "'");
}

void H5Writer::write_string_list(const std::string& object, const std::string& name,
                                 const std::vector<std::string>& values) {
  auto write = [&](const std::string& attr_name, hid_t type, const std::vector<hsize_t>& dims,
                   const void* data) {
    Handle space = simple_space(dims);
    Handle attr(H5Acreate_by_name(hid_t(file()), object.c_str(), attr_name.c_str(), type,
                                  space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (!attr.ok() || (dims[0] > 0 && H5Awrite(attr.get(), type, data) < 0))
      fail("cannot write attribute '" + attr_name + "' of '" + object + "'");
  };
  if (values.empty()) return write(name, H5T_IEEE_F64LE, {0}, nullptr);

  std::size_t longest = 1;  // numpy's narrowest byte-string type is S1
  for (const auto& v : values) longest = std::max(longest, v.size());
  if (longest > kAttributeLimit)
    fail("attribute '" + name + "' of '" + object + "' holds a string of " +
         std::to_string(longest) + " bytes, more than HDF5's limit of " +
         std::to_string(kAttributeLimit));
  const std::size_t n = values.size();
  if (n * longest <= kAttributeLimit) {
    std::vector<const char*> ptrs;
    for (const auto& v : values) ptrs.push_back(v.c_str());
    Handle type = string_type(H5T_VARIABLE, Charset::ascii);
    return write(name, type.get(), {n}, ptrs.data());
  }
  // numpy.array_split into k chunks: the first n % k hold one item more. Keras takes the
  // smallest k whose largest chunk fits.
  std::size_t k = 2;
  while ((n + k - 1) / k * longest > kAttributeLimit) ++k;
  Handle type = string_type(longest, Charset::ascii);
  std::size_t at = 0;
  for (std::size_t chunk = 0; chunk < k; ++chunk) {
    const std::size_t count = n / k + (chunk < n % k ? 1 : 0);
    std::vector<char> buffer(count * longest, '\0');
    for (std::size_t i = 0; i < count; ++i)
      std::copy(values[at + i].begin(), values[at + i].end(), buffer.begin() + i * longest);
    write(name + std::to_string(chunk), type.get(), {count}, buffer.data());
    at += count;
  }
}

void H5Writer::commit() {
  const hid_t id = hid_t(file());
  id_ = -1;
  if (H5Fclose(id) < 0) {
    std::error_code ignored;
    fs::remove(temp_path_, ignored);
    fail("cannot finish writing");
  }
  if (const std::error_code error = replace_file(temp_path_, path_))
    fail("cannot move the finished file into place (" + error.message() + ")");
}

}  // namespace tessera
