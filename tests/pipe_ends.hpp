// A nonblocking pipe for one test: what a loop test waits on, readable once written.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>

namespace hammertime::testing {

struct pipe_ends {
  int read = -1, write = -1;
  pipe_ends() {
    int ends[2];
    if (pipe2(ends, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    read = ends[0], write = ends[1];
  }
  ~pipe_ends() { close(read), close(write); }
  pipe_ends(const pipe_ends&) = delete;
  pipe_ends& operator=(const pipe_ends&) = delete;
};

}  // namespace hammertime::testing
