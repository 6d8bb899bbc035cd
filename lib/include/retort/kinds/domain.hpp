// Domains: CREATE DOMAIN before the tables using them, changed in place with ALTER DOMAIN
// (default, NOT NULL, named checks), dropped after the last column using them.
#pragma once

#include "retort/kinds/schema_object.hpp"

namespace retort {

ordered_json to_json(const Domain& d);
void from_json(const JsonCursor& c, Domain& out);

struct DomainKind {
  using Object = Domain;
  static constexpr std::string_view kCreateName = "create_domain";
  static constexpr std::string_view kDropName = "drop_domain";
  static constexpr std::string_view kAlterName = "alter_domain";
  static constexpr std::string_view kJsonKey = "domain";
  static constexpr std::string_view kNoun = "domain";
  static std::vector<std::string> create_sql(const std::string& schema, const Domain& d);
  static std::vector<std::string> drop_sql(const std::string& schema, const Domain& d);
  static std::vector<std::string> alter_sql(const std::string& schema, const Domain& from,
                                            const Domain& to);
  static std::string describe_create(const std::string& schema, const Domain& d);
  static std::string describe_alter(const std::string& schema, const Domain& from,
                                    const Domain& to);
  using Ops = TypeList<op::CreateObject<DomainKind>, op::DropObject<DomainKind>,
                       op::AlterObject<DomainKind>>;
};

namespace op {
using CreateDomain = CreateObject<DomainKind>;
using DropDomain = DropObject<DomainKind>;
using AlterDomain = AlterObject<DomainKind>;
}  // namespace op

}  // namespace retort
