// The shop's structs, as the application itself uses them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace shop {

struct Customer {
  std::int64_t id;
  std::string email;
  std::optional<std::string> name;
};

struct Order {
  std::int64_t id;
  std::int64_t customer_id;
  std::int32_t total_cents;
};

}  // namespace shop
