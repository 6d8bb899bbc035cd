// Partitions of a partitioned table: CREATE TABLE ... PARTITION OF, DROP TABLE, and a changed bound
// as DETACH PARTITION + ATTACH PARTITION (the rows stay). The partition key and the bounds are
// compared as the server prints them (pg_get_partkeydef, pg_get_expr(relpartbound)).
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

ordered_json to_json(const Partition& p);
void from_json(const JsonCursor& c, Partition& out);

namespace op {

// What the four ops do: CREATE TABLE ... PARTITION OF and DROP TABLE, or ATTACH PARTITION and
// DETACH PARTITION (the rows stay).
enum class PartitionChange { create, drop, attach, detach };
std::vector<std::string> partition_sql(const QualifiedName& table, const Partition& p,
                                       PartitionChange change);
std::string describe_partition(const QualifiedName& table, const Partition& p,
                               PartitionChange change);

// One template for the four ops, which carry the same fields; create and drop undo each other,
// attach and detach too.
template <PartitionChange kChange>
struct PartitionOp {
  static constexpr PartitionChange kInverse[] = {PartitionChange::drop, PartitionChange::create,
                                                 PartitionChange::detach, PartitionChange::attach};
  static constexpr std::string_view kNames[] = {"create_partition", "drop_partition",
                                                "attach_partition", "detach_partition"};
  static constexpr std::string_view kName = kNames[static_cast<int>(kChange)];
  QualifiedName table;
  Partition partition;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("partition", o.partition);
  }
  std::vector<std::string> sql() const { return partition_sql(table, partition, kChange); }
  PartitionOp<kInverse[static_cast<int>(kChange)]> inverse() const { return {table, partition}; }
  std::string describe() const { return describe_partition(table, partition, kChange); }
  bool operator==(const PartitionOp&) const = default;
};
using CreatePartition = PartitionOp<PartitionChange::create>;
using DropPartition = PartitionOp<PartitionChange::drop>;
using AttachPartition = PartitionOp<PartitionChange::attach>;
using DetachPartition = PartitionOp<PartitionChange::detach>;

}  // namespace op

struct PartitionKind {
  using Ops =
      TypeList<op::CreatePartition, op::DropPartition, op::AttachPartition, op::DetachPartition>;
};

}  // namespace retort
