// The introspector's reading tools, shared with the kinds that read their own rows of the fixed
// catalog queries (src/kinds/index.cpp, enum.cpp). Internal to lib.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "retort/schema.hpp"

namespace retort::catalog {

// A row's values by column number, read through one pqxx::field that moves along the row. In
// libpqxx 6, row[i] and *iterator copy the whole result handle (two atomic reference counts)
// for every value; on 200,000 columns that costs more than reading them. A returned field is
// valid until the next operator[] call.
class Values {
 public:
  explicit Values(const pqxx::row& row) : m_field(row.begin()) {}
  const pqxx::field& operator[](pqxx::row::difference_type col) const {
    m_field += col - m_col;
    m_col = col;
    return m_field;
  }

 private:
  mutable pqxx::const_row_iterator m_field;
  mutable pqxx::row::difference_type m_col = 0;
};

// A result's rows as Values, for range-for. Holds the result, so a temporary may be passed.
class Rows {
 public:
  explicit Rows(const pqxx::result& result) : m_result(result) {}
  class iterator {
   public:
    explicit iterator(pqxx::result::const_iterator it) : m_it(std::move(it)) {}
    Values operator*() const { return Values(m_it); }
    iterator& operator++() {
      ++m_it;
      return *this;
    }
    bool operator!=(const iterator& other) const { return m_it != other.m_it; }

   private:
    pqxx::result::const_iterator m_it;
  };
  iterator begin() const { return iterator(m_result.begin()); }
  iterator end() const { return iterator(m_result.end()); }

 private:
  pqxx::result m_result;
};

inline std::optional<std::string> text(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return std::string(f.c_str(), f.size());
}

inline bool boolean(const pqxx::field& f) { return !f.is_null() && f.c_str()[0] == 't'; }

inline std::int64_t integer(const pqxx::field& f) { return std::strtoll(f.c_str(), nullptr, 10); }

inline std::vector<std::string> names(const pqxx::field& f) {
  std::vector<std::string> out;
  if (f.is_null()) return out;
  for (const auto& v : nlohmann::json::parse(f.c_str())) out.push_back(v.get<std::string>());
  return out;
}

inline std::uint32_t oid(const pqxx::field& f) {
  return static_cast<std::uint32_t>(std::strtoul(f.c_str(), nullptr, 10));
}

// "{2,1}" (an int2[] of attnums) -> the attnums, in that order.
inline std::vector<int> attnum_list(const pqxx::field& f) {
  std::vector<int> out;
  const char* p = f.c_str();
  while (*p) {
    if (*p < '0' || *p > '9') {
      ++p;
      continue;
    }
    int n = 0;
    while (*p >= '0' && *p <= '9') n = n * 10 + (*p++ - '0');
    out.push_back(n);
  }
  return out;
}

// What the queries say about a column beyond the Column itself, until identity and serial are
// settled.
struct ColumnFacts {
  int attnum = 0;
  char identity = 0;
};

// A table being read, found by oid, with its columns' facts parallel to table->columns.
struct TableRef {
  Table* table;
  std::vector<ColumnFacts> facts;

  Column* column(int attnum) {
    auto it = std::lower_bound(facts.begin(), facts.end(), attnum,
                               [](const auto& f, int n) { return f.attnum < n; });
    return it != facts.end() && it->attnum == attnum ? &table->columns[it - facts.begin()]
                                                     : nullptr;
  }
  std::vector<std::string> names(const std::vector<int>& attnums) {
    std::vector<std::string> out;
    for (int n : attnums)
      if (auto* c = column(n)) out.push_back(c->name);
    return out;
  }
  // The query gives no order; attnum order is the table's.
  void sort() {
    auto by_attnum = [](const ColumnFacts& a, const ColumnFacts& b) { return a.attnum < b.attnum; };
    if (std::is_sorted(facts.begin(), facts.end(), by_attnum)) return;
    std::vector<std::size_t> order(facts.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return facts[a].attnum < facts[b].attnum; });
    std::vector<ColumnFacts> sorted_facts;
    std::vector<Column> sorted_columns;
    for (auto i : order) {
      sorted_facts.push_back(facts[i]);
      sorted_columns.push_back(std::move(table->columns[i]));
    }
    facts = std::move(sorted_facts);
    table->columns = std::move(sorted_columns);
  }
};

// The tables being read, by oid.
class Catalog {
 public:
  TableRef* table(const pqxx::field& f) {
    auto it = m_by_oid.find(oid(f));
    return it == m_by_oid.end() ? nullptr : &it->second;
  }
  std::unordered_map<std::uint32_t, TableRef>& tables() { return m_by_oid; }

 private:
  std::unordered_map<std::uint32_t, TableRef> m_by_oid;
};

// What kinds read from the catalog, each in a query of the fixed set (see introspect.cpp).
extern const char* const kIndexesQuery;
void read_indexes(Catalog& catalog, const pqxx::result& rows);
extern const char* const kEnumsQuery;
void read_enums(Schema& schema, const pqxx::result& rows);
extern const char* const kGrantsColumn;  // of the tables query
void read_grants(Table& table, const pqxx::field& grants);
extern const char* const kExtensionsQuery;
void read_extensions(Schema& schema, const pqxx::result& rows);
extern const char* const kSequencesQuery;
void read_sequence_objects(Schema& schema, const pqxx::result& rows);
extern const char* const kDomainsQuery;
void read_domains(Schema& schema, const pqxx::result& rows);
extern const char* const kCompositesQuery;
void read_composites(Schema& schema, const pqxx::result& rows);
extern const char* const kPoliciesQuery;
void read_policies(Catalog& catalog, const pqxx::result& rows);
extern const char* const kViewsQuery;
void read_views(Schema& schema, const pqxx::result& rows);
extern const char* const kDependenciesQuery;
void read_dependencies(Schema& schema, const pqxx::result& rows);
// The target's views in the server's spelling (kinds/view.cpp); `tx` is rolled back by the caller.
void canonicalize_views(pqxx::dbtransaction& tx, const Schema& current, Schema& target);
extern const char* const kTriggersQuery;
void read_triggers(Catalog& catalog, const pqxx::result& rows);
extern const char* const kFunctionsQuery;
void read_functions(Schema& schema, const pqxx::result& rows);
extern const char* const kPartitionsQuery;
void read_partitions(Catalog& catalog, const pqxx::result& rows);
void canonicalize_partitions(pqxx::dbtransaction& tx, const Schema& current, Schema& target);
// The target's functions in the server's spelling, inside a transaction the caller rolls back.
void canonicalize_functions(pqxx::dbtransaction& tx, const Schema& current, Schema& target);

// The tables among `tables` that may hold rows (compare.cpp): those with pages, and those with
// none of their own (partitioned). One query.
std::set<QualifiedName> tables_with_pages(pqxx::transaction_base& tx,
                                          const std::vector<QualifiedName>& tables);

}  // namespace retort::catalog
