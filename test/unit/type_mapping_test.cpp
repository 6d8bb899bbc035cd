#include "retort/type_mapping.hpp"

#include <gtest/gtest.h>

#include "retort/model.hpp"

namespace {

enum class Color { red, green };

struct Everything {
  bool b;
  std::int16_t i16;
  std::int32_t i32;
  std::int64_t i64;
  float f;
  double d;
  std::string s;
  std::chrono::system_clock::time_point ts;
  std::optional<std::int32_t> maybe;
  std::vector<std::int32_t> ints;
  std::vector<std::string> texts;
  std::vector<std::byte> bytes;
  std::vector<std::uint8_t> octets;
  retort::Uuid uuid;
  retort::Jsonb json;
  retort::Numeric<10, 2> money;
  retort::Date date;
  std::chrono::sys_days day;
  Color color;
  std::optional<Color> maybe_color;
  std::vector<Color> colors;
  std::string overridden;
  std::string short_text;
  std::string price;
};

retort::Table everything_table() {
  retort::ModelSet m;
  m.enumeration<Color>("color", {"red", "green"});
  m.table<Everything>("everything")
      .column(&Everything::b, "b")
      .column(&Everything::i16, "i16")
      .column(&Everything::i32, "i32")
      .column(&Everything::i64, "i64")
      .column(&Everything::f, "f")
      .column(&Everything::d, "d")
      .column(&Everything::s, "s")
      .column(&Everything::ts, "ts")
      .column(&Everything::maybe, "maybe")
      .column(&Everything::ints, "ints")
      .column(&Everything::texts, "texts")
      .column(&Everything::bytes, "bytes")
      .column(&Everything::octets, "octets")
      .column(&Everything::uuid, "uuid")
      .column(&Everything::json, "json")
      .column(&Everything::money, "money")
      .column(&Everything::date, "date")
      .column(&Everything::day, "day")
      .column(&Everything::color, "color")
      .column(&Everything::maybe_color, "maybe_color")
      .column(&Everything::colors, "colors")
      .column(&Everything::overridden, "overridden", retort::type("citext"))
      .column(&Everything::short_text, "short_text", retort::varchar(20))
      .column(&Everything::price, "price", retort::numeric(12, 3));
  return m.schema().schemas.at("public").tables.at("everything");
}

TEST(TypeMapping, EveryMappedMemberType) {
  auto t = everything_table();
  auto type_of = [&](const char* name) {
    auto* c = t.find_column(name);
    EXPECT_NE(c, nullptr) << name;
    return c ? c->type : std::string();
  };
  EXPECT_EQ(type_of("b"), "boolean");
  EXPECT_EQ(type_of("i16"), "smallint");
  EXPECT_EQ(type_of("i32"), "integer");
  EXPECT_EQ(type_of("i64"), "bigint");
  EXPECT_EQ(type_of("f"), "real");
  EXPECT_EQ(type_of("d"), "double precision");
  EXPECT_EQ(type_of("s"), "text");
  EXPECT_EQ(type_of("ts"), "timestamp with time zone");
  EXPECT_EQ(type_of("maybe"), "integer");
  EXPECT_EQ(type_of("ints"), "integer[]");
  EXPECT_EQ(type_of("texts"), "text[]");
  EXPECT_EQ(type_of("bytes"), "bytea");
  EXPECT_EQ(type_of("octets"), "bytea");
  EXPECT_EQ(type_of("uuid"), "uuid");
  EXPECT_EQ(type_of("json"), "jsonb");
  EXPECT_EQ(type_of("money"), "numeric(10,2)");
  EXPECT_EQ(type_of("date"), "date");
  EXPECT_EQ(type_of("day"), "date");
  EXPECT_EQ(type_of("color"), "public.color");
  EXPECT_EQ(type_of("maybe_color"), "public.color");
  EXPECT_EQ(type_of("colors"), "public.color[]");
  EXPECT_EQ(type_of("overridden"), "citext");
  EXPECT_EQ(type_of("short_text"), "character varying(20)");
  EXPECT_EQ(type_of("price"), "numeric(12,3)");
}

TEST(TypeMapping, OptionalMeansNullable) {
  auto t = everything_table();
  EXPECT_FALSE(t.find_column("i32")->nullable);
  EXPECT_TRUE(t.find_column("maybe")->nullable);
  EXPECT_TRUE(t.find_column("maybe_color")->nullable);
  EXPECT_FALSE(t.find_column("colors")->nullable);
}

TEST(CanonicalType, Aliases) {
  using retort::canonical_type;
  EXPECT_EQ(canonical_type("int4"), "integer");
  EXPECT_EQ(canonical_type("INT"), "integer");
  EXPECT_EQ(canonical_type("int8"), "bigint");
  EXPECT_EQ(canonical_type("int2"), "smallint");
  EXPECT_EQ(canonical_type("float8"), "double precision");
  EXPECT_EQ(canonical_type("float4"), "real");
  EXPECT_EQ(canonical_type("bool"), "boolean");
  EXPECT_EQ(canonical_type("varchar"), "character varying");
  EXPECT_EQ(canonical_type("varchar( 20 )"), "character varying(20)");
  EXPECT_EQ(canonical_type("char"), "character(1)");
  EXPECT_EQ(canonical_type("decimal(10, 2)"), "numeric(10,2)");
  EXPECT_EQ(canonical_type("timestamptz"), "timestamp with time zone");
  EXPECT_EQ(canonical_type("timestamp(3)"), "timestamp(3) without time zone");
  EXPECT_EQ(canonical_type("int4[]"), "integer[]");
  EXPECT_EQ(canonical_type("varchar(5)[]"), "character varying(5)[]");
  EXPECT_EQ(canonical_type("bigserial"), "bigint");
  EXPECT_EQ(canonical_type("public.mood"), "public.mood");
  EXPECT_EQ(canonical_type("\"My Type\""), "\"My Type\"");
}

}  // namespace
