/* fuzz_request.c: the server's request parsing -- a POST body (JSON, with
 * its depth, UTF-8 and number checks) or GET query parameters -- and its
 * mapping onto a request of each endpoint.  Byte 0 picks the endpoint
 * (low 7 bits, modulo 7) and the form (bit 7: query parameters "k=v&k=v",
 * else a JSON body); the rest is the request. */
#include "fuzz.h"
#include "halfhour.h"
#include "server/internal.h"

static const sv_endpoint eps[] = {SV_ISOCHRONE, SV_TABLE, SV_ACCESS, SV_REPORT, SV_SITE, SV_NETWORK, SV_SCENARIO};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static char *names[] = {"population", "jobs"};
    static uint64_t blanks[2];
    static double lon[1] = {-51.2}, lat[1] = {-30.0}, val[2] = {10, 3};
    hh_layers ls = {2, names, blanks, 1, lon, lat, val, NULL};
    sv_config cfg;
    memset(&cfg, 0, sizeof cfg);
    hh_serve_limits_default(&cfg.lim);
    cfg.lim.locations = 50, cfg.lim.contours = 4, cfg.lim.matrix_cells = 100;
    cfg.layers = &ls, cfg.has_transit = data[0] & 0x40;
    sv_endpoint ep = eps[(data[0] & 0x7f) % 7];
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    sv_error e;
    json_t *fields = NULL;
    if (data[0] & 0x80) {
        /* query parameters, split as libmicrohttpd hands them over */
        char *q = malloc(len + 1);
        if (!q)
            return 0;
        memcpy(q, body, len);
        q[len] = 0;
        fields = json_object();
        char *save = NULL;
        for (char *kv = strtok_r(q, "&", &save); fields && kv; kv = strtok_r(NULL, "&", &save)) {
            char *eq = strchr(kv, '=');
            if (eq)
                *eq = 0;
            if (sv_query_add(fields, kv, eq ? eq + 1 : NULL, &e)) {
                json_decref(fields);
                fields = NULL;
            }
        }
        free(q);
    } else {
        fields = sv_body_parse(body, len, &e);
    }
    if (!fields)
        return 0;
    sv_req r;
    if (sv_req_parse(&cfg, ep, fields, &r, &e) == 0) {
        /* what a handler relies on */
        if (r.n_minutes < 0 || r.n_minutes > SV_MAX_CUTOFFS || r.n_layers > SV_MAX_LAYERS)
            abort();
        for (int i = 1; i < r.n_minutes; i++)
            if (!(r.minutes[i - 1] < r.minutes[i]))
                abort();
        if (ep == SV_TABLE && (r.src.n * r.dst.n > cfg.lim.matrix_cells || !r.src.n || !r.dst.n))
            abort();
    } else if (e.status < 400 || e.status > 599 || !e.msg[0]) {
        abort();
    }
    sv_req_free(&r);
    json_decref(fields);
    return 0;
}
