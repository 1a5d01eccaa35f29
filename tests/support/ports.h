#pragma once

// Loopback ports for tests.

namespace broker::testing {

// A TCP port on 127.0.0.1 that was free a moment ago: the kernel picks it for a socket that is
// then closed. Use it for a server the test starts next, or as a port nothing listens on.
int UnusedLoopbackPort();

}  // namespace broker::testing
