// The JSON of SequenceOptions (START, INCREMENT, MINVALUE, MAXVALUE, CACHE, CYCLE), under the same
// keys for an identity column and a free-standing sequence. Internal to the kinds.
#pragma once

#include <cstdint>
#include <optional>

#include "retort/json_cursor.hpp"
#include "retort/kinds/kind.hpp"

namespace retort {

// Written only when set: an absent option is PostgreSQL's default.
inline void write_sequence_options(ordered_json& j, const SequenceOptions& o) {
  auto put = [&](const char* key, const std::optional<std::int64_t>& v) {
    if (v) j[key] = *v;
  };
  put("start", o.start);
  put("increment", o.increment);
  put("min_value", o.min_value);
  put("max_value", o.max_value);
  put("cache", o.cache);
  if (o.cycle) j["cycle"] = true;
}

inline void read_sequence_options(const JsonCursor& c, SequenceOptions& o) {
  o.start = c.optional_int("start");
  o.increment = c.optional_int("increment");
  o.min_value = c.optional_int("min_value");
  o.max_value = c.optional_int("max_value");
  o.cache = c.optional_int("cache");
  o.cycle = c.bool_or("cycle", false);
}

}  // namespace retort
