#pragma once

// Change events across the nodes (processes) that share one database.
//
// A token change (issue, renew, revoke) and a graph change made on one node must reach the
// server-sent event streams of every node, and every other node must reload its in-memory graph
// snapshot. ClusterEvents carries them over the store's Notify/Listen (PostgreSQL
// LISTEN/NOTIFY; on SQLite, within the process):
//
//   - the node that made the change delivers it to its own streams at once and sends one
//     NOTIFY naming itself as the origin;
//   - every node listens; it ignores its own notifications and, for the others', reloads the
//     graph (for graph changes) and then delivers the event to its streams;
//   - when the listening connection was lost and comes back (events may have been missed), the
//     graph is reloaded.
//
// Graph reloads and remote graph events run on a worker thread of their own, so that the
// listener thread stays quick; a burst of remote changes costs one reload.
// Revocation needs no event: bearer authentication reads the registry on every request.
//
// Thread-safety: TokenChanged and GraphChanged may be called from any thread at any time,
// before Start (events then only go to other nodes), during, and after Stop.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "core/json.h"
#include "core/status.h"
#include "store/database.h"

namespace broker::app {

inline constexpr std::string_view kTokenChannel = "broker_token";
inline constexpr std::string_view kGraphChannel = "broker_graph";

struct ClusterSinks {
  std::function<void(const std::string& client_id)> on_token;
  std::function<void(std::string_view event, const Json& payload)> on_graph;
  // Re-reads the graph from the database (graph::Graph::Reload).
  std::function<Status()> reload_graph;
};

struct ClusterEventCounts {
  int64_t sent = 0;           // notifications sent
  int64_t send_failures = 0;  // notifications that could not be sent
  int64_t received = 0;       // notifications from other nodes
  int64_t graph_reloads = 0;  // reloads after remote changes or a listener reconnect
};

class ClusterEvents {
 public:
  // `node_id` names this process in notifications (any unique string, e.g. a UUID).
  ClusterEvents(store::Database& db, std::string node_id);
  ~ClusterEvents();  // calls Stop()
  ClusterEvents(const ClusterEvents&) = delete;
  ClusterEvents& operator=(const ClusterEvents&) = delete;

  // Starts listening and delivering to `sinks`. Unavailable if the listening connection cannot
  // be set up (the caller may continue: events then stay local). Call once.
  Status Start(ClusterSinks sinks);
  // Stops the worker; events after this are only sent. Idempotent.
  void Stop();

  // A token of `client_id` changed here (after commit).
  void TokenChanged(const std::string& client_id);
  // The graph changed here (after commit).
  void GraphChanged(std::string_view event, const Json& payload);

  const std::string& node_id() const { return node_id_; }
  ClusterEventCounts counts() const;

 private:
  struct RemoteGraphEvent {
    bool missed = false;  // reload only: the listener reconnected
    std::string event;
    Json payload;
  };
  // The store keeps Listen callbacks for its whole life, which may be longer than ours: they
  // reach this object only through the guard, which the destructor clears.
  struct Guard {
    std::mutex mutex;
    ClusterEvents* self = nullptr;
  };
  void Send(std::string_view channel, const Json& message);
  void OnToken(const std::string& raw);
  void OnGraph(const std::string& raw);
  void Worker();
  void Drain(const std::deque<RemoteGraphEvent>& batch);

  store::Database& db_;
  const std::string node_id_;
  std::shared_ptr<Guard> guard_;
  mutable std::mutex mutex_;  // guards everything below
  ClusterSinks sinks_;
  bool started_ = false;
  bool stopping_ = false;
  std::deque<RemoteGraphEvent> pending_;
  std::condition_variable wake_;
  ClusterEventCounts counts_;
  std::thread worker_;
};

}  // namespace broker::app
