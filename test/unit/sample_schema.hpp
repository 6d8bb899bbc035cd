// A small schema the unit tests build themselves (the example application's models are not
// theirs to depend on): a library with two schemas, two enums and every kind of object.
#pragma once

#include "retort/model.hpp"

namespace retort::test {

// public: enums book_format and loan_state; tables authors (identity, varchar, comment, unique,
// expression index), books (FKs with actions, check, composite unique, partial index with
// INCLUDE), loans (composite primary key, deferred FK, gin index); archive: a second schema
// with entries (generated column, FK into public). authors.name (columns[1]) is NOT NULL.
ModelSet sample_models();
inline Schema sample_schema() { return sample_models().schema(); }

}  // namespace retort::test
