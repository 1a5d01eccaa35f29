#pragma once

// The PostgreSQL engine of the store (see database.h for the contract).
//
// A pool of up to `pool_size` libpq connections, each with statement_timeout and lock_timeout
// set. Statements run with PQexecParams and text parameters (integers and doubles are sent
// typed as int8/float8, text and NULL untyped so the server infers them from context).
// Results arrive as text; integer, floating and boolean columns are converted to int64_t /
// double, everything else stays text.
// Broken connections are detected before reuse (the socket is checked for a hang-up) and
// replaced, so a restarted server is usable again without restarting Broker.
// kRead runs REPEATABLE READ READ ONLY; kWrite runs READ COMMITTED, so a read-then-write
// must lock its rows with ForUpdate(). Serialization failures and deadlocks are retried.
// Listen uses one dedicated connection and a background thread.

#include <memory>
#include <string>

#include "store/database.h"

namespace broker::store {

// Connects to `url` (a libpq connection URI). Unavailable if the server cannot be reached or
// refuses the login; the error never contains the password.
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const OpenOptions& options);

// `url` without its password, e.g. "postgresql://broker@127.0.0.1:5432/broker".
std::string DescribePostgresUrl(const std::string& url);

}  // namespace broker::store
