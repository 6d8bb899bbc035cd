// The shop's tables, registered for retort: shop_retort is built with these and nothing else.
#include "retort/cli/models.hpp"
#include "shop/models.hpp"

retort::ModelSet retort_models() {
  using namespace shop;
  retort::ModelSet m;
  m.table<Customer>("customers")
      .column(&Customer::id, "id", retort::primary_key, retort::identity())
      .column(&Customer::email, "email", retort::unique)
      .column(&Customer::name, "name");
  m.table<Order>("orders")
      .column(&Order::id, "id", retort::primary_key, retort::identity())
      .column(&Order::customer_id, "customer_id", retort::references("customers", {"id"}))
      .column(&Order::total_cents, "total_cents", retort::check("total_cents >= 0"));
  return m;
}
