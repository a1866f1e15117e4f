// hammertime-proxy: latency on the wire in front of any server (the talk's vaurien
// between the client and nginx), since this kernel offers no netem.
//
//   $ build/bin/hammertime-server --port 8001 &
//   $ build/bin/hammertime-proxy --listen 8002 --upstream 127.0.0.1:8001 --latency 250ms
//   listening on 127.0.0.1:8002, forwarding to 127.0.0.1:8001, each direction held 250ms
//   $ curl -so /dev/null -w '%{http_code} %{time_total}\n' localhost:8002/flags/br/br.gif
//   200 0.500785
#include <iostream>

#include "common/exit_codes.hpp"
#include "listening.hpp"
#include "proxy.hpp"

namespace {

std::string shown(const boost::asio::ip::tcp::endpoint& where) {
  auto address = where.address().to_string();
  if (where.address().is_v6()) address = '[' + address + ']';
  return address + ':' + std::to_string(where.port());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hammertime::server;
  namespace exit_code = hammertime::common::exit_code;
  auto parsed = parse_proxy_options(argc, argv);
  if (auto* error = std::get_if<usage_error>(&parsed)) {
    std::cerr << "hammertime-proxy: " << error->message << '\n';
    return exit_code::bad_usage;
  }
  if (std::holds_alternative<help_requested>(parsed)) {
    std::cout << proxy_usage_text;
    return exit_code::success;
  }
  try {
    const auto& settings = std::get<proxy_options>(parsed);
    delay_proxy proxy(settings);
    auto listening = proxy.local_endpoint();
    if (!is_loopback(listening.address()))
      std::cerr << "hammertime-proxy: warning: " << shown(listening)
                << " is reachable from the network, not only from this machine (the"
                   " default --bind 127.0.0.1 is)\n";
    if (auto control = proxy.control_endpoint())
      std::cout << "stats on http://" << shown(*control) << "/stats\n";
    auto micros = settings.latency.count();
    std::cout << "listening on " << shown(listening) << ", forwarding to "
              << settings.upstream_host << ':' << settings.upstream_port
              << ", each direction held "
              << (micros % 1000 == 0 ? std::to_string(micros / 1000) + "ms"
                                     : std::to_string(micros) + "us")
              << std::endl;
    proxy.run();
    std::cout << proxy.stats_json(false) << std::endl;
  } catch (const std::exception& error) {
    std::cerr << "hammertime-proxy: " << error.what() << '\n';
    return exit_code::failure;
  }
  return exit_code::success;
}
