// hammertime-server: the classic flags demo, served on loopback with injected latency
// and faults, so any client can run offline.
//
//   $ build/bin/hammertime-server --port 8001 --delay 500ms
//   listening on http://127.0.0.1:8001
//   $ curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}\n' \
//       localhost:8001/flags/br/br.gif localhost:8001/flags/zz/zz.gif
//   200 11623 0.515343
//   404 10 0.506753
//   $ curl -s localhost:8001/stats
//   {"requests":{"200":1,"404":1},"answered":2,"faults":{"error":0,...},
//    "connections":{"open":1,"max":1,"accepted":3},"lateness_us":{"count":2,...},...}
#include <boost/asio/ip/address.hpp>
#include <iostream>

#include "common/exit_codes.hpp"
#include "listening.hpp"
#include "options.hpp"
#include "server.hpp"

int main(int argc, char** argv) {
  using namespace hammertime::server;
  namespace exit_code = hammertime::common::exit_code;
  auto parsed = parse_options(argc, argv);
  if (auto* error = std::get_if<usage_error>(&parsed)) {
    std::cerr << "hammertime-server: " << error->message << '\n';
    return exit_code::bad_usage;
  }
  if (std::holds_alternative<help_requested>(parsed)) {
    std::cout << usage_text;
    return exit_code::success;
  }
  try {
    server mock(std::get<options>(parsed));
    auto endpoint = mock.local_endpoint();
    auto address = endpoint.address().to_string();
    if (endpoint.address().is_v6()) address = '[' + address + ']';
    if (!is_loopback(endpoint.address()))
      std::cerr
          << "hammertime-server: warning: " << address
          << " is reachable from the network, not only from this machine (the default"
             " --bind 127.0.0.1 is)\n";
    std::cout << "listening on http://" << address << ':' << endpoint.port() << std::endl;
    mock.run();
  } catch (const std::exception& error) {
    std::cerr << "hammertime-server: " << error.what() << '\n';
    return exit_code::failure;
  }
  return exit_code::success;
}
