#include "model_selection.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "cli.hpp"
#include "peers.hpp"

namespace hammertime::harness {
namespace {

using models::model;
using models::model_family;

std::optional<model_family> family_from_string(std::string_view name) {
  if (name == "blocking") return model_family::blocking;
  if (name == "event_loop") return model_family::event_loop;
  return std::nullopt;
}

model_family family_or_refuse(std::string_view term, std::string_view name,
                              std::string_view expected = "blocking or event_loop") {
  auto family = family_from_string(name);
  if (!family)
    throw usage_error("unknown family in --models '" + escaped(term) + "': expected " +
                      std::string(expected));
  return *family;
}

std::optional<models::task_holder> holder_from_string(std::string_view name) {
  if (name == "thread") return models::task_holder::thread;
  if (name == "process") return models::task_holder::process;
  if (name == "nothing") return models::task_holder::nothing;
  return std::nullopt;
}

std::optional<unsigned> knob_from_string(std::string_view name) {
  if (name == "bridge_threads") return models::uses_bridge_threads;
  if (name == "stack_size") return models::uses_stack_size;
  return std::nullopt;
}

// The C++ models whose descriptor says so: holds:thread|process|nothing (what each task
// holds), knob:bridge_threads|stack_size (a knob it reads).
std::vector<const model*> by_descriptor(std::string_view term, std::string_view kind,
                                        std::string_view value) {
  std::vector<const model*> found;
  if (kind == "holds:") {
    auto holder = holder_from_string(value);
    if (!holder)
      throw usage_error("unknown holder in --models '" + escaped(term) +
                        "': expected thread, process or nothing");
    for (const auto& one : models::all_models())
      if (one.each_task_holds == *holder) found.push_back(&one);
  } else {
    auto knob = knob_from_string(value);
    if (!knob)
      throw usage_error("unknown knob in --models '" + escaped(term) +
                        "': expected bridge_threads or stack_size");
    for (const auto& one : models::all_models())
      if (one.knobs & *knob) found.push_back(&one);
  }
  return found;
}

// What one term stands for, and whether it named a model on its own.
std::vector<const model*> expand(std::string_view term, bool& by_name) {
  std::vector<const model*> found;
  by_name = false;
  auto prefixed = [&](std::string_view prefix) {
    return term.substr(0, prefix.size()) == prefix ? term.substr(prefix.size())
                                                   : std::string_view{};
  };
  if (term == "all") {
    for (const auto& one : models::all_models()) found.push_back(&one);
  } else if (term == "peers") {
    for (const auto& one : all_peers()) found.push_back(&one.model);
  } else if (term == "one_at_a_time") {  // the talk's sequential script, in C++
    for (const auto& one : models::all_models())
      if (one.max_concurrency == 1) found.push_back(&one);
  } else if (term == "peers:one_at_a_time") {
    for (const auto& one : all_peers())
      if (one.model.max_concurrency == 1) found.push_back(&one.model);
  } else if (auto family = prefixed("family:"); !family.empty()) {
    auto wanted = family_or_refuse(term, family);
    for (const auto& one : models::all_models())
      if (one.family == wanted) found.push_back(&one);
  } else if (auto peer_family = prefixed("peers:"); !peer_family.empty()) {
    auto wanted =
        family_or_refuse(term, peer_family, "blocking, event_loop or one_at_a_time");
    for (const auto& one : all_peers())
      if (one.model.family == wanted) found.push_back(&one.model);
  } else if (auto holds = prefixed("holds:"); !holds.empty()) {
    found = by_descriptor(term, "holds:", holds);
  } else if (auto knob = prefixed("knob:"); !knob.empty()) {
    found = by_descriptor(term, "knob:", knob);
  } else if (const auto* one = models::find_model(term)) {
    found.push_back(one), by_name = true;
  } else if (const auto* peer = find_peer(term)) {
    found.push_back(&peer->model), by_name = true;
  } else {
    throw usage_error("unknown model '" + escaped(term) + "' (see hammertime list)");
  }
  return found;
}

void add_once(std::vector<const model*>& list, const model* one) {
  if (std::find(list.begin(), list.end(), one) == list.end()) list.push_back(one);
}

}  // namespace

model_selection select_models(std::string_view list) {
  model_selection selection;
  for (std::size_t start = 0; start <= list.size();) {
    auto end = std::min(list.find(',', start), list.size());
    auto term = list.substr(start, end - start);
    start = end + 1;
    bool less = !term.empty() && term[0] == '-';
    bool by_name = false;
    for (const model* one : expand(less ? term.substr(1) : term, by_name)) {
      if (less) {
        std::erase(selection.models, one);
        std::erase(selection.named, one);
        continue;
      }
      add_once(selection.models, one);
      if (by_name) add_once(selection.named, one);
    }
  }
  return selection;
}

bool was_named(const std::vector<const model*>& named, const model* chosen) {
  return std::find(named.begin(), named.end(), chosen) != named.end();
}

}  // namespace hammertime::harness
