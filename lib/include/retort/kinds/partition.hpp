// Partitions of a partitioned table: CREATE TABLE ... PARTITION OF, DROP TABLE, and a changed bound
// as DETACH PARTITION + ATTACH PARTITION (the rows stay). The partition key and the bounds are
// compared as the server prints them (pg_get_partkeydef, pg_get_expr(relpartbound)).
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

ordered_json to_json(const Partition& p);
void from_json(const JsonCursor& c, Partition& out);

namespace op {

// The four ops share their fields: the parent table and the partition.
template <class Self, class F>
void partition_fields(Self& o, F& f) {
  f("table", o.table);
  f("partition", o.partition);
}

struct DropPartition;
struct DetachPartition;
struct CreatePartition {
  static constexpr std::string_view kName = "create_partition";
  QualifiedName table;
  Partition partition;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    partition_fields(o, f);
  }
  std::vector<std::string> sql() const;
  DropPartition inverse() const;
  std::string describe() const;
  bool operator==(const CreatePartition&) const = default;
};
struct DropPartition {
  static constexpr std::string_view kName = "drop_partition";
  QualifiedName table;
  Partition partition;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    partition_fields(o, f);
  }
  std::vector<std::string> sql() const;
  CreatePartition inverse() const;
  std::string describe() const;
  bool operator==(const DropPartition&) const = default;
};
struct AttachPartition {
  static constexpr std::string_view kName = "attach_partition";
  QualifiedName table;
  Partition partition;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    partition_fields(o, f);
  }
  std::vector<std::string> sql() const;
  DetachPartition inverse() const;
  std::string describe() const;
  bool operator==(const AttachPartition&) const = default;
};
struct DetachPartition {
  static constexpr std::string_view kName = "detach_partition";
  QualifiedName table;
  Partition partition;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    partition_fields(o, f);
  }
  std::vector<std::string> sql() const;
  AttachPartition inverse() const;
  std::string describe() const;
  bool operator==(const DetachPartition&) const = default;
};

}  // namespace op

struct PartitionKind {
  using Ops =
      TypeList<op::CreatePartition, op::DropPartition, op::AttachPartition, op::DetachPartition>;
};

}  // namespace retort
