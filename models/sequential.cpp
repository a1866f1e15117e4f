// sequential: one item after another on a blocking socket. The baseline every other
// model is measured against: N items take N x delay.
//
//   $ build/bin/hammertime run --workload flags --models sequential --items 20 \
//       --delay 100ms --repetitions 1
//   flags/sequential/C:1   ~9.9 items/s   (ideal 10.0)
#include "blocking_client.hpp"

namespace hammertime::models {

// tag::sequential[]
void run_sequential(const job& work, tally& counts) {
  blocking_client client(work);  // one keep-alive connection
  for (std::size_t i = 0; i < work.items; ++i)
    run_blocking_item(work, &client, i, counts);  // <1> blocks until item i is done
}
// end::sequential[]

}  // namespace hammertime::models
