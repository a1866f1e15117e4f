// A model added in one file (toy_model.cpp, linked into this test alone) is listed,
// picked by its family's selector, and gets its colour; the blocking family's suite,
// built into this test too, runs it with exact tallies.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "harness/cell.hpp"
#include "harness/cli.hpp"
#include "harness/list_command.hpp"
#include "harness/model_selection.hpp"
#include "models/model.hpp"

namespace hammertime::harness {
namespace {

TEST(toy_model, is_found_by_its_name_after_the_registrys_models) {
  const auto* toy = models::find_model("toy_threads");
  ASSERT_NE(toy, nullptr);
  EXPECT_EQ(&models::all_models().back(), toy);
}

TEST(toy_model, is_listed_with_its_label_family_and_colour) {
  auto catalog = boost::json::parse(model_catalog_text()).as_array();
  auto toy = std::find_if(catalog.begin(), catalog.end(), [](const auto& entry) {
    return entry.at("name") == "toy_threads";
  });
  ASSERT_NE(toy, catalog.end());
  EXPECT_EQ(toy->at("label"), "toy threads");
  EXPECT_EQ(toy->at("kind"), "model");
  EXPECT_EQ(toy->at("family"), "blocking");
  EXPECT_EQ(toy->at("colour"), "#123456");
  EXPECT_EQ(toy->at("each_task_holds"), "thread");
}

TEST(toy_model, is_picked_by_its_family_and_by_all_but_not_by_the_other_family) {
  const auto* toy = models::find_model("toy_threads");
  auto has_toy = [&](std::string_view list) {
    auto chosen = select_models(list).models;
    return std::find(chosen.begin(), chosen.end(), toy) != chosen.end();
  };
  EXPECT_TRUE(has_toy("family:blocking"));
  EXPECT_TRUE(has_toy("all"));
  EXPECT_FALSE(has_toy("family:event_loop"));
  EXPECT_FALSE(has_toy("all,-toy_threads"));
}

TEST(toy_model, runs_in_a_family_plan_line_with_a_cell_of_its_own) {
  std::vector<std::string_view> args{
      "--workload", "sleep",         "--models", "family:blocking", "--items",
      "10",         "--concurrency", "10",       "--repetitions",   "1"};
  auto cells = plan_cells(parse_run_options(args));
  EXPECT_TRUE(std::any_of(cells.begin(), cells.end(), [](const cell& one) {
    return one.name() == "sleep/toy_threads/C:10";
  }));
}

TEST(toy_model, needs_a_thread_and_a_connection_a_task) {
  models::job work;
  work.items = 20;
  work.concurrency = 5;
  auto needs = models::needs_of(*models::find_model("toy_threads"), work);
  EXPECT_EQ(needs.threads, 5u);
  EXPECT_EQ(needs.connections, 5u);
  EXPECT_EQ(needs.open_files, 5u);
  EXPECT_EQ(needs.processes, 0u);
}

}  // namespace
}  // namespace hammertime::harness
