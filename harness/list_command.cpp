#include "list_command.hpp"

#include <boost/json/serialize.hpp>
#include <iostream>
#include <limits>

#include "cli.hpp"
#include "common/exit_codes.hpp"
#include "peers.hpp"

namespace hammertime::harness {
namespace {

using models::model;

std::string_view family_name(models::model_family family) {
  return family == models::model_family::blocking ? "blocking" : "event_loop";
}

std::string_view holder_name(models::task_holder holder) {
  switch (holder) {
    case models::task_holder::thread:
      return "thread";
    case models::task_holder::process:
      return "process";
    case models::task_holder::nothing:
      break;
  }
  return "nothing";
}

boost::json::array knob_names(unsigned knobs) {
  boost::json::array names;
  if (knobs & models::uses_stack_size) names.emplace_back("stack_size");
  if (knobs & models::uses_bridge_threads) names.emplace_back("bridge_threads");
  return names;
}

boost::json::object entry(const model& one, std::string_view kind) {
  boost::json::object fields{{"name", one.name},
                             {"label", one.label.empty() ? one.name : one.label},
                             {"kind", kind},
                             {"family", family_name(one.family)},
                             {"colour", one.colour},
                             {"how_it_waits", one.how_it_waits},
                             {"knobs", knob_names(one.knobs)},
                             {"each_task_holds", holder_name(one.each_task_holds)},
                             {"max_concurrency", nullptr}};
  if (one.max_concurrency != std::numeric_limits<std::size_t>::max())
    fields["max_concurrency"] = one.max_concurrency;
  return fields;
}

}  // namespace

boost::json::array model_catalog() {
  boost::json::array catalog;
  for (const auto& one : models::all_models()) catalog.push_back(entry(one, "model"));
  for (const auto& one : all_peers()) {
    auto fields = entry(one.model, "peer");
    fields["runtime"] = one.runtime;
    boost::json::array command;  // how the harness starts it, before the child's flags
    for (const auto& word : peer_command(one)) command.emplace_back(word);
    fields["command"] = std::move(command);
    fields["environment"] = one.environment;
    catalog.push_back(std::move(fields));
  }
  return catalog;
}

std::string model_catalog_text() {
  std::string text = "[\n";
  auto catalog = model_catalog();
  for (std::size_t i = 0; i < catalog.size(); ++i)
    text += "  " + boost::json::serialize(catalog[i]) +
            (i + 1 < catalog.size() ? ",\n" : "\n");
  return text + "]\n";
}

int list_main(std::span<const std::string_view> args) {
  if (args.empty()) {
    std::cout << list_text();
  } else if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << list_help();
  } else if (args.size() == 1 && args[0] == "--json") {
    std::cout << model_catalog_text();
  } else {
    std::cerr << "hammertime list: unexpected argument '" << escaped(args.back())
              << "' (list takes --json or --help)\n";
    return common::exit_code::bad_usage;
  }
  return common::exit_code::success;
}

}  // namespace hammertime::harness
