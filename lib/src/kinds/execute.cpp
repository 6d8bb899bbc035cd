#include "retort/kinds/execute.hpp"

namespace retort::op {

std::string Execute::describe() const {
  auto first = sql_text.substr(0, sql_text.find('\n'));
  if (first.size() > 60) first = first.substr(0, 57) + "...";
  return "execute: " + first;
}

}  // namespace retort::op
