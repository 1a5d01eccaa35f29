#include "api/provision/provision_routes.h"

namespace broker::api {
namespace {

using http::Request;
using http::Response;

Response Provision(intentions::Provisioner& provisioner, const Request& request, bool secret_id) {
  const std::string_view token = request.Header("x-broker-token").value_or(std::string_view());
  const auto role_id = request.Header("x-vault-role-id");
  auto reply =
      secret_id ? provisioner.SecretId(token, role_id) : provisioner.TokenSelf(token, role_id);
  if (!reply.ok()) return Response::FromError(reply.error());
  Response response = Response::Json(reply->status, reply->body);
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

}  // namespace

void RegisterProvisionRoutes(http::Router& router, intentions::Provisioner& provisioner) {
  intentions::Provisioner* p = &provisioner;
  router.Add(http::Method::kPost, "/v1/provision/approle/secret-id",
             [p](const Request& r) { return Provision(*p, r, true); });
  router.Add(http::Method::kPost, "/v1/provision/token/self",
             [p](const Request& r) { return Provision(*p, r, false); });
}

}  // namespace broker::api
