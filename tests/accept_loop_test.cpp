// The accept loop the server and the proxy share: each connection handed over once,
// with Nagle off, on the executor the picker chose; it ends when its acceptor closes.
#include "servers/accept_loop.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <vector>

#include "servers/listening.hpp"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using hammertime::server::accept_loop;

TEST(accept_loop, hands_over_each_connection_with_nagle_off_on_the_picked_executor) {
  asio::io_context accepting_loop{1}, serving_loop{1};
  tcp::acceptor acceptor(accepting_loop);
  hammertime::server::open_acceptor(acceptor, {asio::ip::make_address("127.0.0.1"), 0});
  const auto where = acceptor.local_endpoint();
  std::size_t picks = 0;
  std::vector<tcp::socket> accepted;
  accept_loop accepting(
      acceptor, "accept_loop_test",
      [&] {
        ++picks;
        return serving_loop.get_executor();
      },
      [&](tcp::socket socket) {
        accepted.push_back(std::move(socket));
        if (accepted.size() == 3) asio::post(accepting_loop, [&] { acceptor.close(); });
      });
  accepting.start();
  std::vector<tcp::socket> clients;
  for (int i = 0; i < 3; ++i) clients.emplace_back(serving_loop).connect(where);

  accepting_loop.run();  // returns once the closed acceptor's last accept is aborted

  ASSERT_EQ(accepted.size(), 3u);
  EXPECT_EQ(picks, 4u);  // the fourth accept is the one the close aborted
  for (auto& socket : accepted) {
    EXPECT_TRUE(socket.get_executor() == serving_loop.get_executor());
    tcp::no_delay nagle_off;
    socket.get_option(nagle_off);
    EXPECT_TRUE(nagle_off.value());
  }
}

}  // namespace
