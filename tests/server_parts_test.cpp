// hammertime-server's parts on their own: the lateness histogram, the fault slices,
// the path lookup.
#include <gtest/gtest.h>

#include "common/histogram.hpp"
#include "servers/faults.hpp"
#include "servers/payloads.hpp"
#include "servers/request_query.hpp"

namespace hammertime::server {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(request_query, a_key_is_found_only_as_a_whole_name_before_its_equals_sign) {
  EXPECT_EQ(query_value("a=1&delay_ms=200", "delay_ms"), "200");
  EXPECT_EQ(query_value("xdelay_ms=5&delay_ms=", "delay_ms"), "");
  EXPECT_EQ(query_value("xdelay_ms=5", "delay_ms"), std::nullopt);
  EXPECT_EQ(query_value("delay_ms", "delay_ms"), std::nullopt);
  EXPECT_EQ(query_value("", "delay_ms"), std::nullopt);
}

TEST(request_query, a_delay_is_a_whole_number_of_milliseconds_up_to_the_most) {
  EXPECT_EQ(delay_asked("200", milliseconds(600000)), milliseconds(200));
  EXPECT_EQ(delay_asked("600001", milliseconds(600000)), std::nullopt);
  EXPECT_EQ(delay_asked("-1", milliseconds(600000)), std::nullopt);
  EXPECT_EQ(delay_asked("1e3", milliseconds(600000)), std::nullopt);
  EXPECT_EQ(delay_asked("99999999999999999999", milliseconds(600000)), std::nullopt);
}

TEST(request_query, a_send_stamp_from_the_future_or_before_counting_began_is_not_a_wait) {
  auto since = steady_clock::now();
  auto now = since + milliseconds(50);
  auto stamp = [](steady_clock::time_point when) {
    return std::to_string(
        std::chrono::duration_cast<microseconds>(when.time_since_epoch()).count());
  };
  EXPECT_EQ(queue_wait(stamp(now - milliseconds(20)), now, since), milliseconds(20));
  EXPECT_EQ(queue_wait(stamp(now + milliseconds(1)), now, since), std::nullopt);
  EXPECT_EQ(queue_wait(stamp(since - milliseconds(1)), now, since), std::nullopt);
  EXPECT_EQ(queue_wait("1000000", now, since), std::nullopt);  // long before the server
  EXPECT_EQ(queue_wait("-9223372036854775808", now, since), std::nullopt);
  EXPECT_EQ(queue_wait("9223372036854775807", now, since), std::nullopt);
  EXPECT_EQ(queue_wait("12abc", now, since), std::nullopt);
}

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
