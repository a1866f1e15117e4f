// The plumbing of the process pool: forked workers, each with a pipe for the item
// indices it is handed and a pipe for the records it sends back. The parent holds two
// pipe ends per worker. A worker dies with the parent (PR_SET_PDEATHSIG) and leaves by
// _exit, never through the parent's stack; every worker is reaped before the pool goes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <vector>

#include "models/model.hpp"

namespace hammertime::models {

// Whole records over a pipe, retried on EINTR; false at end of file or on an error.
bool read_record(int fd, void* record, std::size_t size);
bool write_record(int fd, const void* record, std::size_t size);

// One worker, as the parent sees it.
struct worker {
  pid_t pid = -1;        // -1 once reaped
  int to_worker = -1;    // item indices go out here; -1 once closed
  int from_worker = -1;  // records come back here; -1 once closed
  // When each item it holds was sent, oldest first: the items it has not answered.
  std::deque<clock::time_point> unanswered;
};

class worker_pool {
 public:
  // Runs in the worker, after the fork, with the worker's two pipe ends.
  using serve_function = std::function<void(int from_parent, int to_parent)>;

  // At most `count` workers; the model's descriptor says what they need of the machine
  // (models/model.cpp, require_what_it_needs), asked before the run. Ignores SIGPIPE
  // while the pool lives: a dead worker is an error to count, not a signal that ends
  // the parent.
  explicit worker_pool(std::size_t count);
  ~worker_pool();  // closes every pipe, kills the workers still alive, reaps all
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  // Forks one more worker (at most `count`); throws machine_limit when fork or pipe
  // hits a limit of the machine.
  worker& fork_worker(const serve_function& serve);

  std::span<worker> workers() { return workers_; }
  bool any_alive() const;
  // Blocks until some workers have a record to read or have gone away.
  std::vector<worker*> wait_ready();

  // false when the worker is gone (the index was not delivered).
  bool send(worker& worker, std::uint64_t index);
  // false when the worker is gone before the whole record came back.
  bool receive(worker& worker, void* record, std::size_t size);
  // No more items for this worker: it exits once it has read the end of its pipe.
  void finish(worker& worker);
  // After receive() said the worker is gone: closes its pipes and reaps it.
  void bury(worker& worker);

 private:
  const std::size_t count_;
  std::vector<worker> workers_;
  struct sigaction previous_sigpipe_ {};
};

}  // namespace hammertime::models
