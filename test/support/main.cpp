// main() of every integration test executable: the throwaway server is stopped after the tests,
// whether they passed or failed.
#include <gtest/gtest.h>

#include "pg_server.hpp"

namespace {
class ServerEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { retort::test::PgServer::stop_if_started(); }
};
}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new ServerEnvironment);
  return RUN_ALL_TESTS();
}
