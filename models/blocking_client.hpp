// The blocking family's one client (cpp-httplib, keep-alive) and its one item step,
// shared by the sequential, thread pool and process pool models.
#pragma once

#include <memory>

#include "model.hpp"
#include "wire.hpp"

namespace httplib {
class Client;
}

namespace hammertime::models {

class blocking_client {
 public:
  explicit blocking_client(const job& work);
  ~blocking_client();
  blocking_client(const blocking_client&) = delete;
  blocking_client& operator=(const blocking_client&) = delete;

  // GET one flag; a network error or a timeout is outcome::failed, never a throw.
  fetch_result fetch(std::size_t index);

 private:
  const job& job_;
  std::unique_ptr<httplib::Client> http_;
};

// One item of either workload, done the blocking way (sleep_for, or fetch), timed
// and counted. `client` may be null for the sleep workload.
fetch_result do_blocking_item(const job& work, blocking_client* client, std::size_t index,
                              std::chrono::steady_clock::duration& latency);
void run_blocking_item(const job& work, blocking_client* client, std::size_t index,
                       tally& counts);

}  // namespace hammertime::models
