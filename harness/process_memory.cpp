#include "process_memory.hpp"

#include <dirent.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <utility>

namespace hammertime::harness {
namespace {

// Finds "Field:   1234 kB" in a /proc file and returns it in bytes.
std::optional<std::uint64_t> kb_field(const std::string& path, const char* field) {
  std::ifstream file(path);
  std::string line;
  auto length = std::strlen(field);
  while (std::getline(file, line)) {
    if (line.compare(0, length, field) == 0 && line.size() > length &&
        line[length] == ':')
      return std::stoull(line.substr(length + 1)) * 1024;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> pss_bytes(pid_t pid) {
  return kb_field("/proc/" + std::to_string(pid) + "/smaps_rollup", "Pss");
}

std::optional<std::uint64_t> status_bytes(pid_t pid, const char* field) {
  return kb_field("/proc/" + std::to_string(pid) + "/status", field);
}

std::optional<std::uint64_t> meminfo_bytes(const char* field) {
  return kb_field("/proc/meminfo", field);
}

namespace {

// Every process of the tree under root, each with its parent, root first.
std::vector<std::pair<pid_t, pid_t>> tree_with_parents(pid_t root) {
  // Parent of every process, from /proc/PID/stat (field 4).
  std::multimap<pid_t, pid_t> children_of;
  if (DIR* proc = opendir("/proc")) {
    while (dirent* entry = readdir(proc)) {
      char* end = nullptr;
      long pid = std::strtol(entry->d_name, &end, 10);
      if (*end != '\0' || pid <= 0) continue;
      std::ifstream stat("/proc/" + std::string(entry->d_name) + "/stat");
      std::string content;
      std::getline(stat, content);
      auto close = content.rfind(')');
      if (close == std::string::npos) continue;
      char state = 0;
      long parent = 0;
      if (std::sscanf(content.c_str() + close + 1, " %c %ld", &state, &parent) == 2)
        children_of.emplace(static_cast<pid_t>(parent), static_cast<pid_t>(pid));
    }
    closedir(proc);
  }
  std::vector<std::pair<pid_t, pid_t>> tree{{root, 0}};
  for (std::size_t i = 0; i < tree.size(); ++i) {
    auto [first, last] = children_of.equal_range(tree[i].first);
    for (auto it = first; it != last; ++it) tree.emplace_back(it->second, tree[i].first);
  }
  return tree;
}

// The kernel's word on whether two processes share one address space.
bool share_memory(pid_t one, pid_t other) {
  return syscall(SYS_kcmp, one, other, KCMP_VM, 0, 0) == 0;
}

}  // namespace

std::vector<pid_t> process_tree(pid_t root) {
  std::vector<pid_t> pids;
  for (auto [pid, parent] : tree_with_parents(root)) pids.push_back(pid);
  return pids;
}

std::vector<pid_t> memory_owners(pid_t root) {
  std::vector<pid_t> pids;
  for (auto [pid, parent] : tree_with_parents(root))
    if (parent == 0 || !share_memory(pid, parent)) pids.push_back(pid);
  return pids;
}

std::uint64_t tree_pss_bytes(pid_t root) {
  std::uint64_t total = 0;
  for (pid_t pid : memory_owners(root)) total += pss_bytes(pid).value_or(0);
  return total;
}

}  // namespace hammertime::harness
