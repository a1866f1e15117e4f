// Boost.JSON, header-only: its implementation compiled once, here.
#include <boost/json/src.hpp>
