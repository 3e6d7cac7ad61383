/* fuzz_osm.h: the body of the OSM harnesses: bytes as an OSM file with the
 * given suffix (which picks the parser) through the whole build, and the
 * result opened when the build succeeds. */
#ifndef HH_FUZZ_OSM_H
#define HH_FUZZ_OSM_H
#include "fuzz.h"
#include "halfhour.h"

static inline int fuzz_osm(const uint8_t *data, size_t size, const char *suffix)
{
    char in[256], out[300];
    if (fuzz_tmpfile(data, size, suffix, in, sizeof in))
        return 0;
    snprintf(out, sizeof out, "%s.hh", in);
    hh_profile p;
    hh_profile_default(&p);
    char err[256];
    if (hh_build(in, &p, out, NULL, NULL, NULL, err, sizeof err) == 0) {
        hh_net *net;
        if (hh_net_open(out, &net, err, sizeof err) == 0)
            hh_net_close(net);
        unlink(out);
    }
    unlink(in);
    return 0;
}
#endif
