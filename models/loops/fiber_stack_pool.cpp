#include "fiber_stack_pool.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <limits>
#include <string>
#include <system_error>

#include "common/machine_limits.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace hammertime::models {
namespace {

constexpr std::size_t chunk_bytes = 64u << 20;

#ifndef MADV_GUARD_INSTALL
constexpr int MADV_GUARD_INSTALL = 102;  // Linux 6.13; glibc 2.36's headers predate it
#endif

std::size_t page_size() { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

std::size_t round_up(std::size_t bytes, std::size_t to) {
  return (bytes + to - 1) / to * to;
}

// Bytes this process may still make resident: MemAvailable (0: unknown).
std::size_t memory_available() {
  std::ifstream meminfo("/proc/meminfo");
  for (std::string key; meminfo >> key;) {
    std::size_t kib = 0;
    meminfo >> kib;
    if (key == "MemAvailable:") return kib * 1024;
    meminfo.ignore(256, '\n');
  }
  return 0;
}

std::string mib(std::size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

fiber_stack_pool::fiber_stack_pool(std::size_t stack_size)
    : fiber_stack_pool(stack_size, std::numeric_limits<std::size_t>::max()) {
  default_budget_ = true;
}

fiber_stack_pool::fiber_stack_pool(std::size_t stack_size, std::size_t guard_budget)
    : stack_size_(round_up(std::max<std::size_t>(stack_size, 1), page_size())),
      slot_size_(stack_size_ + page_size()),
      slots_per_chunk_(std::max<std::size_t>(chunk_bytes / slot_size_, 1)),
      guard_budget_(guard_budget) {}

fiber_stack_pool::~fiber_stack_pool() {
  for (char* chunk : chunks_) munmap(chunk, slots_per_chunk_ * slot_size_);
}

void fiber_stack_pool::map_chunk(std::string_view who) {
  auto bytes = slots_per_chunk_ * slot_size_;
  void* chunk = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (chunk == MAP_FAILED) {
    if (errno != ENOMEM) throw std::system_error(errno, std::generic_category(), "mmap");
    throw common::machine_limit(
        std::string(who) + ": mmap refused " + mib(bytes) + " more for fiber stacks of " +
        std::to_string(stack_size_) + " bytes after " + mib(capacity_ * slot_size_) +
        ": the address space (`ulimit -v`, vm.overcommit_memory) is the "
        "limit; the largest N that fits is about " +
        std::to_string(capacity_) + ", or lower --stack-size");
  }
  chunks_.push_back(static_cast<char*>(chunk));
  capacity_ += slots_per_chunk_;
}

void fiber_stack_pool::reserve(std::size_t count, std::string_view who) {
  auto touched = count * page_size();  // the stack's top page: the fiber's record, frames
  auto available = memory_available();
  if (available != 0 && touched > available)
    throw common::machine_limit(
        std::string(who) + ": " + std::to_string(count) +
        " fibers touch at least a page of stack each (" + mib(touched) +
        ") but MemAvailable is " + mib(available) +
        ": memory is the limit; the largest N that fits is about " +
        std::to_string(available / page_size()));
  chunks_.reserve(count / slots_per_chunk_ + 1);
  free_.reserve(count);
  while (capacity_ < count) map_chunk(who);
}

boost::context::stack_context fiber_stack_pool::allocate() {
  char* bottom;
  if (!free_.empty()) {
    bottom = free_.back();
    free_.pop_back();
  } else {
    if (carved_ == capacity_) map_chunk("fiber_stack_pool");
    if (free_.capacity() <= carved_)
      free_.reserve(2 * carved_ + 64);  // room to give back
    bottom =
        chunks_[carved_ / slots_per_chunk_] + carved_ % slots_per_chunk_ * slot_size_;
    ++carved_;
    if (guarded_ < guard_budget_ && install_guard(bottom)) ++guarded_;
  }
  boost::context::stack_context stack;
  stack.size = stack_size_;
  stack.sp = bottom + slot_size_;  // stacks grow down from the slot's top
  return stack;
}

bool fiber_stack_pool::install_guard(char* page) {
  if (!guards_cost_maps_) {
    if (madvise(page, page_size(), MADV_GUARD_INSTALL) == 0) return true;
    guards_cost_maps_ = true;
    if (default_budget_)
      guard_budget_ = std::min(
          guard_budget_, guarded_ + common::read_machine_limits().max_map_count / 16);
    if (guarded_ >= guard_budget_) return false;
  }
  return mprotect(page, page_size(), PROT_NONE) == 0;
}

void fiber_stack_pool::deallocate(boost::context::stack_context& stack) noexcept {
  char* bottom = static_cast<char*>(stack.sp) - slot_size_;
#if defined(__SANITIZE_ADDRESS__)
  // A fiber unwound mid-call leaves its frames' redzones poisoned: the next fiber on
  // this stack must not trip over them.
  ASAN_UNPOISON_MEMORY_REGION(bottom + page_size(), stack_size_);
#endif
  free_.push_back(bottom);
}

}  // namespace hammertime::models
