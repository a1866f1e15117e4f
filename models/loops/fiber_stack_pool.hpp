// The fibers' stacks: fixed-size stacks carved out of large mmap'd chunks, so that a
// million fibers cost a few hundred maps, not two million (one mmap and one guard
// page a stack would stop at vm.max_map_count, 65,530 here, near 32,000 fibers).
// MAP_NORESERVE: only the pages a fiber touches cost memory, one or two for a sleeper.
//
// Guard pages: each stack sits above a page of its own, made a guard page for the
// first `guard_budget` stacks carved (by default all of them). Where the kernel has
// MADV_GUARD_INSTALL (Linux 6.13) a guard costs no map; before it, a guard is an
// mprotect that splits its chunk's mapping (up to two maps a guard), so by default only
// a sixteenth of vm.max_map_count get one. Past the budget the page is left as padding,
// and a stack overflow of more than a page is then silent corruption, not a crash:
// keep the stack generous.
//
//   fiber_stack_pool stacks(64 * 1024);
//   boost::context::fiber f(std::allocator_arg, stacks.allocator(), task);
#pragma once

#include <boost/context/stack_context.hpp>
#include <cstddef>
#include <string_view>
#include <vector>

namespace hammertime::models {

class fiber_stack_pool {
 public:
  // What Boost.Context copies into each fiber (a StackAllocator): the pool's address.
  class handle {
   public:
    explicit handle(fiber_stack_pool& pool) noexcept : pool_(&pool) {}
    boost::context::stack_context allocate() { return pool_->allocate(); }
    void deallocate(boost::context::stack_context& stack) noexcept {
      pool_->deallocate(stack);
    }

   private:
    fiber_stack_pool* pool_;
  };

  // Stacks of `stack_size` bytes (rounded up to whole pages), guarded as above.
  explicit fiber_stack_pool(std::size_t stack_size);
  fiber_stack_pool(std::size_t stack_size, std::size_t guard_budget);
  ~fiber_stack_pool();  // unmaps every chunk: every stack must be back by then
  fiber_stack_pool(const fiber_stack_pool&) = delete;
  fiber_stack_pool& operator=(const fiber_stack_pool&) = delete;

  handle allocator() noexcept { return handle(*this); }

  // A stack, reused (the last one given back) or freshly carved. Throws machine_limit
  // when mmap is refused (address space or memory), naming how many stacks fit.
  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& stack) noexcept;

  // Maps enough chunks for `count` stacks now, so a run that cannot fit stops before
  // its first item: throws machine_limit naming the limit and the largest count that
  // fits (address space: mmap; memory: a touched page a stack against MemAvailable).
  void reserve(std::size_t count, std::string_view who);

  std::size_t stack_size() const noexcept { return stack_size_; }
  std::size_t stacks_out() const noexcept { return carved_ - free_.size(); }
  std::size_t guarded() const noexcept { return guarded_; }
  std::size_t chunks() const noexcept { return chunks_.size(); }

 private:
  void map_chunk(std::string_view who);
  bool install_guard(char* page);

  std::size_t stack_size_;  // usable bytes
  std::size_t slot_size_;   // a page below the stack, then the stack
  std::size_t slots_per_chunk_;
  std::size_t guard_budget_;
  bool default_budget_ = false;    // lowered to the map budget if guards cost maps
  bool guards_cost_maps_ = false;  // no MADV_GUARD_INSTALL: mprotect instead
  std::size_t guarded_ = 0;
  std::size_t carved_ = 0;    // slots handed out at least once
  std::size_t capacity_ = 0;  // slots in the chunks mapped so far
  std::vector<char*> chunks_;
  std::vector<char*> free_;  // given back, each the bottom of its slot
};

}  // namespace hammertime::models
