#include "retort/kinds/rename.hpp"

#include <fmt/format.h>

#include "retort/kinds/table_item.hpp"
#include "retort/sql.hpp"

namespace retort::op {

namespace {

// A schema's name alone, a table's or a type's with its schema: quoted for SQL, plain for
// descriptions.
std::string quoted(const std::string& schema) { return quote_ident(schema); }
std::string quoted(const QualifiedName& name) { return qualified(name); }
const std::string& shown(const std::string& schema) { return schema; }
std::string shown(const QualifiedName& name) { return display(name); }

}  // namespace

template <class Name, const RenameForm& kForm>
std::vector<std::string> RenameObject<Name, kForm>::sql() const {
  return {fmt::format(fmt::runtime(kForm.sql), fmt::arg("name", quoted(name)),
                      fmt::arg("to", quote_ident(to)))};
}
template <class Name, const RenameForm& kForm>
std::string RenameObject<Name, kForm>::describe() const {
  return fmt::format(fmt::runtime(kForm.description), fmt::arg("name", shown(name)),
                     fmt::arg("to", to));
}

template <class Owner, const RenameForm& kForm>
std::vector<std::string> RenameMember<Owner, kForm>::sql() const {
  return {fmt::format(fmt::runtime(kForm.sql), fmt::arg("owner", quoted(owner)),
                      fmt::arg("from", quote_ident(from)), fmt::arg("to", quote_ident(to)),
                      fmt::arg("from_literal", quote_literal(from)),
                      fmt::arg("to_literal", quote_literal(to)))};
}
template <class Owner, const RenameForm& kForm>
std::string RenameMember<Owner, kForm>::describe() const {
  return fmt::format(fmt::runtime(kForm.description), fmt::arg("owner", shown(owner)),
                     fmt::arg("from", from), fmt::arg("to", to));
}

// The seven ops (the aliases in rename.hpp), whose sql() and describe() are defined here only.
template struct RenameObject<std::string, kSchemaRename>;
template struct RenameObject<QualifiedName, kTableRename>;
template struct RenameObject<QualifiedName, kEnumRename>;
template struct RenameMember<QualifiedName, kColumnRename>;
template struct RenameMember<QualifiedName, kEnumLabelRename>;
template struct RenameMember<std::string, kIndexRename>;
template struct RenameMember<QualifiedName, kConstraintRename>;

}  // namespace retort::op
