// Output files that appear whole or not at all. A writer fills a temporary sibling of the
// destination (same directory, so the rename cannot cross file systems; hidden and suffixed, so
// it is never taken for the file itself) and renames it over the destination when complete: a
// process killed mid-write leaves the previous file intact, plus at worst a stray temporary.
#pragma once

#include <string>
#include <system_error>

namespace tessera {

// ".<name>.tmp-<pid>-<n>" next to `path`, unique among writers of this and other processes.
std::string temporary_path(const std::string& path);

// Flushes `temporary` to disk and renames it to `path`. On failure returns the error and removes
// `temporary`; `path` is then untouched.
std::error_code replace_file(const std::string& temporary, const std::string& path);

// Writes `content` to `path` through a temporary file; throws std::runtime_error naming `path`.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace tessera
