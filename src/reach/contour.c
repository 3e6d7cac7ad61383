/* contour.c: travel-time samples -> one field on a lattice -> marching squares.
 *
 * Every cutoff is a level of the same field, so the polygons nest by
 * construction.  What keeps the rings simple and pairwise disjoint is local:
 * each crossing lies strictly inside a lattice edge and depends only on that
 * edge's two values, so it is shared by exactly the two cells on either side
 * and has exactly one segment in and one out; inside a cell the segments are
 * chords of the square whose ends never interleave, so they never cross. */
#include "reach/contour.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "halfhour.h"
#include "util/alloc.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Crossings stay this far (cell units) from lattice vertices: a crossing on
 * a vertex would be shared by the rings of the cells around it, and rings
 * that touch make invalid polygons. */
#define T_EPS 1e-6
/* Next to an unreached (+inf) vertex, where the buffer ends between the two
 * vertices is unknown; the crossing goes where the off-road cone from the
 * reached vertex meets the cutoff, but no farther than half a cell (the
 * buffer edge's average position).  Treating +inf as a huge value instead
 * would pin every such boundary on the reached vertex and shrink polygons by
 * half a cell all round. */
#define INF_FRAC 0.5
/* Edge ids are uint32 (2 per vertex) and one value marks "visited". */
#define VISITED UINT32_MAX
#define MAX_VERTICES ((size_t)(UINT32_MAX / 2 - 1))

typedef struct ring {
    size_t first; /* first point in ws->pts */
    size_t n;     /* points, closing point included */
    double area;  /* signed, cell units: > 0 outer, < 0 hole */
    size_t poly;  /* output polygon it belongs to */
    size_t hits;  /* scratch: ray crossings while placing one hole */
} ring;

typedef struct disc_row {
    long dj, lo, hi; /* row offset, column offsets lo..hi */
} disc_row;

typedef struct seg_ref {
    size_t k;    /* segment from point k to k+1 of ws->pts */
    size_t ring;
} seg_ref;

struct hh__contour_ws {
    float *grid;      /* nx*ny vertex values (s), row-major, +inf unreached */
    size_t grid_cap;
    uint32_t *next;   /* per edge id: the edge its ring goes to next */
    size_t next_cap;
    int32_t *span;    /* per row: first, last reached column (empty: lo>hi) */
    size_t span_cap;
    disc_row *disc;   /* the splat footprint */
    size_t disc_cap, n_disc;
    uint32_t *starts; /* edges where this cutoff's segments start */
    size_t starts_cap;
    double *pts;      /* ring points as x,y in cell units */
    size_t pts_cap;
    ring *rings;
    size_t rings_cap;
    size_t *row_first; /* outer-ring segments by cell row (ny+1 entries) */
    size_t row_first_cap;
    seg_ref *row_seg;
    size_t row_seg_cap;
    size_t *touched;   /* rings a hole's ray crossed */
    size_t touched_cap;
    size_t *order;    /* output ring slot -> ring */
    size_t order_cap;
    size_t *cursor;   /* per polygon: next free ring slot */
    size_t cursor_cap;
    hh__mpoly *res;   /* results held back until every cutoff succeeded */
    size_t res_cap;
};

/* The lattice: vertex (i, j) sits at (ox + i*cell, oy + j*cell) and has
 * index k = j*nx+i; its edge to (i+1,j) has id 2k, to (i,j+1) id 2k+1, so a
 * ring walking its cells touches nearby ids. */
typedef struct raster {
    size_t nx, ny, nv;
    double ox, oy, cell;
    double cell_s; /* seconds to cross one cell off-road */
} raster;

int hh__contour_ws_init(hh__contour_ws **out)
{
    hh__contour_ws *ws = hh__calloc(1, sizeof *ws);
    if (!ws)
        return HH_ENOMEM;
    *out = ws;
    return 0;
}

void hh__contour_ws_free(hh__contour_ws *ws)
{
    if (!ws)
        return;
    hh__free(ws->grid);
    hh__free(ws->next);
    hh__free(ws->span);
    hh__free(ws->disc);
    hh__free(ws->starts);
    hh__free(ws->pts);
    hh__free(ws->rings);
    hh__free(ws->row_first);
    hh__free(ws->row_seg);
    hh__free(ws->touched);
    hh__free(ws->order);
    hh__free(ws->cursor);
    hh__free(ws->res);
    hh__free(ws);
}

void hh__mpoly_free(hh__mpoly *m)
{
    if (!m)
        return;
    hh__free(m->poly_first_ring);
    hh__free(m->ring_first);
    hh__free(m->xy);
    memset(m, 0, sizeof *m);
}

static int check_args(const hh__sample *s, size_t n, const double *cut,
                      size_t n_cut, const hh__contour_params *p,
                      const hh__mpoly *out)
{
    if (!p || (n && !s) || (n_cut && (!cut || !out)))
        return HH_EINVAL;
    /* written so that NaN fails every test */
    if (!(p->cell_m > 0 && isfinite(p->cell_m)) ||
        !(p->buffer_m >= p->cell_m && isfinite(p->buffer_m)) ||
        !(p->offroad_mps > 0 && isfinite(p->offroad_mps)))
        return HH_EINVAL;
    for (size_t i = 0; i < n_cut; i++)
        if (!(cut[i] > 0 && isfinite(cut[i])) || (i && !(cut[i] > cut[i - 1])))
            return HH_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(s[i].x) || !isfinite(s[i].y) || !isfinite(s[i].t))
            return HH_EINVAL;
    return 0;
}

/* Lays the lattice over the samples that can be inside some cutoff, with a
 * buffer_m + one cell margin so the border vertices are never reached (every
 * ring then closes).  Lattice lines sit on multiples of cell_m so that
 * results of different queries line up.  Returns 1 if no sample counts. */
static int lay_raster(const hh__sample *s, size_t n, double t_max,
                      const hh__contour_params *p, raster *r)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!(s[i].t <= t_max))
            continue;
        x0 = fmin(x0, s[i].x);
        x1 = fmax(x1, s[i].x);
        y0 = fmin(y0, s[i].y);
        y1 = fmax(y1, s[i].y);
    }
    if (x0 > x1)
        return 1;
    double c = p->cell_m, b = p->buffer_m;
    double gx0 = floor((x0 - b) / c) - 1, gx1 = ceil((x1 + b) / c) + 1;
    double gy0 = floor((y0 - b) / c) - 1, gy1 = ceil((y1 + b) / c) + 1;
    double nx = gx1 - gx0 + 1, ny = gy1 - gy0 + 1;
    if (!(nx * ny <= (double)MAX_VERTICES))
        return HH_ERANGE;
    r->nx = (size_t)nx;
    r->ny = (size_t)ny;
    r->nv = r->nx * r->ny;
    r->ox = gx0 * c;
    r->oy = gy0 * c;
    r->cell = c;
    r->cell_s = c / p->offroad_mps;
    return 0;
}

static int reserve(hh__contour_ws *ws, const raster *r)
{
    if (hh__grow(&ws->grid, &ws->grid_cap, r->nv, sizeof *ws->grid) ||
        hh__grow(&ws->next, &ws->next_cap, 2 * r->nv, sizeof *ws->next) ||
        hh__grow(&ws->span, &ws->span_cap, 2 * r->ny, sizeof *ws->span))
        return HH_ENOMEM;
    return 0;
}

/* The vertices a sample can reach, as rows of columns around the lattice
 * vertex nearest to it: every vertex within buffer_m of some point of that
 * vertex's cell-sized square.  The same fixed loops for every sample keep the
 * branch predictor right, which matters more than the few extra vertices
 * (rejected by distance, without a branch). */
static int make_disc(hh__contour_ws *ws, double rad)
{
    const long R = (long)floor(rad + 0.5);
    if (hh__grow(&ws->disc, &ws->disc_cap, (size_t)(2 * R + 1), sizeof *ws->disc))
        return HH_ENOMEM;
    ws->n_disc = 0;
    for (long oj = -R; oj <= R; oj++) {
        const double ey = fmax(fabs((double)oj) - 0.5, 0);
        if (ey * ey > rad * rad)
            continue;
        const long w = (long)floor(0.5 + sqrt(rad * rad - ey * ey));
        ws->disc[ws->n_disc++] = (disc_row){oj, -w, w};
    }
    return 0;
}

/* Each sample lowers the vertices within buffer_m to t + d / offroad_mps
 * (in float: a bit of a second is far below what a polygon can show).
 * Border vertices are never written, so every ring closes. */
static void splat(hh__contour_ws *ws, const raster *r, const hh__sample *s,
                  size_t n, double rad)
{
    float *g = ws->grid;
    for (size_t k = 0; k < r->nv; k++)
        g[k] = INFINITY;
    const long nx = (long)r->nx, imax = nx - 2, jmax = (long)r->ny - 2;
    const float r2 = (float)(rad * rad), ds = (float)r->cell_s;
    for (size_t k = 0; k < n; k++) {
        const double fx = (s[k].x - r->ox) / r->cell;
        const double fy = (s[k].y - r->oy) / r->cell;
        /* only samples beyond the largest cutoff can lie off the raster */
        if (!(fx + rad >= 1 && fx - rad <= (double)imax && fy + rad >= 1 &&
              fy - rad <= (double)jmax))
            continue;
        const long ci = (long)floor(fx + 0.5), cj = (long)floor(fy + 0.5);
        const float fdx = (float)((double)ci - fx), fdy = (float)((double)cj - fy);
        const float t = s[k].t;
        for (size_t m = 0; m < ws->n_disc; m++) {
            const disc_row *d = &ws->disc[m];
            const long j = cj + d->dj;
            if (j < 1 || j > jmax)
                continue;
            const long ia = ci + d->lo < 1 ? 1 : ci + d->lo;
            const long ib = ci + d->hi > imax ? imax : ci + d->hi;
            const float dy = fdy + (float)d->dj, dy2 = dy * dy;
            float *row = g + j * nx;
            long i = ia;
#ifdef __SSE2__
            /* four vertices at a time, lanes past ib forced to +inf so they
             * store back what they read (still inside the grid: ib <= nx-2
             * and row j+1 exists); same operations in the same order as the
             * scalar loop, so the same bits */
            const __m128 vdx0 = _mm_set_ps(3, 2, 1, 0), vinf = _mm_set1_ps(INFINITY);
            const __m128 vdy2 = _mm_set1_ps(dy2), vr2 = _mm_set1_ps(r2);
            const __m128 vt = _mm_set1_ps(t), vds = _mm_set1_ps(ds);
            for (; i <= ib; i += 4) {
                const __m128 dx = _mm_add_ps(_mm_set1_ps(fdx), _mm_add_ps(_mm_set1_ps((float)(i - ci)), vdx0));
                const __m128 d2 = _mm_add_ps(_mm_mul_ps(dx, dx), vdy2);
                __m128 v = _mm_add_ps(vt, _mm_mul_ps(_mm_sqrt_ps(d2), vds));
                __m128 keep = _mm_and_ps(_mm_cmple_ps(d2, vr2),
                                         _mm_cmple_ps(_mm_add_ps(_mm_set1_ps((float)i), vdx0),
                                                      _mm_set1_ps((float)ib)));
                v = _mm_or_ps(_mm_and_ps(keep, v), _mm_andnot_ps(keep, vinf));
                _mm_storeu_ps(row + i, _mm_min_ps(v, _mm_loadu_ps(row + i)));
            }
#endif
            for (; i <= ib; i++) {
                const float dx = fdx + (float)(i - ci), d2 = dx * dx + dy2;
                float v = t + sqrtf(d2) * ds;
                v = d2 <= r2 ? v : INFINITY;
                row[i] = v < row[i] ? v : row[i];
            }
        }
    }
}

/* Per row, the first and last reached column, so marching skips the
 * unreached margins (empty row: lo > hi). */
static void find_spans(hh__contour_ws *ws, const raster *r)
{
    for (size_t j = 0; j < r->ny; j++) {
        const float *row = ws->grid + j * r->nx;
        int32_t lo = 0, hi = (int32_t)r->nx - 1;
        while (lo <= hi && isinf(row[lo]))
            lo++;
        while (hi >= lo && isinf(row[hi]))
            hi--;
        if (lo > hi) {
            lo = INT32_MAX;
            hi = -1;
        }
        ws->span[2 * j] = lo;
        ws->span[2 * j + 1] = hi;
    }
}

/* Segments per cell case, as (from, to) cell-edge pairs with the inside on
 * the left, so outer rings come out counter-clockwise and holes clockwise.
 * Corners: bit 0 (i,j), 1 (i+1,j), 2 (i+1,j+1), 3 (i,j+1); edges: 0 bottom,
 * 1 right, 2 top, 3 left.  Saddles 5 and 10 list the "separate" form; the
 * "joined" form pairs the same starts with the other ends. */
static const signed char seg_table[16][4] = {
    {-1, -1, -1, -1}, {0, 3, -1, -1}, {1, 0, -1, -1}, {1, 3, -1, -1},
    {2, 1, -1, -1},   {0, 3, 2, 1},   {2, 0, -1, -1}, {2, 3, -1, -1},
    {3, 2, -1, -1},   {0, 2, -1, -1}, {1, 0, 3, 2},   {1, 2, -1, -1},
    {3, 1, -1, -1},   {0, 1, -1, -1}, {3, 0, -1, -1}, {-1, -1, -1, -1},
};


static int add_segment(hh__contour_ws *ws, size_t *ns, uint32_t from, uint32_t to)
{
    if (*ns == ws->starts_cap &&
        hh__grow(&ws->starts, &ws->starts_cap, *ns + 1, sizeof *ws->starts))
        return HH_ENOMEM;
    ws->next[from] = to;
    ws->starts[(*ns)++] = from;
    return 0;
}

/* Marching squares at level c over the cells next to a reached vertex. */
static int march(hh__contour_ws *ws, const raster *r, double c, size_t *n_seg)
{
    const float *g = ws->grid;
    const int32_t *span = ws->span;
    /* ids of a cell's edges (bottom, right, top, left) minus 2k */
    const uint32_t eo[4] = {0, 3, 2 * (uint32_t)r->nx, 1};
    /* the largest float <= c: then v <= cf exactly when v <= c, and the
     * float compares keep this loop cheap */
    float cf = (float)c;
    if ((double)cf > c)
        cf = nextafterf(cf, -INFINITY);
    size_t ns = 0;
    for (size_t j = 0; j + 1 < r->ny; j++) {
        int32_t lo = span[2 * j] < span[2 * j + 2] ? span[2 * j] : span[2 * j + 2];
        int32_t hi = span[2 * j + 1] > span[2 * j + 3] ? span[2 * j + 1] : span[2 * j + 3];
        if (lo > hi)
            continue;
        /* reached columns are within 1..nx-2, so cells lo-1..hi exist */
        const float *r0 = g + j * r->nx, *r1 = r0 + r->nx;
        size_t i = (size_t)lo - 1;
        unsigned b0 = r0[i] <= cf, b3 = r1[i] <= cf;
        for (; i <= (size_t)hi; i++) {
            unsigned b1 = r0[i + 1] <= cf, b2 = r1[i + 1] <= cf;
            unsigned code = b0 | b1 << 1 | b2 << 2 | b3 << 3;
            b0 = b1;
            b3 = b2;
            if (code == 0 || code == 15)
                continue;
            const signed char *t = seg_table[code];
            int e1 = t[1], e3 = t[3];
            if (code == 5 || code == 10) {
                /* The cell centre decides (mean of the corners, +inf if any
                 * is unreached): it depends on the field alone, so a cell
                 * joined at one cutoff stays joined at every larger one and
                 * the nesting holds. */
                double mid = ((double)r0[i] + r0[i + 1] + r1[i] + r1[i + 1]) / 4;
                if (mid <= c) {
                    e1 = t[3];
                    e3 = t[1];
                }
            }
            const uint32_t e = 2 * (uint32_t)(j * r->nx + i);
            if (add_segment(ws, &ns, e + eo[t[0]], e + eo[e1]))
                return HH_ENOMEM;
            if (t[2] >= 0 && add_segment(ws, &ns, e + eo[t[2]], e + eo[e3]))
                return HH_ENOMEM;
        }
    }
    *n_seg = ns;
    return 0;
}

/* Fraction along the edge from value a to value b where level c is crossed
 * (exactly one of them is <= c).  Monotone in c, so larger cutoffs move every
 * crossing outward; kept off both ends (T_EPS). */
static inline double crossing(double a, double b, double c, double cell_s)
{
    double t;
    if (a <= c)
        t = isinf(b) ? fmin((c - a) / cell_s, INF_FRAC) : (c - a) / (b - a);
    else
        t = 1 - (isinf(a) ? fmin((c - b) / cell_s, INF_FRAC) : (c - b) / (a - b));
    if (t < T_EPS)
        t = T_EPS;
    if (t > 1 - T_EPS)
        t = 1 - T_EPS;
    return t;
}

static void edge_point(const hh__contour_ws *ws, const raster *r, uint32_t e,
                       double c, double *px, double *py)
{
    const float *g = ws->grid;
    const uint32_t k = e >> 1, nx = (uint32_t)r->nx;
    const uint32_t j = k / nx, i = k - j * nx; /* 32-bit: half the cost */
    if (e & 1) {
        *px = i;
        *py = j + crossing(g[k], g[k + nx], c, r->cell_s);
    } else {
        *px = i + crossing(g[k], g[k + 1], c, r->cell_s);
        *py = j;
    }
}

/* Follows next[] from every unvisited start; each crossing has exactly one
 * segment out, so the walks are disjoint cycles. */
static int chain(hh__contour_ws *ws, const raster *r, double c, size_t n_seg,
                 size_t *n_rings, size_t *n_pts)
{
    size_t nr = 0, np = 0;
    /* every segment gives one point, every ring one closing point more */
    if (hh__grow(&ws->pts, &ws->pts_cap, 2 * (2 * n_seg), sizeof *ws->pts))
        return HH_ENOMEM;
    for (size_t k = 0; k < n_seg; k++) {
        uint32_t e0 = ws->starts[k];
        if (ws->next[e0] == VISITED)
            continue;
        if (nr == ws->rings_cap &&
            hh__grow(&ws->rings, &ws->rings_cap, nr + 1, sizeof *ws->rings))
            return HH_ENOMEM;
        ring *rg = &ws->rings[nr++];
        rg->first = np;
        double *q = ws->pts + 2 * np;
        uint32_t e = e0;
        do {
            assert(e != VISITED);
            edge_point(ws, r, e, c, &q[0], &q[1]);
            q += 2;
            uint32_t to = ws->next[e];
            ws->next[e] = VISITED;
            e = to;
        } while (e != e0);
        const double *first = ws->pts + 2 * rg->first;
        q[0] = first[0];
        q[1] = first[1];
        q += 2;
        rg->n = (size_t)(q - first) / 2;
        np += rg->n;
        /* shoelace relative to the first point, for precision */
        double a2 = 0;
        for (size_t m = 1; m + 2 < rg->n; m++) {
            const double *u = first + 2 * m, *v = u + 2;
            a2 += (u[0] - first[0]) * (v[1] - first[1]) - (v[0] - first[0]) * (u[1] - first[1]);
        }
        rg->area = a2 / 2;
        rg->hits = 0;
    }
    *n_rings = nr;
    *n_pts = np;
    return 0;
}

/* Cell row of the segment from point k: all points lie on lattice lines and
 * a segment stays in one cell, so its lower end's row is the cell's. */
static size_t seg_row(const double *pts, size_t k)
{
    return (size_t)floor(fmin(pts[2 * k + 1], pts[2 * k + 3]));
}

/* Gives every hole the polygon of the smallest outer ring around it (any
 * larger one around it surrounds that one too: rings never cross).  A ray
 * from a hole's point toward +x only meets segments of that point's cell row
 * (a point on a lattice line meets only the row above, by the half-open
 * rule), so outer-ring segments are bucketed by row once, and each hole
 * counts crossings per ring in one bucket: linear time, where testing each
 * hole against each outer ring is quadratic (1000 holes inside one ring of
 * 30000 points is a normal city). */
static int place_holes(hh__contour_ws *ws, const raster *r, size_t n_rings)
{
    const double *pts = ws->pts;
    ring *rings = ws->rings;
    if (hh__grow(&ws->row_first, &ws->row_first_cap, r->ny + 1, sizeof *ws->row_first) ||
        hh__grow(&ws->touched, &ws->touched_cap, n_rings, sizeof *ws->touched))
        return HH_ENOMEM;
    size_t *rf = ws->row_first;
    memset(rf, 0, (r->ny + 1) * sizeof *rf);
    size_t n_seg = 0;
    for (size_t g = 0; g < n_rings; g++)
        if (rings[g].area > 0)
            for (size_t k = rings[g].first; k + 1 < rings[g].first + rings[g].n; k++, n_seg++)
                rf[seg_row(pts, k) + 1]++;
    if (hh__grow(&ws->row_seg, &ws->row_seg_cap, n_seg, sizeof *ws->row_seg))
        return HH_ENOMEM;
    for (size_t j = 0; j < r->ny; j++)
        rf[j + 1] += rf[j];
    /* fill with rf[j] as row j's cursor, then shift the starts back */
    for (size_t g = 0; g < n_rings; g++)
        if (rings[g].area > 0)
            for (size_t k = rings[g].first; k + 1 < rings[g].first + rings[g].n; k++)
                ws->row_seg[rf[seg_row(pts, k)]++] = (seg_ref){k, g};
    memmove(rf + 1, rf, r->ny * sizeof *rf);
    rf[0] = 0;

    for (size_t h = 0; h < n_rings; h++) {
        if (rings[h].area > 0)
            continue;
        const double px = pts[2 * rings[h].first], py = pts[2 * rings[h].first + 1];
        const size_t j = (size_t)floor(py);
        size_t nt = 0;
        for (size_t m = rf[j]; m < rf[j + 1]; m++) {
            const double *a = pts + 2 * ws->row_seg[m].k, *b = a + 2;
            if ((a[1] > py) != (b[1] > py) &&
                px < a[0] + (py - a[1]) * (b[0] - a[0]) / (b[1] - a[1])) {
                ring *o = &rings[ws->row_seg[m].ring];
                if (o->hits++ == 0)
                    ws->touched[nt++] = ws->row_seg[m].ring;
            }
        }
        size_t best = SIZE_MAX;
        for (size_t m = 0; m < nt; m++) {
            ring *o = &rings[ws->touched[m]];
            if (o->hits % 2 && (best == SIZE_MAX || o->area < rings[best].area))
                best = ws->touched[m];
            o->hits = 0;
        }
        assert(best != SIZE_MAX && "hole outside every outer ring");
        rings[h].poly = rings[best].poly;
    }
    return 0;
}

/* Groups the rings into polygons (outer ring first, then its holes, in the
 * order found) and copies them out in metres. */
static int assemble(hh__contour_ws *ws, const raster *r, size_t n_rings,
                    size_t n_pts, hh__mpoly *m)
{
    memset(m, 0, sizeof *m);
    if (n_rings == 0)
        return 0;
    if (hh__grow(&ws->order, &ws->order_cap, n_rings, sizeof *ws->order) ||
        hh__grow(&ws->cursor, &ws->cursor_cap, n_rings, sizeof *ws->cursor))
        return HH_ENOMEM;
    size_t n_polys = 0;
    double area = 0;
    for (size_t k = 0; k < n_rings; k++) {
        ring *rg = &ws->rings[k];
        area += rg->area;
        if (rg->area > 0) {
            ws->cursor[n_polys] = 1;
            rg->poly = n_polys++;
        }
    }
    int rc = place_holes(ws, r, n_rings);
    if (rc)
        return rc;
    for (size_t k = 0; k < n_rings; k++)
        if (ws->rings[k].area < 0)
            ws->cursor[ws->rings[k].poly]++;

    size_t *pfr = hh__alloc_array(n_polys + 1, sizeof *pfr);
    size_t *rf = hh__alloc_array(n_rings + 1, sizeof *rf);
    double *xy = hh__alloc_array(n_pts, 2 * sizeof *xy);
    if (!pfr || !rf || !xy) {
        hh__free(pfr);
        hh__free(rf);
        hh__free(xy);
        return HH_ENOMEM;
    }
    /* cursor[p]: ring count, then the next free slot of polygon p */
    pfr[0] = 0;
    for (size_t p = 0; p < n_polys; p++) {
        pfr[p + 1] = pfr[p] + ws->cursor[p];
        ws->cursor[p] = pfr[p] + 1;
    }
    for (size_t k = 0; k < n_rings; k++) {
        const ring *rg = &ws->rings[k];
        size_t slot = rg->area > 0 ? pfr[rg->poly] : ws->cursor[rg->poly]++;
        ws->order[slot] = k;
    }
    size_t np = 0;
    for (size_t s = 0; s < n_rings; s++) {
        const ring *rg = &ws->rings[ws->order[s]];
        const double *q = ws->pts + 2 * rg->first;
        rf[s] = np;
        for (size_t k = 0; k < rg->n; k++, np++) {
            xy[2 * np] = r->ox + q[2 * k] * r->cell;
            xy[2 * np + 1] = r->oy + q[2 * k + 1] * r->cell;
        }
    }
    rf[n_rings] = np;
    m->n_polys = n_polys;
    m->poly_first_ring = pfr;
    m->n_rings = n_rings;
    m->ring_first = rf;
    m->xy = xy;
    m->area_m2 = area * r->cell * r->cell;
    return 0;
}

int hh__contour(hh__contour_ws *ws, const hh__sample *s, size_t n,
                const double *cutoffs_s, size_t n_cut,
                const hh__contour_params *p, hh__mpoly *out)
{
    int rc = check_args(s, n, cutoffs_s, n_cut, p, out);
    if (rc || n_cut == 0)
        return rc;
    if (hh__grow(&ws->res, &ws->res_cap, n_cut, sizeof *ws->res))
        return HH_ENOMEM;
    memset(ws->res, 0, n_cut * sizeof *ws->res);

    raster r;
    rc = lay_raster(s, n, cutoffs_s[n_cut - 1], p, &r);
    if (rc == 1) {
        memcpy(out, ws->res, n_cut * sizeof *out);
        return 0;
    }
    const double rad = p->buffer_m / p->cell_m;
    if (rc || (rc = reserve(ws, &r)) || (rc = make_disc(ws, rad)))
        return rc;
    splat(ws, &r, s, n, rad);
    find_spans(ws, &r);

    size_t done = 0;
    for (; done < n_cut; done++) {
        size_t n_seg, n_rings, n_pts;
        double c = cutoffs_s[done];
        if ((rc = march(ws, &r, c, &n_seg)) ||
            (rc = chain(ws, &r, c, n_seg, &n_rings, &n_pts)) ||
            (rc = assemble(ws, &r, n_rings, n_pts, &ws->res[done])))
            goto fail;
    }
    memcpy(out, ws->res, n_cut * sizeof *out);
    return 0;
fail:
    for (size_t k = 0; k < done; k++)
        hh__mpoly_free(&ws->res[k]);
    return rc;
}
