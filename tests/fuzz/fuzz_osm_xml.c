/* fuzz_osm_xml.c: arbitrary bytes as an OSM XML file through the whole build. */
#include "fuzz.h"
#include "halfhour.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[256], out[300];
    if (fuzz_tmpfile(data, size, ".osm", in, sizeof in))
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
