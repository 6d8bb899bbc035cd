// C++ member types -> PostgreSQL types. The mapping is a trait, so an application can add its own
// types by specializing retort::pg_type<T>.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace retort {

// Value wrappers for PostgreSQL types with no natural C++ spelling.
struct Uuid {
  std::string value;
};
struct Jsonb {
  std::string value;
};
struct Date {
  std::chrono::year_month_day value;
};
template <int Precision, int Scale = 0>
struct Numeric {
  std::string value;
};

template <class T>
struct pg_type;  // no mapping: specialize it, or give the column an explicit retort::type(...)

template <>
struct pg_type<bool> {
  static std::string name() { return "boolean"; }
};
template <>
struct pg_type<std::int16_t> {
  static std::string name() { return "smallint"; }
};
template <>
struct pg_type<std::int32_t> {
  static std::string name() { return "integer"; }
};
template <>
struct pg_type<std::int64_t> {
  static std::string name() { return "bigint"; }
};
template <>
struct pg_type<float> {
  static std::string name() { return "real"; }
};
template <>
struct pg_type<double> {
  static std::string name() { return "double precision"; }
};
template <>
struct pg_type<std::string> {
  static std::string name() { return "text"; }
};
template <>
struct pg_type<Uuid> {
  static std::string name() { return "uuid"; }
};
template <>
struct pg_type<Jsonb> {
  static std::string name() { return "jsonb"; }
};
template <>
struct pg_type<Date> {
  static std::string name() { return "date"; }
};
template <>
struct pg_type<std::chrono::sys_days> {
  static std::string name() { return "date"; }
};
template <class Duration>
struct pg_type<std::chrono::time_point<std::chrono::system_clock, Duration>> {
  static std::string name() { return "timestamp with time zone"; }
};
template <int P, int S>
struct pg_type<Numeric<P, S>> {
  static std::string name() {
    return "numeric(" + std::to_string(P) + "," + std::to_string(S) + ")";
  }
};
template <>
struct pg_type<std::vector<std::byte>> {
  static std::string name() { return "bytea"; }
};
template <>
struct pg_type<std::vector<std::uint8_t>> {
  static std::string name() { return "bytea"; }
};
template <class T>
requires requires { pg_type<T>::name(); }
struct pg_type<std::vector<T>> {
  static std::string name() { return pg_type<T>::name() + "[]"; }
};

// What a member type says about its column: its SQL type (unless an enum, which the model set
// names), whether it may be NULL, and whether it is an enum (or array of one).
template <class T>
struct member_type {
  static constexpr bool nullable = false;
  using value_type = T;
};
template <class T>
struct member_type<std::optional<T>> {
  static constexpr bool nullable = true;
  using value_type = T;
};

template <class T>
struct enum_element {
  using type = T;
  static constexpr bool array = false;
};
template <class T>
struct enum_element<std::vector<T>> {
  using type = T;
  static constexpr bool array = true;
};

// PostgreSQL's own spelling of a type name typed by a person: "int4" -> "integer",
// "varchar(20)" -> "character varying(20)", "timestamptz" -> "timestamp with time zone", arrays
// kept. Unknown names are returned lower-cased as they are; the server canonicalizes the rest.
std::string canonical_type(std::string_view type);

}  // namespace retort
