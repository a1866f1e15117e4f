// The exit statuses of hammertime, hammertime-server and hammertime-proxy, and of
// `hammertime child`, whose status the harness reads back for each cell:
//
//   return common::exit_code::bad_usage;  // "hammertime run: unknown --model 'x'"
#pragma once

namespace hammertime::common::exit_code {

constexpr int success = 0;
// Anything else that went wrong, said in one line on stderr.
constexpr int failure = 1;
// `hammertime run` only: every row it wrote is invalid, its last line says so.
constexpr int every_row_invalid = 1;
// Bad arguments, or a machine limit a run would hit, said in one line naming it.
constexpr int bad_usage = 2;
// `hammertime child` only: a machine limit stopped the model; its JSON line says which.
constexpr int machine_limit = 3;
// A forked child whose exec failed, as a shell reports a command it cannot run.
constexpr int cannot_execute = 127;

// Stopped by a signal, as a shell reports it: 130 for SIGINT, 143 for SIGTERM.
constexpr int stopped_by(int signal) { return 128 + signal; }

}  // namespace hammertime::common::exit_code
