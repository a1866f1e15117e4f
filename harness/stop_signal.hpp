// SIGINT, SIGTERM, SIGHUP and SIGQUIT only raise a flag: the run loop sees it, kills the
// children and the server, writes and settles the finished cells and exits 128 + the
// signal (130, 143, 129, 131).
#pragma once

#include <signal.h>

#include <string>

namespace hammertime::harness {

// The signals that stop a run the way Ctrl-C does.
inline constexpr int stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// Each stop signal sets the flag (no SA_RESTART, so a blocking call returns EINTR);
// SIGPIPE is ignored so a reader that went away is an error code, not a death.
void install_stop_handlers();
// 0 while the run may go on, else the signal that asked it to stop.
int stop_signal() noexcept;
// "SIGHUP" ("signal 64" for one without a name).
std::string signal_abbreviation(int signal);

}  // namespace hammertime::harness
