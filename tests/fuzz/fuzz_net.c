/* fuzz_net.c: arbitrary bytes as a network file, then a few queries when it
 * opens.  Inputs that open must have passed the checksum, so the corpus
 * should hold real small networks (tests/fuzz/regress/net). */
#include <math.h>

#include "fuzz.h"
#include "halfhour.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[256];
    if (fuzz_tmpfile(data, size, ".hh", in, sizeof in))
        return 0;
    hh_net *net;
    char err[256];
    if (hh_net_open(in, &net, err, sizeof err) == 0) {
        hh_net_info info;
        hh_net_get_info(net, &info);
        hh_query *q;
        if (hh_query_init(net, &q) == 0) {
            for (int m = 0; m < HH_N_MODES; m++) {
                hh_snap s;
                double lon = (info.min_lon + info.max_lon) / 2, lat = (info.min_lat + info.max_lat) / 2;
                if (hh_snap_point(net, (hh_mode)m, lon, lat, 5000, &s) == 0 &&
                    hh_query_run(q, (hh_mode)m, &s, 600) == 0) {
                    double t, d, mins[] = {5, 10};
                    hh_query_time_to(q, &s, &t, &d);
                    hh_isochrone iso;
                    if (hh_isochrone_build(q, mins, 2, &iso) == 0)
                        hh_isochrone_free(&iso);
                }
            }
            hh_query_free(q);
        }
        hh_net_close(net);
    }
    unlink(in);
    return 0;
}
