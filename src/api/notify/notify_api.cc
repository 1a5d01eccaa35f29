#include "api/notify/notify_api.h"

namespace broker::api::notify_api {
namespace {

using http::Request;
using http::Response;

Response ListNotices(const NotifyApiDeps& deps, const Request& request) {
  auto user = deps.auth.require_user(request);
  if (!user.ok()) return Response::FromError(user.error());
  const std::string account_id(request.Param("id"));
  if (Status exists = deps.account_exists(account_id); !exists.ok()) {
    return Response::FromError(exists.error());
  }
  auto notices = deps.notifier->ListForAccount(account_id);
  if (!notices.ok()) return Response::FromError(notices.error());
  Json body = Json::array();
  for (const notify::Notice& notice : *notices) body.push_back(notify::NoticeToJson(notice));
  return Response::Json(200, body);
}

Response RunNow(const NotifyApiDeps& deps, const Request& request) {
  auto user = deps.auth.require_user(request);
  if (!user.ok()) return Response::FromError(user.error());
  if (!user->admin) return Response::FromError(PermissionDenied("Requires the admin role"));
  auto report = deps.notifier->Run(deps.clock->NowSeconds());
  if (!report.ok()) return Response::FromError(report.error());
  return Response::Json(200, {{"tokensDue", report->tokens_due},
                              {"claimed", report->claimed},
                              {"sent", report->sent},
                              {"failed", report->failed},
                              {"retried", report->retried}});
}

}  // namespace

void AddNoticeRoutes(http::Router& router, const NotifyApiDeps& deps) {
  router.Add(http::Method::kGet, "/v1/collection/broker-account/:id/notices",
             [deps](const Request& request) { return ListNotices(deps, request); });
  router.Add(http::Method::kPost, "/v1/notices/run",
             [deps](const Request& request) { return RunNow(deps, request); });
}

}  // namespace broker::api::notify_api
