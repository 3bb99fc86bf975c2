// The process-wide stop request: SIGINT/SIGTERM handlers and Server::Stop() call RequestStop();
// transports wait for it (stdio polls StopFd() beside stdin; HTTP blocks in WaitForStop()).
//
// Thread-safety: RequestStop is async-signal-safe; everything else is safe from any thread.
#pragma once

namespace ferry::runtime {

void RequestStop();
bool StopRequested();
// A descriptor that becomes readable once a stop is requested (-1 if it could not be made).
int StopFd();
// Blocks until a stop is requested.
void WaitForStop();

}  // namespace ferry::runtime
