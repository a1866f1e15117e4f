// generator<T>: a coroutine that co_yields values of T to whoever resumes it, written
// by hand on the C++20 coroutine machinery. The generator loop's tasks are
// generator<wait>: each co_yield says what the task waits for.
//
//   generator<int> count_to(int n) { for (int i = 1; i <= n; ++i) co_yield i; }
//   for (int i : count_to(3)) std::cout << i;   // 123
//
// After cppcoro's generator.hpp: lazy start (nothing runs before the first resume), a
// pointer to the yielded value instead of a copy, no co_await inside, move-only, the
// destructor destroys the frame. An exception goes straight out of resume() to the
// resumer, as C++23's std::generator does it, instead of into an exception_ptr kept in
// every frame: 8 bytes less for each of a million sleeping tasks.
#pragma once

#include <coroutine>
#include <cstddef>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>

#include "owned_coroutine.hpp"

namespace hammertime::models {

template <typename T>
class generator;

namespace detail {

template <typename T>
class generator_promise {
 public:
  using value_type = std::remove_reference_t<T>;
  using reference_type = std::conditional_t<std::is_reference_v<T>, T, T&>;
  using pointer_type = value_type*;

  generator<T> get_return_object() noexcept;

  constexpr std::suspend_always initial_suspend() const noexcept { return {}; }
  constexpr std::suspend_always final_suspend() const noexcept { return {}; }

  std::suspend_always yield_value(value_type& value) noexcept {
    value_ = std::addressof(value);
    return {};
  }
  std::suspend_always yield_value(value_type&& value) noexcept {
    value_ = std::addressof(value);
    return {};
  }

  // Rethrown out of resume(); the frame is then at its final suspend point (done).
  void unhandled_exception() { throw; }
  void return_void() noexcept {}

  // Only the resumer decides when a generator runs: co_await inside one is an error.
  template <typename U>
  std::suspend_never await_transform(U&& value) = delete;

  reference_type value() const noexcept { return static_cast<reference_type>(*value_); }

 private:
  pointer_type value_ = nullptr;
};

}  // namespace detail

template <typename T>
class [[nodiscard]] generator {
 public:
  using promise_type = detail::generator_promise<T>;
  using handle_type = std::coroutine_handle<promise_type>;
  using reference = typename promise_type::reference_type;

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using difference_type = std::ptrdiff_t;
    using value_type = typename promise_type::value_type;

    iterator() noexcept = default;
    explicit iterator(handle_type coroutine) noexcept : coroutine_(coroutine) {}

    friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept {
      return !it.coroutine_ || it.coroutine_.done();
    }
    iterator& operator++() {
      coroutine_.resume();  // an exception of the body comes out here
      return *this;
    }
    void operator++(int) { ++*this; }
    reference operator*() const noexcept { return coroutine_.promise().value(); }

   private:
    handle_type coroutine_;
  };

  generator() noexcept = default;
  explicit generator(handle_type coroutine) noexcept : coroutine_(coroutine) {}

  // Runs the body up to its next co_yield (true) or to its end (false); an exception
  // the body threw comes out here. Never call it again once it returned false.
  bool next() {
    coroutine_.resume();
    return !coroutine_.done();
  }

  // The value of the last co_yield, by reference: the resumer may write to it.
  reference value() const noexcept { return coroutine_.promise().value(); }

  // Empty (default-constructed or moved from), or run to its end.
  bool done() const noexcept { return !coroutine_ || coroutine_.done(); }

  iterator begin() {
    if (coroutine_) next();
    return iterator{coroutine_.get()};
  }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  owned_coroutine<promise_type> coroutine_;  // move-only: so is the generator
};

namespace detail {

template <typename T>
generator<T> generator_promise<T>::get_return_object() noexcept {
  return generator<T>{std::coroutine_handle<generator_promise>::from_promise(*this)};
}

}  // namespace detail

}  // namespace hammertime::models
