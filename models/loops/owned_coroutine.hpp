// owned_coroutine<Promise>: owns one coroutine frame as unique_ptr owns memory.
// Move-only; destroys the frame it holds when it goes or is assigned over. The generator
// loop's generator<T> and the io_uring model's uring_task<T> each hold one.
#pragma once

#include <coroutine>
#include <utility>

namespace hammertime::models {

template <typename Promise>
class owned_coroutine {
 public:
  using handle_type = std::coroutine_handle<Promise>;

  owned_coroutine() noexcept = default;
  explicit owned_coroutine(handle_type frame) noexcept : frame_(frame) {}
  owned_coroutine(owned_coroutine&& other) noexcept
      : frame_(std::exchange(other.frame_, {})) {}
  owned_coroutine& operator=(owned_coroutine&& other) noexcept {
    if (this != &other) {
      destroy();
      frame_ = std::exchange(other.frame_, {});
    }
    return *this;
  }
  ~owned_coroutine() { destroy(); }

  handle_type get() const noexcept { return frame_; }
  explicit operator bool() const noexcept { return static_cast<bool>(frame_); }
  bool done() const noexcept { return frame_.done(); }
  void resume() const { frame_.resume(); }
  Promise& promise() const noexcept { return frame_.promise(); }

 private:
  void destroy() noexcept {
    if (frame_) frame_.destroy();
  }

  handle_type frame_;
};

}  // namespace hammertime::models
