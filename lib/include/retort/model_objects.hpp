// Model builders for schema-level objects (sequences, domains, composite types), returned by
// ModelSet::sequence / domain / composite (model.hpp). Each holds the object being declared.
#pragma once

#include <cstdint>
#include <string>

#include "retort/schema.hpp"
#include "retort/type_mapping.hpp"

namespace retort {

// m.sequence("public.member_number").as("integer").start(1000).owned_by("members", "number")
class SequenceBuilder {
 public:
  explicit SequenceBuilder(Sequence& s) : m_s(&s) {}
  SequenceBuilder& as(std::string_view type) {  // smallint, integer or bigint (the default)
    m_s->type = canonical_type(type);
    return *this;
  }
  SequenceBuilder& start(std::int64_t v) { return set(m_s->start, v); }
  SequenceBuilder& increment(std::int64_t v) { return set(m_s->increment, v); }
  SequenceBuilder& min_value(std::int64_t v) { return set(m_s->min_value, v); }
  SequenceBuilder& max_value(std::int64_t v) { return set(m_s->max_value, v); }
  SequenceBuilder& cache(std::int64_t v) { return set(m_s->cache, v); }
  SequenceBuilder& cycle(bool on = true) {
    m_s->cycle = on;
    return *this;
  }
  // OWNED BY table.column (a table of the sequence's schema): dropped with the column.
  SequenceBuilder& owned_by(std::string table, std::string column) {
    m_s->owned_by_table = std::move(table);
    m_s->owned_by_column = std::move(column);
    return *this;
  }

 private:
  SequenceBuilder& set(std::optional<std::int64_t>& field, std::int64_t v) {
    field = v;
    return *this;
  }
  Sequence* m_s;
};

// m.domain("email_address", "citext").not_null().check("email_has_at", "VALUE LIKE '%@%'")
class DomainBuilder {
 public:
  explicit DomainBuilder(Domain& d) : m_d(&d) {}
  DomainBuilder& server_default(std::string sql_expr) {
    m_d->default_expr = std::move(sql_expr);
    return *this;
  }
  DomainBuilder& not_null() {
    m_d->not_null = true;
    return *this;
  }
  DomainBuilder& check(std::string name, std::string expr) {  // VALUE names the value
    m_d->checks.push_back({std::move(name), std::move(expr)});
    return *this;
  }

 private:
  Domain* m_d;
};

// m.composite("address").attribute("street", "text").attribute("zip", "varchar(10)")
class CompositeBuilder {
 public:
  explicit CompositeBuilder(CompositeType& t) : m_t(&t) {}
  CompositeBuilder& attribute(std::string name, std::string_view type) {
    m_t->attributes.push_back({std::move(name), canonical_type(type)});
    return *this;
  }

 private:
  CompositeType* m_t;
};

}  // namespace retort
