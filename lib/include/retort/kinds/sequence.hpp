// Free-standing sequences: CREATE SEQUENCE (before the tables whose defaults call nextval on it),
// ALTER SEQUENCE (options, OWNED BY), DROP SEQUENCE (after them). A serial's or an identity's
// sequence is part of its column, not one of these.
#pragma once

#include "retort/kinds/schema_object.hpp"

namespace retort {

ordered_json to_json(const Sequence& s);
void from_json(const JsonCursor& c, Sequence& out);

// The sequence with every option equal to PostgreSQL's default for its type left out, so that
// a model's explicit "start 1" and the catalog's compare equal.
Sequence normalized(Sequence s);

struct SequenceKind {
  using Object = Sequence;
  static constexpr std::string_view kCreateName = "create_sequence";
  static constexpr std::string_view kDropName = "drop_sequence";
  static constexpr std::string_view kAlterName = "alter_sequence";
  static constexpr std::string_view kJsonKey = "sequence";
  static constexpr std::string_view kNoun = "sequence";
  // Without OWNED BY: the owning table may not exist yet (an alter_sequence sets it later).
  static std::vector<std::string> create_sql(const std::string& schema, const Sequence& s);
  static std::vector<std::string> drop_sql(const std::string& schema, const Sequence& s);
  static std::vector<std::string> alter_sql(const std::string& schema, const Sequence& from,
                                            const Sequence& to);
  static std::string describe_create(const std::string& schema, const Sequence& s);
  static std::string describe_alter(const std::string& schema, const Sequence& from,
                                    const Sequence& to);
  using Ops = TypeList<op::CreateObject<SequenceKind>, op::DropObject<SequenceKind>,
                       op::AlterObject<SequenceKind>>;
};

namespace op {
using CreateSequence = CreateObject<SequenceKind>;
using DropSequence = DropObject<SequenceKind>;
using AlterSequence = AlterObject<SequenceKind>;
}  // namespace op

}  // namespace retort
