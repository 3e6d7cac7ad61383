/* testnet.h: networks for tests, built once per run from ../shared/data into
 * a temporary folder.  Returns NULL when the data is absent, having marked
 * the test skipped (hh_test_skip_data): the test just returns. */
#ifndef HH_TESTS_TESTNET_H
#define HH_TESTS_TESTNET_H
#include "halfhour.h"

/* name: "poa", "porto", "rnv", "monaco", "oakland"; the path of the built file */
const char *hh_test_net_path(const char *name);
/* a fresh temporary directory for this run */
const char *hh_test_tmpdir(void);
/* deterministic xorshift random numbers */
uint64_t hh_test_rand(uint64_t *state);
double hh_test_uniform(uint64_t *state, double lo, double hi);
#endif
