#pragma once

// The SQLite engine of the store (see database.h for the contract).
//
// One file in WAL mode, foreign keys on, synchronous=NORMAL. All writes (kWrite transactions
// and autocommit statements other than SELECT) go through one writer connection guarded by a
// mutex, and kWrite transactions start with BEGIN IMMEDIATE, so writers of this process
// queue on the mutex and writers of other processes wait up to busy_timeout_ms. Reads use a
// pool of up to `pool_size` read-only connections, so they never wait for writers.
// `$n` parameters are bound by name, so "$2 ... $1" binds correctly. Each connection keeps a
// cache of prepared statements.
// Notify/Listen deliver within this process only.

#include <memory>
#include <string>

#include "store/database.h"

namespace broker::store {

// Opens (creating if missing) the SQLite database file at `path`. Unavailable if it cannot be
// opened or configured.
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const OpenOptions& options);

}  // namespace broker::store
