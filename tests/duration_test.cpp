#include "common/duration.hpp"

#include <gtest/gtest.h>

namespace hammertime::server {
namespace {

using namespace std::chrono_literals;

TEST(duration, units_are_read_as_people_type_them) {
  EXPECT_EQ(common::parse_duration("500ms"), 500ms);
  EXPECT_EQ(common::parse_duration("1s"), 1s);
  EXPECT_EQ(common::parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(common::parse_duration("250us"), 250us);
  EXPECT_EQ(common::parse_duration("2m"), 2min);
  EXPECT_EQ(common::parse_duration("0ms"), 0ms);
}

TEST(duration, malformed_or_negative_or_unitless_text_is_refused) {
  for (auto text : {"", "abc", "100", "-5ms", "5 ms", "5msx", "ms"})
    EXPECT_FALSE(common::parse_duration(text).has_value()) << text;
}

TEST(duration, numbers_that_are_not_finite_or_overflow_the_microseconds_are_refused) {
  for (auto text : {"nanms", "NaNs", "infs", "infinityms", "-infms", "-0ms", "1e300m",
                    "1e400us", "153722867281m", "9223372036854775807us"})
    EXPECT_FALSE(common::parse_duration(text).has_value()) << text;
  EXPECT_EQ(common::parse_duration("1e6m"), 1'000'000min);
}

TEST(duration, a_range_is_low_dot_dot_high_and_never_backwards) {
  auto range = common::parse_delay_range("50ms..500ms");
  ASSERT_TRUE(range);
  EXPECT_EQ(range->low, 50ms);
  EXPECT_EQ(range->high, 500ms);
  auto fixed = common::parse_delay_range("100ms");
  ASSERT_TRUE(fixed);
  EXPECT_EQ(fixed->low, fixed->high);
  EXPECT_FALSE(common::parse_delay_range("500ms..50ms"));
  EXPECT_FALSE(common::parse_delay_range("50ms.."));
}

}  // namespace
}  // namespace hammertime::server
