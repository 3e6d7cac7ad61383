/* layers.c: the opportunity layers stored in a network file (sections
 * HH_SEC_LAYER_*, written by src/build/layers.c), copied out for callers. */
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "util/alloc.h"

int hh_net_layers(const hh_net *net, hh_layers *out)
{
    uint64_t nc = 0, np = 0, nv = 0;
    const char *names = hh__net_section(net, HH_SEC_LAYER_NAMES, 1, &nc);
    const hh__ll *ll = hh__net_section(net, HH_SEC_LAYER_LL, sizeof *ll, &np);
    const double *v = hh__net_section(net, HH_SEC_LAYER_VAL, sizeof *v, &nv);
    hh_layers l;
    memset(&l, 0, sizeof l);
    if (!names || !ll || !v) {
        *out = l; /* no layers */
        return 0;
    }
    size_t nl = 0;
    for (uint64_t i = 0; i < nc; i++)
        nl += names[i] == '\n';
    if (nl == 0 || (nc && names[nc - 1] != '\n') || nv != np * nl)
        return HH_EFORMAT;
    int rc = HH_ENOMEM;
    l.n_layers = nl, l.n = (size_t)np;
    l.name = hh__calloc(nl, sizeof *l.name);
    l.n_blank = hh__calloc(nl, sizeof *l.n_blank);
    l.lon = hh__alloc_array(np + 1, sizeof *l.lon);
    l.lat = hh__alloc_array(np + 1, sizeof *l.lat);
    l.value = hh__alloc_array(nv + 1, sizeof *l.value);
    if (!l.name || !l.n_blank || !l.lon || !l.lat || !l.value)
        goto fail;
    const char *s = names;
    for (size_t j = 0; j < nl; j++) {
        const char *nlp = memchr(s, '\n', (size_t)(names + nc - s));
        const char *tab = memchr(s, '\t', (size_t)(nlp - s));
        size_t len = (size_t)((tab ? tab : nlp) - s);
        if (!(l.name[j] = hh__malloc(len + 1)))
            goto fail;
        memcpy(l.name[j], s, len);
        l.name[j][len] = 0;
        l.n_blank[j] = tab ? strtoull(tab + 1, NULL, 10) : 0;
        s = nlp + 1;
    }
    for (uint64_t i = 0; i < np; i++)
        l.lon[i] = ll[i].lon_e7 / 1e7, l.lat[i] = ll[i].lat_e7 / 1e7;
    if (nv)
        memcpy(l.value, v, nv * sizeof *v);
    *out = l;
    return 0;
fail:
    hh_layers_free(&l);
    return rc;
}
