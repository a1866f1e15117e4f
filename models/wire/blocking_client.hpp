// The blocking family's one client (cpp-httplib, keep-alive) and its one item step,
// shared by the sequential, thread pool and process pool models.
#pragma once

#include <memory>
#include <optional>

#include "models/model.hpp"
#include "wire.hpp"

namespace httplib {
class Client;
}

namespace hammertime::models {

class blocking_client {
 public:
  explicit blocking_client(const job& work);
  ~blocking_client();
  blocking_client(blocking_client&&) = default;
  blocking_client(const blocking_client&) = delete;
  blocking_client& operator=(const blocking_client&) = delete;

  // GET one flag; a network error or a timeout is outcome::failed, never a throw.
  fetch_result fetch(std::size_t index);
  // GET any path of the server, the same way.
  fetch_result get(const std::string& target);

 private:
  const job& job_;
  std::unique_ptr<httplib::Client> http_;
};

// The connection a blocking task keeps for all its items: none for the sleep workload.
using blocking_connection = std::optional<blocking_client>;
blocking_connection connection_for(const job& work);

// One item of either workload, done the blocking way (sleep until its deadline, or
// fetch on the task's connection), timed by model.hpp's sleep rule or from the
// request's start.
struct timed_result {
  fetch_result result;
  clock::duration latency{};
};
// The chained workload's item, as blocking code says it: two calls, one after the other.
fetch_result fetch_chained(blocking_client& client, const job& work, std::size_t index);

// Does the item (and the hammer's work on its body, on the calling thread) and says how
// it went; counts nothing (a worker process sends it on).
timed_result time_blocking_item(const job& work, blocking_connection& connection,
                                std::size_t index);
// Does the item and counts it.
void count_blocking_item(const job& work, blocking_connection& connection,
                         std::size_t index, tally& counts);

}  // namespace hammertime::models
