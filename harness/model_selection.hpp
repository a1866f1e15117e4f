// What `--models` selects: names, or selectors that follow the descriptors, so a plan
// names a model only where it means that one model.
//
//   --models all                     every C++ model, in the registry's order
//   --models family:event_loop       the C++ models of one family (or family:blocking)
//   --models peers                   every peer; peers:event_loop, peers:blocking
//   --models holds:thread            the C++ models whose tasks hold a thread (process,
//                                    nothing)
//   --models knob:bridge_threads     the C++ models that read a knob (stack_size)
//   --models all,-sequential         then less one (-NAME, or -SELECTOR)
//   --models sequential,thread_pool  these, by name
//
// A model a selector chose is left out of a cell it cannot run (a --concurrency above
// its max_concurrency; for a peer, a workload or a ticker peers do not run); a model
// named on its own is clamped or refused as before.
#pragma once

#include <string_view>
#include <vector>

#include "models/model.hpp"

namespace hammertime::harness {

struct model_selection {
  std::vector<const models::model*> models;  // in the order given, each once
  std::vector<const models::model*> named;   // those named one by one
};

// Throws usage_error naming an unknown name or family.
model_selection select_models(std::string_view list);

// Whether `chosen` was named on its own in `named` (not only picked by a selector).
bool was_named(const std::vector<const models::model*>& named,
               const models::model* chosen);

}  // namespace hammertime::harness
