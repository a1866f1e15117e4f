// What hammertime-server and hammertime-proxy share about listening: whether an address
// is loopback, and an acceptor that binds and listens or says why in one line
// (accept_loop.hpp accepts on it).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <stdexcept>
#include <string>

namespace hammertime::server {

// Whether only this machine can reach the address: 127.0.0.0/8, ::1, and
// ::ffff:127.0.0.1 (IPv4's loopback written as IPv6).
inline bool is_loopback(const boost::asio::ip::address& address) {
  namespace ip = boost::asio::ip;
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return ip::make_address_v4(ip::v4_mapped, address.to_v6()).is_loopback();
  return address.is_loopback();
}

// Opens, binds (reusing the address) and listens; throws runtime_error with one line,
// without the Boost source location a system_error's what() carries: "port 8001 on
// 127.0.0.1 is in use".
inline void open_acceptor(boost::asio::ip::tcp::acceptor& acceptor,
                          const boost::asio::ip::tcp::endpoint& where) {
  namespace asio = boost::asio;
  boost::system::error_code error;
  acceptor.open(where.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(where, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (!error) return;
  auto address = where.address().to_string(), port = std::to_string(where.port());
  if (error == asio::error::address_in_use)
    throw std::runtime_error("port " + port + " on " + address + " is in use");
  throw std::runtime_error("cannot listen on " + address + " port " + port + ": " +
                           error.message());
}

}  // namespace hammertime::server
