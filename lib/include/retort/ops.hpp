// Ops: the closed set of schema changes a revision is made of. Each is a value with three faces:
// JSON (as stored in a revision file), SQL (every identifier quoted) and an inverse (downgrade).
// An op carries everything its inverse needs (a dropped column's definition, the old type, ...).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "retort/json_cursor.hpp"
#include "retort/schema.hpp"
#include "retort/snapshot.hpp"

namespace retort {

namespace op {

struct CreateSchema {
  std::string schema;
  bool operator==(const CreateSchema&) const = default;
};
struct DropSchema {
  std::string schema;
  bool operator==(const DropSchema&) const = default;
};

struct CreateEnum {
  std::string schema;
  Enum enum_type;
  bool operator==(const CreateEnum&) const = default;
};
struct DropEnum {
  std::string schema;
  Enum enum_type;
  bool operator==(const DropEnum&) const = default;
};
// ALTER TYPE ... ADD VALUE: PostgreSQL cannot remove an enum label, so its inverse is irreversible.
struct AddEnumLabel {
  QualifiedName enum_name;
  std::string label;
  std::optional<std::string> before;  // at most one of before/after; neither means at the end
  std::optional<std::string> after;
  bool operator==(const AddEnumLabel&) const = default;
};

struct CreateTable {
  std::string schema;
  Table table;  // foreign keys and indexes are separate ops, so cycles between new tables work
  bool operator==(const CreateTable&) const = default;
};
struct DropTable {
  std::string schema;
  Table table;
  bool operator==(const DropTable&) const = default;
};

struct AddColumn {
  QualifiedName table;
  Column column;
  bool operator==(const AddColumn&) const = default;
};
struct DropColumn {
  QualifiedName table;
  Column column;
  bool operator==(const DropColumn&) const = default;
};
struct AlterColumnType {
  QualifiedName table;
  std::string column;
  std::string type;
  std::string old_type;
  std::optional<std::string> using_expr;      // USING for the upgrade
  std::optional<std::string> old_using_expr;  // USING for the downgrade
  bool operator==(const AlterColumnType&) const = default;
};
struct SetNotNull {
  QualifiedName table;
  std::string column;
  bool operator==(const SetNotNull&) const = default;
};
struct DropNotNull {
  QualifiedName table;
  std::string column;
  bool operator==(const DropNotNull&) const = default;
};
struct SetDefault {
  QualifiedName table;
  std::string column;
  std::string default_expr;
  std::optional<std::string> old_default;
  bool operator==(const SetDefault&) const = default;
};
struct DropDefault {
  QualifiedName table;
  std::string column;
  std::string old_default;
  bool operator==(const DropDefault&) const = default;
};
struct AddIdentity {
  QualifiedName table;
  std::string column;
  Identity identity;
  bool operator==(const AddIdentity&) const = default;
};
struct DropIdentity {
  QualifiedName table;
  std::string column;
  Identity identity;
  bool operator==(const DropIdentity&) const = default;
};

// Changes an identity's kind or options in place: the sequence keeps its position.
struct AlterIdentity {
  QualifiedName table;
  std::string column;
  Identity identity;
  Identity old_identity;
  bool operator==(const AlterIdentity&) const = default;
};

struct AddPrimaryKey {
  QualifiedName table;
  PrimaryKey primary_key;
  bool operator==(const AddPrimaryKey&) const = default;
};
struct DropPrimaryKey {
  QualifiedName table;
  PrimaryKey primary_key;
  bool operator==(const DropPrimaryKey&) const = default;
};
struct AddUnique {
  QualifiedName table;
  UniqueConstraint unique;
  bool operator==(const AddUnique&) const = default;
};
struct DropUnique {
  QualifiedName table;
  UniqueConstraint unique;
  bool operator==(const DropUnique&) const = default;
};
struct AddCheck {
  QualifiedName table;
  CheckConstraint check;
  bool operator==(const AddCheck&) const = default;
};
struct DropCheck {
  QualifiedName table;
  CheckConstraint check;
  bool operator==(const DropCheck&) const = default;
};
struct AddForeignKey {
  QualifiedName table;
  ForeignKey foreign_key;
  bool operator==(const AddForeignKey&) const = default;
};
struct DropForeignKey {
  QualifiedName table;
  ForeignKey foreign_key;
  bool operator==(const DropForeignKey&) const = default;
};
struct CreateIndex {
  QualifiedName table;
  Index index;
  bool operator==(const CreateIndex&) const = default;
};
struct DropIndex {
  QualifiedName table;
  Index index;
  bool operator==(const DropIndex&) const = default;
};

struct SetTableComment {
  QualifiedName table;
  std::optional<std::string> comment;  // nullopt removes it
  std::optional<std::string> old_comment;
  bool operator==(const SetTableComment&) const = default;
};
struct SetColumnComment {
  QualifiedName table;
  std::string column;
  std::optional<std::string> comment;
  std::optional<std::string> old_comment;
  bool operator==(const SetColumnComment&) const = default;
};

// Hand-written SQL. Without down_sql the op cannot be reverted.
struct Execute {
  std::string sql;
  std::optional<std::string> down_sql;
  // false: runs outside the revision's transaction (CREATE INDEX CONCURRENTLY and the like); such
  // an op must be the only op of its list. See docs/revision-format.md.
  bool transactional = true;
  bool operator==(const Execute&) const = default;
};

}  // namespace op

using Op =
    std::variant<op::CreateSchema, op::DropSchema, op::CreateEnum, op::DropEnum, op::AddEnumLabel,
                 op::CreateTable, op::DropTable, op::AddColumn, op::DropColumn, op::AlterColumnType,
                 op::SetNotNull, op::DropNotNull, op::SetDefault, op::DropDefault, op::AddIdentity,
                 op::DropIdentity, op::AlterIdentity, op::AddPrimaryKey, op::DropPrimaryKey,
                 op::AddUnique, op::DropUnique, op::AddCheck, op::DropCheck, op::AddForeignKey,
                 op::DropForeignKey, op::CreateIndex, op::DropIndex, op::SetTableComment,
                 op::SetColumnComment, op::Execute>;

// The op's name in a revision file: "create_table", "add_column", ...
std::string op_name(const Op& op);

// {"op": "add_column", ...fields}: the revision-file form.
ordered_json to_json(const Op& op);
// Strict: unknown op names, missing fields and wrong types are errors naming the JSON path.
Op op_from_json(const JsonCursor& c);

// The statements that apply the op, in order, each without a trailing semicolon.
std::vector<std::string> to_sql(const Op& op);

// The op that undoes this one; nullopt when it cannot be undone (add_enum_label, an execute
// without down_sql).
std::optional<Op> inverse(const Op& op);

// One human line: "add column public.members.email (text NULL)".
std::string describe(const Op& op);

}  // namespace retort
