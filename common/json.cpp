// Boost.JSON, header-only: its implementation compiled once, here, for every binary
// (target hammertime::json; the models and the server link it).
#include <boost/json/src.hpp>
