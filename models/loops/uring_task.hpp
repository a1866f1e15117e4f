// uring_task<T>: a coroutine that co_awaits io_uring completions (uring_loop.hpp) and
// other uring_tasks, and gives a T back to whoever awaits it.
//
//   uring_task<int> answer(uring_loop& loop) { co_await loop.nop(); co_return 42; }
//   uring_task<> caller(uring_loop& loop) { int value = co_await answer(loop); }
//
// After cppcoro's task.hpp: lazy start (nothing runs before it is awaited or started),
// symmetric transfer back to the awaiter when it ends (no stack growth), exceptions
// stored and rethrown to the awaiter, move-only, the destructor destroys the frame.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

#include "owned_coroutine.hpp"

namespace hammertime::models {

template <typename T = void>
class uring_task;

namespace detail {

class uring_promise_base {
 public:
  std::suspend_always initial_suspend() const noexcept { return {}; }

  struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    template <typename Promise>
    std::coroutine_handle<> await_suspend(
        std::coroutine_handle<Promise> ending) noexcept {
      auto continuation = ending.promise().continuation_;
      return continuation ? continuation : std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };
  final_awaiter final_suspend() const noexcept { return {}; }

  void unhandled_exception() noexcept { exception_ = std::current_exception(); }
  void set_continuation(std::coroutine_handle<> awaiter) noexcept {
    continuation_ = awaiter;
  }

  void rethrow_if_exception() {
    if (exception_) std::rethrow_exception(exception_);
  }

 private:
  std::coroutine_handle<> continuation_;  // null for a task started by the loop
  std::exception_ptr exception_;
};

template <typename T>
class uring_promise : public uring_promise_base {
 public:
  uring_task<T> get_return_object() noexcept;
  void return_value(T value) { value_ = std::move(value); }
  T result() {
    rethrow_if_exception();
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;
};

template <>
class uring_promise<void> : public uring_promise_base {
 public:
  uring_task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void result() { rethrow_if_exception(); }
};

}  // namespace detail

template <typename T>
class [[nodiscard]] uring_task {
 public:
  using promise_type = detail::uring_promise<T>;
  using handle_type = std::coroutine_handle<promise_type>;

  uring_task() noexcept = default;
  explicit uring_task(handle_type coroutine) noexcept : coroutine_(coroutine) {}

  // Awaiting a task starts it; its end resumes the awaiter at once (symmetric transfer).
  auto operator co_await() const& noexcept {
    struct awaiter {
      handle_type coroutine;
      bool await_ready() const noexcept { return !coroutine || coroutine.done(); }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
        coroutine.promise().set_continuation(awaiting);
        return coroutine;
      }
      T await_resume() { return coroutine.promise().result(); }
    };
    return awaiter{coroutine_.get()};
  }

  // A task nobody awaits (one the loop runs): runs it up to its first wait.
  void start() { coroutine_.resume(); }
  // Empty, or run to its end.
  bool done() const noexcept { return !coroutine_ || coroutine_.done(); }
  // What an ended task gave back; an exception it threw comes out here.
  T result() { return coroutine_.promise().result(); }

 private:
  owned_coroutine<promise_type> coroutine_;  // move-only: so is the task
};

namespace detail {

template <typename T>
uring_task<T> uring_promise<T>::get_return_object() noexcept {
  return uring_task<T>{std::coroutine_handle<uring_promise<T>>::from_promise(*this)};
}

inline uring_task<void> uring_promise<void>::get_return_object() noexcept {
  return uring_task<void>{
      std::coroutine_handle<uring_promise<void>>::from_promise(*this)};
}

}  // namespace detail
}  // namespace hammertime::models
