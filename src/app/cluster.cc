#include "app/cluster.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace broker::app {
namespace {

// PostgreSQL's NOTIFY payload limit is 8000 bytes; the store enforces 7999.
constexpr size_t kMaxPayloadBytes = 7999;

// The parsed message, or nullopt for an empty payload (the listener reconnected) or garbage.
std::optional<Json> ParseMessage(const std::string& raw) {
  if (raw.empty()) return std::nullopt;
  Json message = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (!message.is_object() || !message.contains("node")) {
    spdlog::warn("cluster events: ignoring a malformed notification");
    return std::nullopt;
  }
  return message;
}

}  // namespace

ClusterEvents::ClusterEvents(store::Database& db, std::string node_id)
    : db_(db), node_id_(std::move(node_id)), guard_(std::make_shared<Guard>()) {
  guard_->self = this;
}

ClusterEvents::~ClusterEvents() {
  Stop();
  const std::lock_guard lock(guard_->mutex);
  guard_->self = nullptr;
}

Status ClusterEvents::Start(ClusterSinks sinks) {
  {
    const std::lock_guard lock(mutex_);
    sinks_ = std::move(sinks);
    started_ = true;
    worker_ = std::thread([this] { Worker(); });
  }
  BROKER_RETURN_IF_ERROR(
      db_.Listen(std::string(kTokenChannel), [guard = guard_](const std::string& raw) {
        const std::lock_guard lock(guard->mutex);
        if (guard->self != nullptr) guard->self->OnToken(raw);
      }));
  return db_.Listen(std::string(kGraphChannel), [guard = guard_](const std::string& raw) {
    const std::lock_guard lock(guard->mutex);
    if (guard->self != nullptr) guard->self->OnGraph(raw);
  });
}

void ClusterEvents::Stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ClusterEvents::TokenChanged(const std::string& client_id) {
  std::function<void(const std::string&)> deliver;
  {
    const std::lock_guard lock(mutex_);
    if (started_ && !stopping_) deliver = sinks_.on_token;
  }
  if (deliver) deliver(client_id);
  Send(kTokenChannel, {{"node", node_id_}, {"clientId", client_id}});
}

void ClusterEvents::GraphChanged(std::string_view event, const Json& payload) {
  std::function<void(std::string_view, const Json&)> deliver;
  {
    const std::lock_guard lock(mutex_);
    if (started_ && !stopping_) deliver = sinks_.on_graph;
  }
  if (deliver) deliver(event, payload);
  Json message = {{"node", node_id_}, {"event", event}, {"payload", payload}};
  // Too big for one notification: the other nodes reload anyway, and their streams get the
  // event name without the details.
  if (message.dump().size() > kMaxPayloadBytes) message["payload"] = nullptr;
  Send(kGraphChannel, message);
}

ClusterEventCounts ClusterEvents::counts() const {
  const std::lock_guard lock(mutex_);
  return counts_;
}

void ClusterEvents::Send(std::string_view channel, const Json& message) {
  const Status sent = db_.Notify(channel, message.dump());
  if (!sent.ok()) {
    spdlog::warn("cluster events: cannot notify other nodes on {}: {}", channel,
                 sent.error().ToString());
  }
  const std::lock_guard lock(mutex_);
  (sent.ok() ? counts_.sent : counts_.send_failures) += 1;
}

void ClusterEvents::OnToken(const std::string& raw) {
  std::optional<Json> message = ParseMessage(raw);
  if (!message || (*message)["node"] == node_id_) return;
  const Json& client_id = (*message)["clientId"];
  if (!client_id.is_string()) return;
  std::function<void(const std::string&)> deliver;
  {
    const std::lock_guard lock(mutex_);
    counts_.received += 1;
    if (!stopping_) deliver = sinks_.on_token;
  }
  if (deliver) deliver(client_id.get<std::string>());
}

void ClusterEvents::OnGraph(const std::string& raw) {
  RemoteGraphEvent remote;
  std::optional<Json> message = ParseMessage(raw);
  if (!message) {
    remote.missed = true;
  } else if ((*message)["node"] == node_id_ || !(*message)["event"].is_string()) {
    return;
  } else {
    remote.event = (*message)["event"].get<std::string>();
    remote.payload = std::move((*message)["payload"]);
  }
  {
    const std::lock_guard lock(mutex_);
    if (!remote.missed) counts_.received += 1;
    pending_.push_back(std::move(remote));
  }
  wake_.notify_all();
}

void ClusterEvents::Worker() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (stopping_) return;
    std::deque<RemoteGraphEvent> batch;
    batch.swap(pending_);
    lock.unlock();
    Drain(batch);
    lock.lock();
  }
}

void ClusterEvents::Drain(const std::deque<RemoteGraphEvent>& batch) {
  // One reload covers the whole batch; the events go out after it, so a client that refetches
  // on an event sees the change.
  ClusterSinks sinks;
  {
    const std::lock_guard lock(mutex_);
    sinks = sinks_;
    counts_.graph_reloads += 1;
  }
  if (sinks.reload_graph) {
    if (Status reloaded = sinks.reload_graph(); !reloaded.ok()) {
      spdlog::warn("cluster events: graph reload failed: {}", reloaded.error().ToString());
    }
  }
  if (!sinks.on_graph) return;
  for (const RemoteGraphEvent& remote : batch) {
    if (!remote.missed) sinks.on_graph(remote.event, remote.payload);
  }
}

}  // namespace broker::app
