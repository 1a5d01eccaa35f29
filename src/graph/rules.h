#pragma once

// The insertion rules of the graph (reference section 1.1), as pure checks against a snapshot.
// Messages name the collection, the entry and the reason; they never contain secrets.
//
// Thread-safety: pure functions.

#include <string_view>

#include "core/json.h"
#include "core/status.h"
#include "graph/model.h"
#include "graph/snapshot.h"

namespace broker::graph {

// Validates the collection-specific fields of a new object of `config` and returns them with
// defaults applied. InvalidArgument: `data` is not an object, a field is unknown, a required
// field is missing or empty, or a value has the wrong type (email without '@', select value not
// among the options, ...).
Result<Json> ValidateFields(const CollectionConfig& config, const Json& data);

// Checks the unique fields of `doc` against the other objects of the collection in `snapshot`
// (ignoring `self_vertex_id`). AlreadyExists "<collection> <field> is not unique: <value>".
Status CheckUnique(const Snapshot& snapshot, const CollectionConfig& config, const Json& doc,
                   std::string_view self_vertex_id = {});

// Checks a new edge and returns its catalogue entry. Errors:
//   NotFound         the source or target vertex does not exist;
//   InvalidArgument  the edge name is unknown for the source collection, the target collection
//                    does not match the catalogue, a self edge, or the edge would close a cycle;
//   AlreadyExists    the same (source, target, name) exists, or a oneToOne edge of that name
//                    already leaves the source.
Result<const EdgeConfig*> CheckEdge(const Snapshot& snapshot, std::string_view name,
                                    std::string_view source, std::string_view target);

}  // namespace broker::graph
