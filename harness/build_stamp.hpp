// The commit the binaries were built from and whether its tree had uncommitted changes,
// stamped at every build (harness/build_stamp.cmake), so a run's context says what ran,
// not what the checkout holds when it runs.
#pragma once

#include <optional>

namespace hammertime::harness {

extern const char* const build_commit;         // 40 hex digits, or "unknown"
extern const std::optional<bool> build_dirty;  // nullopt: not built from a git tree

}  // namespace hammertime::harness
