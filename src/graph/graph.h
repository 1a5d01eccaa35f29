#pragma once

// The graph service: the one owner of the graph's state in a process.
//
// Reads go to `snapshot()`, an immutable picture that never changes under the reader. Writes
// (AddVertex, AddEdge, DeleteEdge, UpsertUser, Import) run their rule checks against a private
// copy of the current snapshot inside one database write transaction; only after the commit is
// the copy sealed and swapped in, and the change listener told. A failed write leaves both the
// database and the published snapshot untouched.
//
// Other nodes sharing a PostgreSQL database call `Reload()` when told that the graph changed.
//
// Thread-safety: all methods are thread-safe. Writes in one process are serialised.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/random.h"
#include "core/secret.h"
#include "core/status.h"
#include "graph/model.h"
#include "graph/snapshot.h"
#include "graph/types.h"
#include "store/database.h"

namespace broker::graph {

struct VertexInput {
  std::string collection;      // camelCase or kebab-case
  Json data = Json::object();  // collection-specific fields
  Json prop = Json::object();  // string -> string
  std::vector<std::string> tags;
};

struct UserInput {
  std::string username;
  std::string name;
  std::string email;
  std::string domain;
  std::string guid;
};

// A user entry of an import file whose credentials the caller (module `users`) must set.
struct ImportedUser {
  std::string username;
  std::optional<SecretString> password;
  bool admin = false;
};

struct ImportReport {
  std::vector<std::string> created;   // "collection/key" and "edge name source -> target"
  std::vector<std::string> existing;  // entries that were already there (left unchanged)
  std::vector<ImportedUser> users;    // every user entry, in file order
};

class Graph {
 public:
  Graph(store::Database& db, const Clock& clock, Random& random,
        const Model& model = Model::Default());

  // Applies the graph migrations and loads the snapshot. Errors from the store.
  Status Init();
  // Re-reads everything from the database and swaps the snapshot (no events).
  Status Reload();

  std::shared_ptr<const Snapshot> snapshot() const;
  const Model& model() const { return model_; }

  // Called after every committed change (see types.h). Set before serving.
  void SetChangeListener(ChangeListener listener);

  // Adds a vertex and its collection object. NotFound: unknown collection. InvalidArgument:
  // bad fields (rules.h). AlreadyExists: a unique field is taken.
  Result<Vertex> AddVertex(const VertexInput& input);
  // Adds an edge after the checks of rules.h CheckEdge (same errors). `prop` must be an object
  // of strings (InvalidArgument otherwise).
  Result<Edge> AddEdge(const std::string& name, const std::string& source,
                       const std::string& target, const Json& prop = Json::object());
  // Removes an edge and returns it. NotFound if absent.
  Result<Edge> DeleteEdge(const std::string& edge_id);

  // Creates the user (collection `user`, keyed by username) or updates its name, email, domain
  // and guid when present. Returns the vertex. InvalidArgument for an empty username.
  Result<Vertex> UpsertUser(const UserInput& input);

  // Loads an import file (docs/API.md) in one transaction: everything or nothing. Entries that
  // already exist by name are left unchanged and reported as existing. InvalidArgument,
  // NotFound or AlreadyExists naming the offending entry; passwords are never part of a message.
  Result<ImportReport> Import(const Json& file);

 private:
  struct Event {
    std::string name;
    Json payload;
  };
  using WriteBody =
      std::function<Status(store::Session& session, Snapshot& draft, std::vector<Event>& events)>;
  // Runs `body` against a fresh clone of the snapshot inside a write transaction; on commit
  // seals and publishes the clone, then reports `events`.
  Status Write(const WriteBody& body);
  Result<std::shared_ptr<const Vertex>> StageVertex(store::Session& session, Snapshot& draft,
                                                    const VertexInput& input);
  Result<std::shared_ptr<const Edge>> StageEdge(store::Session& session, Snapshot& draft,
                                                const std::string& name, const std::string& source,
                                                const std::string& target, const Json& prop);
  friend class Importer;

  store::Database& db_;
  const Clock& clock_;
  Random& random_;
  const Model& model_;
  std::mutex write_mutex_;
  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::mutex listener_mutex_;
  ChangeListener listener_;
};

}  // namespace broker::graph
