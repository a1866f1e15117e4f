// What a request's query string may ask of the server, read without trusting it:
//
//   query_value("delay_ms=200&sent_us=17", "delay_ms")  -> "200"
//   delay_asked("200")                                  -> 200 ms
//   queue_wait("17", now, counting_since)               -> now - 17 us, or nothing
//
// Pure functions of their text, so a fuzzer can feed them anything (fuzz/).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hammertime::server {

// The value of key in "a=1&delay_ms=200", if present.
std::optional<std::string_view> query_value(std::string_view query, std::string_view key);

// ?delay_ms=N: a whole number of milliseconds 0..most, or nothing when it is not one.
std::optional<std::chrono::milliseconds> delay_asked(std::string_view text,
                                                     std::chrono::milliseconds most);

// ?sent_us=T: the client's send time on this machine's steady clock. How long the
// request waited before the server read it at `now`, or nothing when the stamp is not a
// whole number, lies in the future, or is older than `counting_since` (the server's
// start or its last counter reset: a stamp from before the cell is not the cell's wait).
// Computed in whole microseconds, so no stamp can overflow the clock's arithmetic.
std::optional<std::chrono::microseconds> queue_wait(
    std::string_view text, std::chrono::steady_clock::time_point now,
    std::chrono::steady_clock::time_point counting_since);

}  // namespace hammertime::server
