// The example application: a sports club. Plain structs, as the application itself uses them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "retort/model.hpp"

namespace club {

using Timestamp = std::chrono::system_clock::time_point;

enum class EventKind { match, training, social };
enum class Role { player, coach, captain };

struct Member {
  std::int64_t id;
  std::string name;
  std::optional<std::string> email;  // citext: compared case-insensitively
  std::int32_t number;               // membership number, from the sequence member_number
  retort::Date born_on;
  Timestamp joined_at;
  bool active;
  std::vector<std::string> tags;
};

struct Team {
  std::int32_t id;
  std::string name;
  std::optional<std::string> league;
  retort::Numeric<8, 2> annual_fee;
};

struct Membership {
  std::int64_t member_id;
  std::int32_t team_id;
  Role role;
  std::int16_t shirt_number;
  Timestamp since;
};

struct Event {
  std::int64_t id;
  std::int32_t team_id;
  EventKind kind;
  std::string title;
  Timestamp starts_at;
  std::optional<Timestamp> ends_at;
  retort::Jsonb details;
  bool cancelled;
};

struct Attendance {
  std::int64_t event_id;
  std::int64_t member_id;
  retort::Uuid check_in_token;
  std::optional<double> rating;
  std::int32_t minutes_played;
  std::string note;
  std::vector<std::byte> signature;
};

struct AuditEntry {
  std::int64_t id;
  std::string action;
  std::optional<std::int64_t> member_id;
  Timestamp at;
  std::optional<float> score;
  std::string summary;
};

}  // namespace club
