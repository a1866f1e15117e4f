// The wire every model shares: which item is which flag, the URL to ask for it, what
// an HTTP status means for the tally, and the server's address, looked up once.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "models/model.hpp"

namespace hammertime::models {

// The classic demo's item list: every two-letter code AA, AB, ..., ZZ.
inline constexpr std::size_t flag_code_count = 26 * 26;

// "AA" for 0, "AB" for 1, ..., "ZZ" for 675.
std::string flag_code(std::size_t index);

// "/flags/ad/ad.gif?delay_ms=100&sent_us=T": the demo's path (lower case), with the
// run's delay asked explicitly so that the ideal a run is compared with is the delay it
// really got, and the time the client built the request (steady clock, µs), so that a
// server on the same machine can count how long it waited on the client's side before
// the server's kernel received it. Build it just before the request is sent.
std::string flag_target(std::size_t index, std::chrono::milliseconds delay);

// "/flags/ad/metadata.json?delay_ms=100&sent_us=T": the chained workload's first request,
// the country's name (404 for a code with no flag).
std::string metadata_target(std::size_t index, std::chrono::milliseconds delay);

// A chained item after its second request: the flag's outcome, the bytes of both.
fetch_result chain(const fetch_result& metadata, const fetch_result& flag);

// 200 is a flag, 404 a code that does not exist, anything else a failure.
outcome classify(int http_status);

struct socket_address {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

// host:port, resolved once per run. A host that does not resolve gives an address
// every connect fails on (AF_UNSPEC), so each item is counted failed.
socket_address resolve(const std::string& host, std::uint16_t port);

// A TCP socket for `server`, Nagle off, with `flags` (SOCK_NONBLOCK) besides CLOEXEC;
// -1 when the socket cannot be made. Throws machine_limit when the descriptors ran out.
int open_client_socket(const socket_address& server, int flags = 0);

// What the tasks of one single-threaded run share: the job, its tally, the items still
// to take, and the server's address, looked up once.
struct run_state {
  run_state(const job& work, tally& counts)
      : work(work),
        counts(counts),
        items(work.items),
        server(resolve(work.host, work.port)) {}

  const job& work;
  tally& counts;
  item_source items;
  socket_address server;
};

}  // namespace hammertime::models
