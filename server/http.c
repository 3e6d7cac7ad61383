/* http.c: the HTTP side, on GNU libmicrohttpd (Debian's libmicrohttpd-dev:
 * small, C, maintained for two decades, with its own thread pool and
 * epoll).  A pool of --threads internal polling threads, each with its own
 * epoll set, accepts and serves connections (keep-alive included); a
 * request runs to its end on the thread that read it, with that thread's
 * query workspaces.  Limits on the body, the time a body may take to
 * arrive, idle connections and the number of connections are enforced here;
 * the others by the request parser and the handlers.  SIGTERM/SIGINT:
 * stop accepting, let the requests in flight finish, then stop. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <microhttpd.h>

#include "server/internal.h"

void hh_serve_limits_default(hh_serve_limits *l)
{
    l->body_bytes = 1 << 20;
    l->locations = 1000;
    l->contours = 10;
    l->matrix_cells = 250000;
    l->grid_cells = 100000;
    l->network_features = 20000;
    l->time_budget_s = 10;
    l->scenario_features = 100;
    l->scenarios = 2;
}

/* ---- metrics ------------------------------------------------------------ */

static const int codes[] = {200, 400, 404, 405, 408, 413, 500, 503};
#define N_CODES (sizeof codes / sizeof *codes)
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define N_BUCKETS (sizeof buckets / sizeof *buckets)

typedef struct metrics {
    pthread_mutex_t mu;
    unsigned long long req[SV_N_ENDPOINTS][N_CODES + 1]; /* last: another code */
    unsigned long long hist[SV_N_ENDPOINTS][N_BUCKETS + 1];
    double sum[SV_N_ENDPOINTS];
} metrics;

static int code_slot(int code)
{
    for (size_t i = 0; i < N_CODES; i++)
        if (codes[i] == code)
            return (int)i;
    return (int)N_CODES;
}

static void metrics_add(metrics *m, sv_endpoint ep, int code, double secs)
{
    size_t b = 0;
    while (b < N_BUCKETS && secs > buckets[b])
        b++;
    pthread_mutex_lock(&m->mu);
    m->req[ep][code_slot(code)]++;
    m->hist[ep][b]++;
    m->sum[ep] += secs;
    pthread_mutex_unlock(&m->mu);
}

/* ---- the server ----------------------------------------------------------- */

typedef struct srv {
    struct MHD_Daemon *d;
    /* the server state of the network in use: swapped under mu by SIGHUP;
     * each request holds a reference while it runs, so an older network is
     * closed when the last request using it ends */
    pthread_mutex_t mu;
    sv_server *cur;
    uint64_t n_gen;
    const hh_serve_opts *o;
    char webroot[PATH_MAX];
    int have_web;
    metrics m;
    int in_flight;   /* __atomic */
    int stopping;    /* __atomic */
} srv;

typedef struct conn_state {
    sv_endpoint ep;
    int post, head;
    double t0;
    char *body;
    size_t len, cap;
    int too_big;
    int status;      /* the answer's, for the metrics */
    int answered;
} conn_state;

static void metrics_text(srv *v, sv_resp *out)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    memset(out, 0, sizeof *out);
    if (!f) {
        out->status = 500;
        return;
    }
    metrics *m = &v->m;
    pthread_mutex_lock(&m->mu);
    fprintf(f, "# HELP halfhour_requests_total Requests answered, by endpoint and status code.\n"
               "# TYPE halfhour_requests_total counter\n");
    for (int e = 0; e < SV_N_ENDPOINTS; e++)
        for (size_t c = 0; c <= N_CODES; c++)
            if (m->req[e][c])
                fprintf(f, "halfhour_requests_total{endpoint=\"%s\",code=\"%s%d\"} %llu\n",
                        sv_endpoint_name((sv_endpoint)e), c < N_CODES ? "" : "other_", c < N_CODES ? codes[c] : 0,
                        m->req[e][c]);
    fprintf(f, "# HELP halfhour_errors_total Requests answered with an error status, by code.\n"
               "# TYPE halfhour_errors_total counter\n");
    for (size_t c = 0; c < N_CODES; c++) {
        if (codes[c] < 400)
            continue;
        unsigned long long n = 0;
        for (int e = 0; e < SV_N_ENDPOINTS; e++)
            n += m->req[e][c];
        fprintf(f, "halfhour_errors_total{code=\"%d\"} %llu\n", codes[c], n);
    }
    fprintf(f, "# HELP halfhour_request_duration_seconds Time from a request's headers to its answer sent.\n"
               "# TYPE halfhour_request_duration_seconds histogram\n");
    for (int e = 0; e < SV_N_ENDPOINTS; e++) {
        unsigned long long cum = 0;
        const char *en = sv_endpoint_name((sv_endpoint)e);
        for (size_t b = 0; b <= N_BUCKETS; b++) {
            cum += m->hist[e][b];
            if (b < N_BUCKETS)
                fprintf(f, "halfhour_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%g\"} %llu\n", en,
                        buckets[b], cum);
            else
                fprintf(f, "halfhour_request_duration_seconds_bucket{endpoint=\"%s\",le=\"+Inf\"} %llu\n", en, cum);
        }
        fprintf(f, "halfhour_request_duration_seconds_sum{endpoint=\"%s\"} %.6f\n", en, m->sum[e]);
        fprintf(f, "halfhour_request_duration_seconds_count{endpoint=\"%s\"} %llu\n", en, cum);
    }
    pthread_mutex_unlock(&m->mu);
    fprintf(f, "# HELP halfhour_in_flight Requests being answered.\n# TYPE halfhour_in_flight gauge\n"
               "halfhour_in_flight %d\n",
            __atomic_load_n(&v->in_flight, __ATOMIC_RELAXED));
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        out->status = 500;
        return;
    }
    out->status = 200, out->ctype = "text/plain; version=0.0.4", out->body = buf, out->len = len;
}

/* ---- sending --------------------------------------------------------------- */

static enum MHD_Result send_resp(srv *v, struct MHD_Connection *c, conn_state *st, sv_resp *r)
{
    if (!r->body && r->status != 204) {
        sv_error e = {500, "", "out of memory"};
        sv_resp_error(r, &e);
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->len, r->body ? r->body : (void *)"", r->body ? MHD_RESPMEM_MUST_FREE
                                                                                        : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(r->body);
        return MHD_NO;
    }
    if (r->ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
    for (int i = 0; i < r->n_hdr; i++)
        MHD_add_response_header(resp, r->hdr[i][0], r->hdr[i][1]);
    if (r->n_hdr)
        MHD_add_response_header(resp, "Access-Control-Expose-Headers", "X-Bbox, X-Range, X-Column");
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (__atomic_load_n(&v->stopping, __ATOMIC_RELAXED))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    if (r->status == 405)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, st->ep == SV_STATIC     ? "GET, HEAD"
                                : st->ep == SV_SCENARIO ? "POST"
                                                        : "GET, POST");
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    st->status = r->status;
    st->answered = 1;
    return ok;
}

static enum MHD_Result send_error(srv *v, struct MHD_Connection *c, conn_state *st, int status, const char *limit,
                                  const char *msg)
{
    sv_error e;
    e.status = status;
    snprintf(e.limit, sizeof e.limit, "%s", limit ? limit : "");
    snprintf(e.msg, sizeof e.msg, "%s", msg);
    sv_resp r;
    sv_resp_error(&r, &e);
    return send_resp(v, c, st, &r);
}

/* ---- static files ------------------------------------------------------------ */

static const char *content_type(const char *path)
{
    static const char *const t[][2] = {{".html", "text/html; charset=utf-8"},
                                       {".js", "text/javascript; charset=utf-8"},
                                       {".mjs", "text/javascript; charset=utf-8"},
                                       {".css", "text/css; charset=utf-8"},
                                       {".png", "image/png"},
                                       {".svg", "image/svg+xml"},
                                       {".json", "application/json"},
                                       {".geojson", "application/geo+json"},
                                       {".woff2", "font/woff2"},
                                       {".woff", "font/woff"},
                                       {".ico", "image/x-icon"},
                                       {".map", "application/json"},
                                       {".txt", "text/plain; charset=utf-8"},
                                       {".webmanifest", "application/manifest+json"}};
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof t / sizeof *t; i++)
            if (!strcasecmp(dot, t[i][0]))
                return t[i][1];
    return "application/octet-stream";
}

/* The URL (already percent-decoded by libmicrohttpd) inside the web root:
 * no ".." segment, no backslash, and the real path of what it names (links
 * followed) still inside the root.  0 with fd, size and type; -1: 404. */
static int static_open(const srv *v, const char *url, int *fd, off_t *size, const char **ctype)
{
    if (!v->have_web || url[0] != '/' || strchr(url, '\\') || strlen(url) > 1024)
        return -1;
    for (const char *p = url; (p = strstr(p, "..")); p += 2)
        if ((p == url || p[-1] == '/') && (p[2] == 0 || p[2] == '/'))
            return -1;
    char path[PATH_MAX + 1100], real[PATH_MAX];
    snprintf(path, sizeof path, "%s%s", v->webroot, url);
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        snprintf(path + strlen(path), sizeof path - strlen(path), "%sindex.html",
                 path[strlen(path) - 1] == '/' ? "" : "/");
    if (!realpath(path, real))
        return -1;
    size_t rl = strlen(v->webroot);
    if (strncmp(real, v->webroot, rl) || (real[rl] != '/' && real[rl] != 0))
        return -1;
    int f = open(real, O_RDONLY | O_CLOEXEC);
    if (f < 0)
        return -1;
    if (fstat(f, &sb) || !S_ISREG(sb.st_mode)) {
        close(f);
        return -1;
    }
    *fd = f, *size = sb.st_size, *ctype = content_type(real);
    return 0;
}

static enum MHD_Result serve_static(srv *v, struct MHD_Connection *c, conn_state *st, const char *url)
{
    int fd;
    off_t size;
    const char *ctype;
    if (!v->have_web && (!strcmp(url, "/") || !strcmp(url, "/index.html"))) {
        static const char page[] =
            "<!doctype html><meta charset=utf-8><title>halfhour</title>"
            "<p>The planning map is not built. Build it (web/README.md: its build writes web/dist) "
            "or start the server with <code>--web DIR</code>.</p>"
            "<p>The API answers meanwhile: <a href=\"/info\">/info</a>, <a href=\"/health\">/health</a> "
            "(docs/http.md).</p><p>&copy; OpenStreetMap contributors</p>\n";
        sv_resp r = {200, "text/html; charset=utf-8", malloc(sizeof page - 1), sizeof page - 1, {{{0}}}, 0};
        if (r.body)
            memcpy(r.body, page, sizeof page - 1);
        return send_resp(v, c, st, &r);
    }
    if (static_open(v, url, &fd, &size, &ctype))
        return send_error(v, c, st, 404, NULL, "no such file");
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)size, fd);
    if (!resp) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (__atomic_load_n(&v->stopping, __ATOMIC_RELAXED))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    st->status = 200, st->answered = 1;
    return ok;
}

/* ---- routing ---------------------------------------------------------------- */

static sv_endpoint route(const char *url)
{
    static const struct {
        const char *path;
        sv_endpoint ep;
    } r[] = {{"/health", SV_HEALTH},   {"/info", SV_INFO},   {"/network", SV_NETWORK}, {"/isochrone", SV_ISOCHRONE},
             {"/table", SV_TABLE},     {"/access", SV_ACCESS}, {"/report", SV_REPORT}, {"/site", SV_SITE},
             {"/scenario", SV_SCENARIO}, {"/metrics", SV_METRICS}};
    for (size_t i = 0; i < sizeof r / sizeof *r; i++)
        if (!strcmp(url, r[i].path))
            return r[i].ep;
    return SV_STATIC;
}

typedef struct qctx {
    json_t *fields;
    sv_error *e;
    int bad;
} qctx;

static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    qctx *q = cls;
    (void)kind;
    if (!q->bad && sv_query_add(q->fields, key, value, q->e))
        q->bad = 1;
    return q->bad ? MHD_NO : MHD_YES;
}

static sv_server *state_get(srv *v)
{
    pthread_mutex_lock(&v->mu);
    sv_server *s = v->cur;
    s->refs++;
    pthread_mutex_unlock(&v->mu);
    return s;
}

static void state_put(srv *v, sv_server *s)
{
    pthread_mutex_lock(&v->mu);
    int last = --s->refs == 0;
    pthread_mutex_unlock(&v->mu);
    if (!last)
        return;
    void *h = s->handle;
    sv_server_free(s);
    free(s);
    if (h)
        v->o->release(v->o->reload_ud, h);
}

static enum MHD_Result answer(srv *v, struct MHD_Connection *c, conn_state *st, const char *url)
{
    sv_server *s = NULL;
    sv_resp r;
    memset(&r, 0, sizeof r);
    switch (st->ep) {
    case SV_HEALTH: {
        static const char ok[] = "{\"status\":\"ok\"}";
        r.status = 200, r.ctype = "application/json", r.body = malloc(sizeof ok), r.len = sizeof ok - 1;
        if (r.body)
            memcpy(r.body, ok, sizeof ok);
        return send_resp(v, c, st, &r);
    }
    case SV_INFO:
        s = state_get(v);
        sv_handle_info(s, &r);
        state_put(v, s);
        return send_resp(v, c, st, &r);
    case SV_METRICS:
        metrics_text(v, &r);
        return send_resp(v, c, st, &r);
    case SV_STATIC:
        return serve_static(v, c, st, url);
    default:
        break;
    }
    sv_error e;
    json_t *fields = NULL;
    if (st->post) {
        fields = sv_body_parse(st->body, st->len, &e);
    } else {
        fields = json_object();
        qctx q = {fields, &e, 0};
        if (!fields) {
            e.status = 500, e.limit[0] = 0, snprintf(e.msg, sizeof e.msg, "out of memory");
        } else {
            MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_arg, &q);
            if (q.bad) {
                json_decref(fields);
                fields = NULL;
            }
        }
    }
    if (!fields) {
        sv_resp_error(&r, &e);
        return send_resp(v, c, st, &r);
    }
    sv_req req;
    s = state_get(v);
    int rc = sv_req_parse(&s->cfg, st->ep, fields, &req, &e);
    json_decref(fields);
    if (rc) {
        state_put(v, s);
        sv_req_free(&req);
        sv_resp_error(&r, &e);
        return send_resp(v, c, st, &r);
    }
    sv_handle(s, &req, st->t0 + s->cfg.lim.time_budget_s, &r);
    state_put(v, s);
    sv_req_free(&req);
    return send_resp(v, c, st, &r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    srv *v = cls;
    (void)version;
    conn_state *st = *con_cls;
    if (!st) {
        if (!(st = calloc(1, sizeof *st)))
            return MHD_NO;
        *con_cls = st;
        __atomic_add_fetch(&v->in_flight, 1, __ATOMIC_RELAXED);
        st->t0 = sv_now();
        st->ep = route(url);
        st->post = !strcmp(method, "POST");
        st->head = !strcmp(method, "HEAD");
        int get = !strcmp(method, "GET") || st->head;
        int post_ok = st->ep == SV_ISOCHRONE || st->ep == SV_TABLE || st->ep == SV_ACCESS || st->ep == SV_REPORT ||
                      st->ep == SV_SITE || st->ep == SV_SCENARIO;
        if (!get && !(st->post && post_ok))
            return send_error(v, c, st, 405, NULL, "method not allowed here");
        if (st->ep == SV_SCENARIO && !st->post)
            return send_error(v, c, st, 405, NULL, "/scenario takes POST: the change is the body's \"change\"");
        if (st->post) {
            const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
            if (cl && strtoull(cl, NULL, 10) > v->o->lim.body_bytes) {
                char msg[128];
                snprintf(msg, sizeof msg, "request body of %.20s bytes: more than the limit of %zu", cl,
                         v->o->lim.body_bytes);
                return send_error(v, c, st, 413, "body_bytes", msg);
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (st->answered)
            return MHD_YES;
        if (sv_now() - st->t0 > v->o->read_timeout_s) {
            /* a body trickling in: libmicrohttpd sends no answer before the
             * body's end, so the connection is closed (counted as 408) */
            st->status = 408;
            return MHD_NO;
        }
        if (st->too_big || st->len + n > v->o->lim.body_bytes) {
            st->too_big = 1; /* read to the end, then answered 413 */
            free(st->body);
            st->body = NULL, st->len = st->cap = 0;
            return MHD_YES;
        }
        if (st->len + n > st->cap) {
            size_t cap = st->cap ? st->cap : 4096;
            while (cap < st->len + n)
                cap *= 2;
            char *b = realloc(st->body, cap);
            if (!b)
                return MHD_NO;
            st->body = b, st->cap = cap;
        }
        memcpy(st->body + st->len, upload_data, n);
        st->len += n;
        return MHD_YES;
    }
    if (st->answered)
        return MHD_YES;
    if (st->too_big) {
        char msg[128];
        snprintf(msg, sizeof msg, "request body: more than the limit of %zu bytes", v->o->lim.body_bytes);
        return send_error(v, c, st, 413, "body_bytes", msg);
    }
    return answer(v, c, st, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    srv *v = cls;
    (void)c;
    conn_state *st = *con_cls;
    if (!st)
        return;
    int code = st->status ? st->status : toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? 408 : 400;
    metrics_add(&v->m, st->ep, code, sv_now() - st->t0);
    free(st->body);
    free(st);
    *con_cls = NULL;
    __atomic_sub_fetch(&v->in_flight, 1, __ATOMIC_RELAXED);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls, (void)fmt, (void)ap; /* libmicrohttpd's notes on bad clients: not ours to print */
}

/* ---- running ------------------------------------------------------------- */

/* SIGHUP: the caller's reload opens the network again (and its layers); the
 * new state is made (the layers snapped) before the swap, so a request sees
 * either network whole.  Requests in flight finish on the one they started
 * with, which is closed when the last of them ends.  A failed reload keeps
 * the current network and says why on stderr. */
static void reload(srv *v, const char *tmpdir)
{
    const hh_serve_opts *o = v->o;
    char err[1024] = "";
    if (!o->reload) {
        fprintf(stderr, "halfhour serve: SIGHUP ignored (no reload for this server)\n");
        return;
    }
    const hh_net *net = NULL;
    const hh_layers *layers = NULL;
    void *h = NULL;
    double t0 = sv_now();
    if (o->reload(o->reload_ud, &net, &layers, &h, err, sizeof err)) {
        fprintf(stderr, "halfhour serve: reload failed, serving the network loaded before: %s\n", err);
        return;
    }
    sv_server *ns = calloc(1, sizeof *ns);
    int rc = ns ? sv_server_init(ns, net, layers, &o->lim, o->net_path, tmpdir, err, sizeof err) : HH_ENOMEM;
    if (rc) {
        if (ns) {
            sv_server_free(ns);
            free(ns);
        }
        o->release(o->reload_ud, h);
        fprintf(stderr, "halfhour serve: reload failed, serving the network loaded before: %s\n",
                rc == HH_ENOMEM ? "out of memory" : err);
        return;
    }
    ns->handle = h, ns->refs = 1;
    pthread_mutex_lock(&v->mu);
    ns->gen = ++v->n_gen;
    sv_server *old = v->cur;
    v->cur = ns;
    pthread_mutex_unlock(&v->mu);
    state_put(v, old); /* its own reference: closed now, or by its last request */
    fprintf(stderr, "halfhour serve: reloaded %s (%u edges, %u feeds) in %.2f s\n", o->net_path ? o->net_path : "",
            hh_net_n_edges(net), hh_net_n_feeds(net), sv_now() - t0);
}

int hh_serve_run(const hh_net *net, const hh_serve_opts *o, char *err, size_t errlen)
{
    srv *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return HH_ENOMEM;
    }
    v->o = o;
    pthread_mutex_init(&v->m.mu, NULL);
    pthread_mutex_init(&v->mu, NULL);
    int rc = 0;
    char tmpdir[PATH_MAX];
    const char *td = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/hh-serve.XXXXXX", td && *td ? td : "/tmp");
    if (!mkdtemp(tmpdir)) {
        snprintf(err, errlen, "cannot make a temporary folder in %s: %s", td && *td ? td : "/tmp", strerror(errno));
        free(v);
        return HH_EIO;
    }
    if (o->web_dir) {
        if (!realpath(o->web_dir, v->webroot)) {
            snprintf(err, errlen, "--web %s: %s", o->web_dir, strerror(errno));
            rc = HH_EIO;
            goto out;
        }
        v->have_web = 1;
    }
    if (!(v->cur = calloc(1, sizeof *v->cur))) {
        snprintf(err, errlen, "out of memory");
        rc = HH_ENOMEM;
        goto out;
    }
    if ((rc = sv_server_init(v->cur, net, o->layers, &o->lim, o->net_path, tmpdir, err, errlen)))
        goto out;
    v->cur->refs = 1, v->cur->gen = ++v->n_gen, v->cur->handle = o->first_handle;
    /* --bind: an IPv4 or an IPv6 address (bare or in brackets, as in a URL);
     * "::" listens on every interface, IPv6 and IPv4 on one socket */
    const char *bind = o->bind ? o->bind : "127.0.0.1";
    char host[INET6_ADDRSTRLEN + 2] = "";
    size_t bl = strlen(bind);
    if (bl >= 2 && bind[0] == '[' && bind[bl - 1] == ']' && bl - 2 < sizeof host)
        memcpy(host, bind + 1, bl - 2), host[bl - 2] = 0;
    else if (bl < sizeof host)
        memcpy(host, bind, bl + 1);
    struct sockaddr_in sa4;
    struct sockaddr_in6 sa6;
    memset(&sa4, 0, sizeof sa4), memset(&sa6, 0, sizeof sa6);
    sa4.sin_family = AF_INET, sa4.sin_port = htons((uint16_t)o->port);
    sa6.sin6_family = AF_INET6, sa6.sin6_port = htons((uint16_t)o->port);
    int v6 = 0;
    if (inet_pton(AF_INET, host, &sa4.sin_addr) != 1) {
        if (inet_pton(AF_INET6, host, &sa6.sin6_addr) != 1) {
            snprintf(err, errlen, "--bind %s: not an IPv4 or IPv6 address (e.g. 127.0.0.1, 0.0.0.0, ::1, ::)", bind);
            rc = HH_EINVAL;
            goto out;
        }
        v6 = 1;
    }
    /* how the address is written in a URL and in messages */
    char shown[INET6_ADDRSTRLEN + 2];
    snprintf(shown, sizeof shown, v6 ? "[%s]" : "%s", host);
    /* the signals that stop the server are taken by sigwait below, in this
     * thread; the pool's threads inherit the mask */
    sigset_t sigs, old;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, &old);
    signal(SIGPIPE, SIG_IGN);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = o->threads > 0 ? (unsigned)o->threads : cores > 0 ? (unsigned)cores : 1;
    v->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                                (!v6 ? 0 : IN6_IS_ADDR_UNSPECIFIED(&sa6.sin6_addr) ? MHD_USE_DUAL_STACK : MHD_USE_IPv6),
                            0, NULL, NULL, on_request, v, MHD_OPTION_SOCK_ADDR,
                            v6 ? (struct sockaddr *)&sa6 : (struct sockaddr *)&sa4,
                            MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
                            o->max_connections ? o->max_connections : 4096u, MHD_OPTION_CONNECTION_TIMEOUT,
                            o->connection_timeout_s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, v,
                            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
                            MHD_OPTION_END);
    if (!v->d) {
        snprintf(err, errlen, "cannot listen on %s:%d (%s)", shown, o->port,
                 errno ? strerror(errno) : "libmicrohttpd refused the options");
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        rc = HH_EIO;
        goto out;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(v->d, MHD_DAEMON_INFO_BIND_PORT);
    printf("halfhour serve: listening on http://%s:%u/\n", shown, di ? (unsigned)di->port : (unsigned)o->port);
    fflush(stdout);
    int sig = 0;
    for (;;) {
        while (sigwait(&sigs, &sig) != 0)
            ;
        if (sig != SIGHUP)
            break;
        reload(v, tmpdir);
    }
    /* stop accepting; answer what is in flight; then stop */
    __atomic_store_n(&v->stopping, 1, __ATOMIC_RELAXED);
    MHD_socket ls = MHD_quiesce_daemon(v->d);
    double t0 = sv_now(), drain = o->lim.time_budget_s + o->read_timeout_s + 5;
    while (__atomic_load_n(&v->in_flight, __ATOMIC_RELAXED) > 0 && sv_now() - t0 < drain)
        usleep(5000);
    MHD_stop_daemon(v->d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    fprintf(stderr, "halfhour serve: stopped (signal %d)\n", sig);
out:
    if (v->cur) {
        if (rc)
            v->cur->handle = NULL; /* a failed start leaves the first network to the caller */
        if (v->cur->refs) {
            state_put(v, v->cur); /* every request has ended: the last reference */
        } else { /* init failed: the first network stays the caller's */
            sv_server_free(v->cur);
            free(v->cur);
        }
    }
    pthread_mutex_destroy(&v->mu);
    pthread_mutex_destroy(&v->m.mu);
    rmdir(tmpdir); /* every request's file is gone already */
    free(v);
    return rc;
}
