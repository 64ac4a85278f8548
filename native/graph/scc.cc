#include "graph/scc.h"

#include <algorithm>
#include <limits>

namespace waymark {

std::vector<uint32_t> stronglyConnectedComponents(const std::vector<uint32_t>& first_out,
                                                  const std::vector<uint32_t>& head, uint32_t& largest) {
  constexpr uint32_t kUnvisited = std::numeric_limits<uint32_t>::max();
  const uint32_t n = static_cast<uint32_t>(first_out.size() - 1);
  std::vector<uint32_t> index(n, kUnvisited), low(n, 0), component(n, kUnvisited);
  std::vector<uint32_t> stack;
  std::vector<bool> on_stack(n, false);
  struct Frame {
    uint32_t node;
    uint32_t next_arc;
  };
  std::vector<Frame> call;
  uint32_t counter = 0, components = 0;
  std::vector<uint32_t> sizes;
  for (uint32_t root = 0; root < n; ++root) {
    if (index[root] != kUnvisited) continue;
    call.push_back({root, first_out[root]});
    index[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!call.empty()) {
      Frame& f = call.back();
      const uint32_t v = f.node;
      if (f.next_arc < first_out[v + 1]) {
        const uint32_t w = head[f.next_arc++];
        if (index[w] == kUnvisited) {
          index[w] = low[w] = counter++;
          stack.push_back(w);
          on_stack[w] = true;
          call.push_back({w, first_out[w]});
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        uint32_t size = 0, w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          component[w] = components;
          ++size;
        } while (w != v);
        sizes.push_back(size);
        ++components;
      }
      call.pop_back();
      if (!call.empty()) low[call.back().node] = std::min(low[call.back().node], low[v]);
    }
  }
  largest = 0;
  for (uint32_t c = 1; c < components; ++c)
    if (sizes[c] > sizes[largest]) largest = c;
  return component;
}

}  // namespace waymark
