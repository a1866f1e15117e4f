// results.json as people read it: two-space indentation, one field per line, numbers
// in their shortest form ("9.87", not Boost.JSON's "9.87E0"), as Google Benchmark
// writes its files.
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace hammertime::harness {

std::string pretty_json(const boost::json::value& value);

}  // namespace hammertime::harness
