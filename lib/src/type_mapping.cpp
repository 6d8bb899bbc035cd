#include "retort/type_mapping.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace retort {

namespace {

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\n");
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(" \t\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string collapse_spaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return trim(out);
}

}  // namespace

std::string canonical_type(std::string_view input) {
  std::string t = collapse_spaces(input);
  // Quoted or schema-qualified names are user types: keep them exactly.
  if (t.find('"') != std::string::npos || t.find('.') != std::string::npos) return t;
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });

  std::string suffix;
  while (t.size() > 2 && t.ends_with("[]")) {
    suffix += "[]";
    t = trim(t.substr(0, t.size() - 2));
  }
  std::string args;
  if (auto open = t.find('('); open != std::string::npos && t.back() == ')') {
    args = t.substr(open);
    args.erase(std::remove(args.begin(), args.end(), ' '), args.end());
    t = trim(t.substr(0, open));
  }
  static const std::array<std::pair<std::string_view, std::string_view>, 26> aliases{{
      {"int", "integer"},
      {"int4", "integer"},
      {"int2", "smallint"},
      {"int8", "bigint"},
      {"float4", "real"},
      {"float8", "double precision"},
      {"float", "double precision"},
      {"double", "double precision"},
      {"bool", "boolean"},
      {"varchar", "character varying"},
      {"char", "character"},
      {"bpchar", "character"},
      {"decimal", "numeric"},
      {"timestamptz", "timestamp with time zone"},
      {"timestamp", "timestamp without time zone"},
      {"timetz", "time with time zone"},
      {"time", "time without time zone"},
      {"varbit", "bit varying"},
      {"serial", "integer"},
      {"serial4", "integer"},
      {"bigserial", "bigint"},
      {"serial8", "bigint"},
      {"smallserial", "smallint"},
      {"serial2", "smallint"},
      {"character varying", "character varying"},
      {"double precision", "double precision"},
  }};
  for (const auto& [from, to] : aliases)
    if (t == from) {
      t = to;
      break;
    }
  // A precision on timestamp/time goes between the name and "with/without time zone".
  for (std::string_view base : {"timestamp", "time"}) {
    for (std::string_view zone : {" with time zone", " without time zone"}) {
      if (t == std::string(base) + std::string(zone) && !args.empty())
        return std::string(base) + args + std::string(zone) + suffix;
    }
  }
  if (t == "character" && args.empty()) args = "(1)";
  return t + args + suffix;
}

}  // namespace retort
