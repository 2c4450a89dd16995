#pragma once
// The imgpool command's exit codes: the contract scripts rely on.

namespace imgpool::app {

inline constexpr int kExitOk = 0;           ///< every input done (or skipped)
inline constexpr int kExitSomeFailed = 1;   ///< some inputs failed; the rest are done
inline constexpr int kExitUsage = 2;
inline constexpr int kExitReportIncomplete = 3;  ///< the run ended, but its --report could not be written whole        ///< usage or configuration error; nothing processed
inline constexpr int kExitInterrupted = 130;///< stopped by SIGINT or SIGTERM

}  // namespace imgpool::app
