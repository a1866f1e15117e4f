// hammertime-server's parts on their own: the lateness histogram, the fault slices,
// the path lookup.
#include <gtest/gtest.h>

#include "common/histogram.hpp"
#include "servers/faults.hpp"
#include "servers/payloads.hpp"

namespace hammertime::server {
namespace {

TEST(histogram, small_values_are_exact_and_percentiles_rank_them) {
  common::histogram lateness;
  for (std::uint64_t micros = 1; micros <= 100; ++micros) lateness.record(micros);
  auto summary = lateness.summarize();
  EXPECT_EQ(summary.count, 100u);
  EXPECT_EQ(summary.p50, 50u);
  EXPECT_EQ(summary.p99, 99u);
  EXPECT_EQ(summary.max, 100u);
}

TEST(histogram, large_values_are_within_two_percent_and_never_above_max) {
  common::histogram lateness;
  for (int i = 0; i < 99; ++i) lateness.record(1'500);
  lateness.record(1'000'000);
  auto summary = lateness.summarize();
  EXPECT_GE(summary.p50, 1'500u);
  EXPECT_LE(summary.p50, 1'530u);
  EXPECT_LE(summary.p99, 1'530u);
  EXPECT_EQ(summary.max, 1'000'000u);
  lateness.reset();
  EXPECT_EQ(lateness.summarize().count, 0u);
  EXPECT_EQ(lateness.summarize().max, 0u);
}

TEST(faults, each_fault_gets_a_slice_as_wide_as_its_rate) {
  fault_rates rates{.error = 0.25, .reset = 0.1, .truncate = 0.1, .stall = 0.05};
  EXPECT_EQ(pick_fault(rates, 0.00), fault::stall);
  EXPECT_EQ(pick_fault(rates, 0.049), fault::stall);
  EXPECT_EQ(pick_fault(rates, 0.051), fault::error);
  EXPECT_EQ(pick_fault(rates, 0.299), fault::error);
  EXPECT_EQ(pick_fault(rates, 0.301), fault::reset);
  EXPECT_EQ(pick_fault(rates, 0.401), fault::truncate);
  EXPECT_EQ(pick_fault(rates, 0.501), fault::none);
  EXPECT_EQ(pick_fault(fault_rates{}, 0.0), fault::none);
}

TEST(payloads, only_the_exact_lower_case_flag_path_is_found) {
  payloads flags;
  ASSERT_NE(flags.find("/flags/br/br.gif"), nullptr);
  EXPECT_EQ(flags.find("/flags/br/br.gif")->size(), 11623u);
  EXPECT_EQ(*flags.find("/flags/br/br.gif"), flag_payload("BR", 11623));
  EXPECT_EQ(flags.find("/flags/zz/zz.gif"), nullptr);
  EXPECT_EQ(flags.find("/flags/BR/BR.gif"), nullptr);
  EXPECT_EQ(flags.find("/flags/br/bs.gif"), nullptr);
  EXPECT_EQ(flags.find("/flags/{{/{{.gif"), nullptr);
}

}  // namespace
}  // namespace hammertime::server
