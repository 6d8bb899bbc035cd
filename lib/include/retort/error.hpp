// Errors retort reports to its user. Every message names the file, object or revision it is about.
#pragma once

#include <stdexcept>
#include <string>

namespace retort {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A model set that contradicts itself (duplicate column, unknown foreign-key target, ...).
class ModelError : public Error {
 public:
  using Error::Error;
};

// A snapshot or revision file that is not what retort expects.
class FormatError : public Error {
 public:
  using Error::Error;
};

// The database could not be reached or refused a statement.
class DatabaseError : public Error {
 public:
  using Error::Error;
};

}  // namespace retort
