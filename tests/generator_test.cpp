// The hand-written generator type (models/generator.hpp), after cppcoro's own tests.
#include "models/loops/generator.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace hammertime::models {
namespace {

// Counts its live instances, so a test can see a frame's locals destroyed.
struct lifetime_counter {
  static inline int alive = 0;
  lifetime_counter() { ++alive; }
  lifetime_counter(const lifetime_counter&) { ++alive; }
  ~lifetime_counter() { --alive; }
};

generator<int> count_to(int last, bool& started) {
  started = true;
  for (int i = 1; i <= last; ++i) co_yield i;
}

TEST(generator, does_not_start_until_resumed) {
  bool started = false;
  auto numbers = count_to(3, started);
  EXPECT_FALSE(started);
  EXPECT_FALSE(numbers.done());
  EXPECT_TRUE(numbers.next());
  EXPECT_TRUE(started);
}

TEST(generator, yields_values_in_order_then_ends) {
  bool started = false;
  std::vector<int> seen;
  for (int i : count_to(4, started)) seen.push_back(i);
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 4}));
}

TEST(generator, next_and_value_step_through_the_same_values) {
  bool started = false;
  auto numbers = count_to(2, started);
  ASSERT_TRUE(numbers.next());
  EXPECT_EQ(numbers.value(), 1);
  ASSERT_TRUE(numbers.next());
  EXPECT_EQ(numbers.value(), 2);
  EXPECT_FALSE(numbers.next());
  EXPECT_TRUE(numbers.done());
}

generator<int> holds_a_counter_forever() {
  lifetime_counter held;
  for (int i = 0;; ++i) co_yield i;
}

TEST(generator, destroying_an_unfinished_generator_frees_its_frame) {
  ASSERT_EQ(lifetime_counter::alive, 0);
  {
    auto forever = holds_a_counter_forever();
    EXPECT_EQ(lifetime_counter::alive, 0);  // lazy: the body has not run yet
    forever.next();
    forever.next();
    EXPECT_EQ(lifetime_counter::alive, 1);
  }
  EXPECT_EQ(lifetime_counter::alive, 0);
}

TEST(generator, is_move_only_and_a_moved_from_generator_is_empty) {
  static_assert(!std::is_copy_constructible_v<generator<int>>);
  static_assert(!std::is_copy_assignable_v<generator<int>>);
  static_assert(std::is_nothrow_move_constructible_v<generator<int>>);
  bool started = false;
  auto first = count_to(3, started);
  ASSERT_TRUE(first.next());
  auto second = std::move(first);
  EXPECT_TRUE(first.done());
  EXPECT_TRUE(first.begin() == first.end());
  EXPECT_EQ(second.value(), 1);
  ASSERT_TRUE(second.next());
  EXPECT_EQ(second.value(), 2);
}

template <typename promise>
concept can_co_await_inside = requires(promise& p) {
  p.await_transform(std::suspend_always{});
};

struct promise_that_awaits_anything {
  template <typename U>
  U&& await_transform(U&& awaitable) {
    return std::forward<U>(awaitable);
  }
};

TEST(generator, forbids_co_await_inside_itself) {
  static_assert(can_co_await_inside<promise_that_awaits_anything>);
  static_assert(!can_co_await_inside<generator<int>::promise_type>);
}

TEST(generator, move_assignment_destroys_the_frame_it_replaces) {
  auto held = holds_a_counter_forever();
  held.next();
  EXPECT_EQ(lifetime_counter::alive, 1);
  held = generator<int>{};
  EXPECT_EQ(lifetime_counter::alive, 0);
  EXPECT_TRUE(held.done());
}

generator<int> throws_after(int count) {
  for (int i = 0; i < count; ++i) co_yield i;
  throw std::runtime_error("boom after " + std::to_string(count));
}

TEST(generator, an_exception_in_the_body_is_rethrown_to_the_resumer) {
  auto numbers = throws_after(1);
  ASSERT_TRUE(numbers.next());
  EXPECT_THROW(
      {
        try {
          numbers.next();
        } catch (const std::runtime_error& error) {
          EXPECT_STREQ(error.what(), "boom after 1");
          throw;
        }
      },
      std::runtime_error);
  EXPECT_TRUE(numbers.done());
  auto run_to_the_end = [] {
    int last = -1;
    for (int i : throws_after(2)) last = i;
    return last;
  };
  EXPECT_THROW(run_to_the_end(), std::runtime_error);
}

generator<std::string&> yields_a_local_by_reference(std::string& seen_after_resume) {
  std::string value = "from the generator";
  co_yield value;
  seen_after_resume = value;
}

TEST(generator, yields_a_reference_to_the_value_not_a_copy) {
  std::string seen;
  auto values = yields_a_local_by_reference(seen);
  ASSERT_TRUE(values.next());
  values.value() = "written by the resumer";
  EXPECT_FALSE(values.next());
  EXPECT_EQ(seen, "written by the resumer");
}

}  // namespace
}  // namespace hammertime::models
