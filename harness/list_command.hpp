// `hammertime list`: the models, peers and workloads as text; with --json, every model
// and peer as data, in the order the tables show
// them, so that the scripts (scripts/model_catalog.py) name no model:
//
//   $ hammertime list --json
//   [{"name": "sequential", "label": "sequential", "kind": "model",
//     "family": "blocking", "colour": "#000000", ...}, ...]
#pragma once

#include <boost/json/array.hpp>
#include <span>
#include <string>
#include <string_view>

namespace hammertime::harness {

// One object per model, then per peer: name, label, kind ("model" or "peer"), family,
// colour, how_it_waits, knobs, each_task_holds, max_concurrency (null: no bound), and
// for a peer its runtime.
boost::json::array model_catalog();
// The catalogue as the text `list --json` prints: one entry a line.
std::string model_catalog_text();

// `hammertime list [--json | --help]`: prints it, returns 0; anything else is one line
// on stderr, exit 2.
int list_main(std::span<const std::string_view> args);

}  // namespace hammertime::harness
