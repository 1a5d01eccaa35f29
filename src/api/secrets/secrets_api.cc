#include "api/secrets/secrets_api.h"

#include "core/ids.h"

namespace broker::api::secrets_api {
namespace {

http::Response ListDeliveries(const SecretsApiDeps& deps, const http::Request& request) {
  const std::string id(request.Param("id"));
  if (!IsObjectId(id)) {
    return http::Response::FromError(
        InvalidArgument("Validation failed (ObjectId: " + id + " is not a valid ObjectId)"));
  }
  if (auto user = deps.auth.require_user(request); !user.ok()) {
    return http::Response::FromError(user.error());
  }
  if (Status exists = deps.account_exists(id); !exists.ok()) {
    return http::Response::FromError(exists.error());
  }
  auto deliveries = deps.outbox->ListDeliveries(id);
  if (!deliveries.ok()) return http::Response::FromError(deliveries.error());
  Json body = Json::array();
  for (const broker::secrets::Delivery& delivery : *deliveries) {
    body.push_back(broker::secrets::DeliveryToJson(delivery));
  }
  return http::Response::Json(200, body);
}

}  // namespace

void AddSecretsRoutes(http::Router& router, const SecretsApiDeps& deps) {
  router.Add(http::Method::kGet, "/v1/collection/broker-account/:id/deliveries",
             [deps](const http::Request& request) { return ListDeliveries(deps, request); });
}

}  // namespace broker::api::secrets_api
