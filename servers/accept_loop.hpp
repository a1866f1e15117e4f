// Accepts connections on a listening acceptor, one after another, until the acceptor
// closes; the server and the proxy each run one.
//
//   accept_loop accepting(acceptor_, "hammertime-server",
//                         [this] { return next_loop(); },
//                         [this](tcp::socket socket) { serve(std::move(socket)); });
//   accepting.start();  // once open_acceptor() has it listening
//
// Each socket comes with Nagle off, on the executor the picker chose. An accept that
// runs out of file descriptors is said once on stderr and retried 50 ms later.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <string>

namespace hammertime::server {

class accept_loop {
 public:
  using executor_picker = std::function<boost::asio::any_io_executor()>;
  using connection_handler = std::function<void(boost::asio::ip::tcp::socket)>;

  // `program` names who speaks on stderr ("hammertime-server").
  accept_loop(boost::asio::ip::tcp::acceptor& acceptor, std::string program,
              executor_picker next_executor, connection_handler on_connection);

  void start() { do_accept(); }

 private:
  void do_accept();
  void retry_later();

  boost::asio::ip::tcp::acceptor& acceptor_;
  std::string program_;
  executor_picker next_executor_;
  connection_handler on_connection_;
  boost::asio::steady_timer retry_;
  bool warned_ = false;
};

}  // namespace hammertime::server
