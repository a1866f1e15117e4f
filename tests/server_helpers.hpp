// What the server tests share: a keep-alive client for one server, its /stats as
// JSON (and its reset), a raw-socket exchange for the faults a client library hides,
// answers read off a raw socket, and a runner for the binary's exit status.
#pragma once

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "server_process.hpp"

namespace hammertime::testing {

inline httplib::Client client_of(const server_process& server) {
  httplib::Client client("127.0.0.1", server.port());
  client.set_keep_alive(true);
  client.set_read_timeout(std::chrono::seconds(10));
  return client;
}

inline boost::json::value stats_of(const server_process& server) {
  httplib::Client client("127.0.0.1", server.port());
  auto response = client.Get("/stats");
  if (!response || response->status != 200) return nullptr;
  return boost::json::parse(response->body);
}

// POST /stats/reset: the counters as they were before it zeroed them.
inline boost::json::value reset_stats_of(const server_process& server) {
  httplib::Client client("127.0.0.1", server.port());
  auto response = client.Post("/stats/reset");
  if (!response || response->status != 200) return nullptr;
  return boost::json::parse(response->body);
}

inline std::int64_t at(const boost::json::value& json, const char* group,
                       const char* key) {
  const auto* value = json.at(group).as_object().if_contains(key);
  return value ? value->to_number<std::int64_t>() : 0;
}

// One request on a fresh socket, read until the peer closes, resets, or 5 s pass.
struct raw_exchange {
  std::string received;
  int end_errno = 0;  // 0: clean close (FIN); ECONNRESET; EAGAIN: timed out
  std::size_t content_length() const {
    auto at = received.find("Content-Length: ");
    return at == std::string::npos ? 0 : std::stoul(received.substr(at + 16));
  }
  std::size_t body_bytes() const {
    auto at = received.find("\r\n\r\n");
    return at == std::string::npos ? 0 : received.size() - at - 4;
  }
};

// A socket connected to the server (its receives time out after 5 s), or -1 with errno
// set.
inline int connect_to(const server_process& server) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval five_seconds{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &five_seconds, sizeof five_seconds);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server.port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    int failure = errno;
    close(fd);
    errno = failure;
    return -1;
  }
  return fd;
}

inline raw_exchange raw_get(const server_process& server, const std::string& target) {
  raw_exchange result;
  int fd = connect_to(server);
  if (fd < 0) {
    result.end_errno = errno;
    return result;
  }
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  char chunk[4096];
  for (;;) {
    auto got = recv(fd, chunk, sizeof chunk, 0);
    if (got > 0) {
      result.received.append(chunk, got);
      continue;
    }
    result.end_errno = got == 0 ? 0 : errno;
    break;
  }
  close(fd);
  return result;
}

inline int status_of(const std::string& response) {
  return response.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(response.substr(9, 3)) : 0;
}

struct answer {
  int status = 0;
  std::string body;
  bool operator==(const answer&) const = default;
};

// The next `count` answers on fd, in the order they come; fewer when the connection
// ends or stays silent for the 5 s receive timeout.
inline std::vector<answer> read_answers(int fd, std::size_t count) {
  std::vector<answer> answers;
  std::string pending;
  std::vector<char> chunk(64 * 1024);
  while (answers.size() < count) {
    auto head_end = pending.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      auto length_at = pending.find("Content-Length: ");
      auto length = std::stoul(pending.substr(length_at + 16));
      if (pending.size() >= head_end + 4 + length) {
        answers.push_back({status_of(pending), pending.substr(head_end + 4, length)});
        pending.erase(0, head_end + 4 + length);
        continue;
      }
    }
    auto got = recv(fd, chunk.data(), chunk.size(), 0);
    if (got <= 0) break;
    pending.append(chunk.data(), got);
  }
  return answers;
}

// Runs hammertime-server with args (no shell words inside), at most `seconds` (then
// SIGTERM); its exit status and what it wrote on stderr.
struct run_result {
  int exit_code = -1;
  std::string error_output;
};

inline run_result run_server_binary(const std::string& args, const char* seconds = "5") {
  // any free port, unless the arguments choose one
  std::string port = args.find("--port") == std::string::npos ? " --port 0 " : " ";
  std::string command = std::string("timeout ") + seconds + " " HAMMERTIME_SERVER_BIN +
                        port + args + " 2>&1 >/dev/null";
  run_result result;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[512];
  while (auto got = fread(buffer, 1, sizeof buffer, pipe))
    result.error_output.append(buffer, got);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace hammertime::testing
