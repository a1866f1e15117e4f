# Writes build_stamp.cpp: the commit the binaries are built from and whether that tree
# had uncommitted changes (tracked files only; local results do not count). Run at every
# build (harness/CMakeLists.txt: the build_stamp target); the file changes, and the
# harness relinks, only when the stamp does.
#   cmake -DSOURCE_DIR=... -DOUTPUT=.../build_stamp.cpp -P build_stamp.cmake
execute_process(COMMAND git -C "${SOURCE_DIR}" rev-parse HEAD
                OUTPUT_VARIABLE commit RESULT_VARIABLE failed
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(failed OR NOT commit MATCHES "^[0-9a-f]+$")
  set(commit "unknown")
endif()
execute_process(COMMAND git -C "${SOURCE_DIR}" status --porcelain --untracked-files=no
                OUTPUT_VARIABLE changes RESULT_VARIABLE failed ERROR_QUIET)
if(failed)
  set(dirty "std::nullopt")
elseif(changes STREQUAL "")
  set(dirty "false")
else()
  set(dirty "true")
endif()
set(content "// Generated at build time by harness/build_stamp.cmake; do not edit.
#include \"harness/build_stamp.hpp\"

namespace hammertime::harness {
const char* const build_commit = \"${commit}\";
const std::optional<bool> build_dirty = ${dirty};
}  // namespace hammertime::harness
")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" before)
endif()
if(NOT before STREQUAL content)
  file(WRITE "${OUTPUT}" "${content}")
endif()
