// Internal to io/: RAII for HDF5 ids and the one-time silencing of HDF5's own error printing,
// shared by the reader (hdf5.cpp) and the writer (hdf5_writer.cpp). Includes <hdf5.h>, so no
// public header includes this one.
#pragma once

#include <hdf5.h>

namespace tessera::h5detail {

// HDF5 prints its own error stacks to stderr by default; we report our own messages instead.
inline void silence_hdf5() {
  static const bool silenced = [] { return H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0; }();
  (void)silenced;
}

// Closes an HDF5 id of any kind when it goes out of scope.
class Handle {
 public:
  explicit Handle(hid_t id = H5I_INVALID_HID) : id_(id) {}
  ~Handle() { close(); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(other.id_) { other.id_ = H5I_INVALID_HID; }
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }
  void close() {
    if (id_ < 0) return;
    switch (H5Iget_type(id_)) {
      case H5I_FILE: H5Fclose(id_); break;
      case H5I_GROUP: H5Gclose(id_); break;
      case H5I_DATASET: H5Dclose(id_); break;
      case H5I_ATTR: H5Aclose(id_); break;
      case H5I_DATATYPE: H5Tclose(id_); break;
      case H5I_DATASPACE: H5Sclose(id_); break;
      case H5I_GENPROP_LST: H5Pclose(id_); break;
      default: break;
    }
    id_ = H5I_INVALID_HID;
  }

 private:
  hid_t id_;
};

}  // namespace tessera::h5detail
