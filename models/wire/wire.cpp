#include "wire.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "common/machine_limits.hpp"

namespace hammertime::models {

std::string flag_code(std::size_t index) {
  return {static_cast<char>('A' + index / 26 % 26), static_cast<char>('A' + index % 26)};
}

namespace {

std::string lower_code(std::size_t index) {
  std::string cc = flag_code(index);
  for (char& c : cc) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return cc;
}

// "?delay_ms=D&sent_us=T": the delay asked for, and when the request was built.
std::string query_for(std::chrono::milliseconds delay) {
  auto sent = std::chrono::duration_cast<std::chrono::microseconds>(
      clock::now().time_since_epoch());
  return "?delay_ms=" + std::to_string(delay.count()) +
         "&sent_us=" + std::to_string(sent.count());
}

}  // namespace

std::string flag_target(std::size_t index, std::chrono::milliseconds delay) {
  auto cc = lower_code(index);
  return "/flags/" + cc + "/" + cc + ".gif" + query_for(delay);
}

std::string metadata_target(std::size_t index, std::chrono::milliseconds delay) {
  return "/flags/" + lower_code(index) + "/metadata.json" + query_for(delay);
}

fetch_result chain(const fetch_result& metadata, const fetch_result& flag) {
  return {flag.outcome, metadata.bytes + flag.bytes, flag.checksum};
}

outcome classify(int http_status) {
  if (http_status == 200) return outcome::ok;
  if (http_status == 404) return outcome::not_found;
  return outcome::failed;
}

socket_address resolve(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  socket_address address;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0)
    return address;
  std::memcpy(&address.storage, found->ai_addr, found->ai_addrlen);
  address.length = found->ai_addrlen;
  freeaddrinfo(found);
  return address;
}

int open_client_socket(const socket_address& server, int flags) {
  int fd = ::socket(server.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
  if (fd < 0 && (errno == EMFILE || errno == ENFILE))
    throw common::ran_out("socket", "no descriptor left for a connection",
                          errno == EMFILE ? common::machine_setting::open_files
                                          : common::machine_setting::file_max);
  int one = 1;
  if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace hammertime::models
