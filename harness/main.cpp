#include <cstring>
#include "child.hpp"
int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "child") == 0)
    return hammertime::models::child_main(argc - 1, argv + 1);
  return 2;
}
