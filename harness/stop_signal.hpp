// Ctrl-C and SIGTERM only raise a flag: the run loop sees it, kills the children and
// the server, writes the finished cells and exits 130 / 143.
#pragma once

namespace hammertime::harness {

// SIGINT and SIGTERM set the flag (no SA_RESTART, so a blocking call returns EINTR);
// SIGPIPE is ignored so a reader that went away is an error code, not a death.
void install_stop_handlers();
// 0 while the run may go on, else the signal that asked it to stop.
int stop_signal() noexcept;

}  // namespace hammertime::harness
