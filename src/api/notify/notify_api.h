#pragma once

// HTTP handlers for expiry notices (docs/notify.md):
//   GET  /v1/collection/broker-account/:id/notices  session: the account's notices, newest
//        first, as notify::NoticeToJson (which went out, to whom, when, in what state); 404 for
//        an unknown account
//   POST /v1/notices/run                            session + admin role: run the expiry
//        notice job now; 200 {tokensDue, claimed, sent, failed, retried}
// Errors use the JSON envelope of http::Response::FromError.

#include <functional>
#include <string_view>

#include "api/auth_context.h"
#include "core/clock.h"
#include "http/router.h"
#include "notify/notifier.h"

namespace broker::api::notify_api {

struct NotifyApiDeps {
  Auth auth;
  notify::Notifier* notifier = nullptr;
  const Clock* clock = nullptr;
  // Ok if the broker account exists; NotFound otherwise.
  std::function<Status(std::string_view account_id)> account_exists;
};

// Adds the routes above. The pointers in `deps` must outlive the router.
void AddNoticeRoutes(http::Router& router, const NotifyApiDeps& deps);

}  // namespace broker::api::notify_api
