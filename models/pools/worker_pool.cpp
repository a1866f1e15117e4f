#include "worker_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

#include "common/machine_limits.hpp"
#include "models/model.hpp"

namespace hammertime::models {
namespace {

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

void reap(pid_t& pid) {
  while (pid > 0 && waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid = -1;
}

// In a new worker: closes every descriptor but stdio and its own two pipe ends (the
// other workers' pipe ends above all, or they would never see their end of file).
void keep_only(int first, int second) {
  auto low = static_cast<unsigned>(std::min(first, second));
  auto high = static_cast<unsigned>(std::max(first, second));
  if (low > 3) close_range(3, low - 1, 0);
  if (high > low + 1) close_range(low + 1, high - 1, 0);
  close_range(high + 1, ~0U, 0);
}

[[noreturn]] void refuse(const char* call, int error, std::size_t started,
                         std::size_t count) {
  std::string what = std::string(call) + " failed after " + std::to_string(started) +
                     " of " + std::to_string(count) + " workers (" +
                     std::strerror(error) + ")";
  if (error == EMFILE)
    throw common::ran_out("process_pool", what + ", 2 pipe ends a worker",
                          common::machine_setting::open_files);
  if (error == ENFILE)
    throw common::ran_out("process_pool", what, common::machine_setting::file_max);
  if (error == EAGAIN)  // or kernel.threads-max, kernel.pid_max, the cgroup's pids.max
    throw common::ran_out("process_pool",
                          what + " (or kernel.pid_max, kernel.threads-max, pids.max)",
                          common::machine_setting::user_processes);
  if (error == ENOMEM) throw machine_limit("process_pool: " + what + ": out of memory");
  throw std::system_error(error, std::generic_category(), "process_pool: " + what);
}

// Moves a whole record through a pipe with read or write, retried on EINTR; false at
// end of file or on an error.
template <typename Bytes, typename Call>
bool transfer(int fd, Bytes* at, std::size_t size, Call call) {
  while (size > 0) {
    auto moved = call(fd, at, size);
    if (moved < 0 && errno == EINTR) continue;
    if (moved <= 0) return false;
    at += moved, size -= static_cast<std::size_t>(moved);
  }
  return true;
}

}  // namespace

bool read_record(int fd, void* record, std::size_t size) {
  return transfer(fd, static_cast<char*>(record), size, ::read);
}

bool write_record(int fd, const void* record, std::size_t size) {
  return transfer(fd, static_cast<const char*>(record), size, ::write);
}

worker_pool::worker_pool(std::size_t count) : count_(count) {
  workers_.reserve(count);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &previous_sigpipe_);
}

worker_pool::~worker_pool() {
  for (auto& worker : workers_) {
    close_fd(worker.to_worker);
    close_fd(worker.from_worker);
    if (worker.pid > 0) kill(worker.pid, SIGKILL);
    reap(worker.pid);
  }
  sigaction(SIGPIPE, &previous_sigpipe_, nullptr);
}

worker& worker_pool::fork_worker(const serve_function& serve) {
  auto started = workers_.size();
  if (started == count_)
    throw std::logic_error("process_pool: more workers than reserved");
  int items[2], records[2];
  if (pipe2(items, O_CLOEXEC) != 0) refuse("pipe", errno, started, count_);
  if (pipe2(records, O_CLOEXEC) != 0) {
    int error = errno;
    close(items[0]), close(items[1]);
    refuse("pipe", error, started, count_);
  }
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);  // the parent died before the line above
    keep_only(items[0], records[1]);
    try {
      serve(items[0], records[1]);
    } catch (...) {
      _exit(1);
    }
    _exit(0);
  }
  int error = errno;
  close(items[0]), close(records[1]);
  if (pid < 0) {
    close(items[1]), close(records[0]);
    refuse("fork", error, started, count_);
  }
  return workers_.emplace_back(worker{pid, items[1], records[0]});
}

bool worker_pool::any_alive() const {
  for (const auto& worker : workers_)
    if (worker.from_worker >= 0) return true;
  return false;
}

std::vector<worker*> worker_pool::wait_ready() {
  std::vector<pollfd> watched;
  std::vector<worker*> watched_workers, ready;
  for (auto& worker : workers_)
    if (worker.from_worker >= 0) {
      watched.push_back({worker.from_worker, POLLIN, 0});
      watched_workers.push_back(&worker);
    }
  while (poll(watched.data(), watched.size(), -1) < 0)
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
  for (std::size_t i = 0; i < watched.size(); ++i)
    if (watched[i].revents != 0) ready.push_back(watched_workers[i]);
  return ready;
}

bool worker_pool::send(worker& worker, std::uint64_t index) {
  if (worker.to_worker < 0 || !write_record(worker.to_worker, &index, sizeof index))
    return false;
  worker.unanswered.push_back(clock::now());
  return true;
}

bool worker_pool::receive(worker& worker, void* record, std::size_t size) {
  if (!read_record(worker.from_worker, record, size)) return false;
  if (!worker.unanswered.empty()) worker.unanswered.pop_front();
  return true;
}

void worker_pool::finish(worker& worker) { close_fd(worker.to_worker); }

void worker_pool::bury(worker& worker) {
  close_fd(worker.to_worker);
  close_fd(worker.from_worker);
  reap(worker.pid);
}

}  // namespace hammertime::models
