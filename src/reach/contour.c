/* contour.c: travel-time samples -> one field on a lattice -> marching squares.
 *
 * Every cutoff is a level of the same field, so the polygons nest by
 * construction.  What keeps the rings simple and pairwise disjoint is local:
 * each crossing lies strictly inside a lattice edge and depends only on that
 * edge's two values, so it is shared by exactly the two cells on either side
 * and has exactly one segment in and one out; inside a cell the segments are
 * chords of the square whose ends never interleave, so they never cross.
 *
 * Once per call: lay_raster, splat (the field), find_spans.  Per cutoff:
 * march (segments, linked into rings as they are made), chain (rings, areas),
 * assemble (holes to their outer rings, output in metres). */
#include "reach/contour.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "halfhour.h"
#include "util/alloc.h"

/* The same bits on every machine: no fused multiply-adds (GCC in ISO C
 * mode never contracts, clang does unless told, on targets that have FMA). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* HH_NO_SIMD builds the portable loops alone (to test them on x86). */
#if defined(__SSE2__) && !defined(HH_NO_SIMD)
#define USE_SSE2 1
#include <emmintrin.h>
#else
#define USE_SSE2 0
#endif

/* Crossings stay this far (cell units) from lattice vertices.  On a vertex a
 * crossing would be shared by the rings of the cells around it (touching
 * rings: invalid polygons); near one, two rings may pass as close as
 * T_EPS * cell / sqrt(2), and that gap must survive the rounding of the
 * output (7 decimals of a degree is ~1 cm): 1 % of a 5 m cell is 3.5 cm.
 * Clamping is monotone in the cutoff, so it keeps the nesting. */
#define T_EPS 0.01
/* Next to an unreached (+inf) vertex, where the buffer ends between the two
 * vertices is unknown; the crossing goes where the off-road cone from the
 * reached vertex meets the cutoff, but no farther than half a cell (the
 * buffer edge's average position).  Treating +inf as a huge value instead
 * would pin every such boundary on the reached vertex and shrink polygons by
 * half a cell all round. */
#define INF_FRAC 0.5
/* Columns are int32 (row spans); the raster is capped well below that. */
#define MAX_VERTICES ((size_t)INT32_MAX)
#define VISITED SIZE_MAX

typedef struct ring {
    size_t first; /* first point in ws->pts */
    size_t n;     /* points, closing point included */
    double area;  /* signed, cell units: > 0 outer, < 0 hole */
    size_t poly;  /* output polygon it belongs to */
    size_t hits;  /* scratch: ray crossings while placing one hole */
} ring;

typedef struct seg {
    double x, y; /* where it starts (a crossing), cell units */
    size_t next; /* the segment that continues its ring */
} seg;

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
    int32_t *span;    /* per row: first, last reached column (empty: lo>hi) */
    size_t span_cap;
    disc_row *disc;   /* the splat footprint */
    size_t disc_cap, n_disc;
    seg *segs;        /* this cutoff's segments, in cell order */
    size_t segs_cap;
    size_t *line;     /* 2 x nx: segments on the lattice lines below, above */
    size_t line_cap;
    uint64_t *bits;   /* 2 rows of inside flags, 64 vertices a word */
    size_t bits_cap;
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
    /* hole filling (hh__contour_levels with marks) */
    float *mark;      /* nv: latest time of a street point nearest each vertex, -inf none */
    size_t mark_cap;
    uint64_t *fill;   /* ny rows of nw words: vertices of filled holes */
    size_t fill_cap;
    uint32_t *stamp;  /* nv: BFS visit stamps */
    size_t stamp_cap;
    uint32_t *queue;  /* BFS queue: vertices of one hole */
    size_t queue_cap;
    double rad;       /* buffer in cells, of the raster laid last */
    size_t marks_nv;  /* vertices of the lattice mark was laid for (0: none) */
};

typedef hh__raster raster;

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
    hh__free(ws->span);
    hh__free(ws->disc);
    hh__free(ws->segs);
    hh__free(ws->line);
    hh__free(ws->bits);
    hh__free(ws->pts);
    hh__free(ws->rings);
    hh__free(ws->row_first);
    hh__free(ws->row_seg);
    hh__free(ws->touched);
    hh__free(ws->order);
    hh__free(ws->cursor);
    hh__free(ws->res);
    hh__free(ws->mark);
    hh__free(ws->fill);
    hh__free(ws->stamp);
    hh__free(ws->queue);
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
    return 0; /* the samples are checked by lay_raster, in its pass */
}

/* Lays the lattice over the samples that can be inside some cutoff, with a
 * buffer_m + one cell margin so the border vertices are never reached (every
 * ring then closes).  Lattice lines sit on multiples of cell_m so that
 * results of different queries line up.  Returns 1 if no sample counts,
 * HH_EINVAL for a non-finite sample (checked here: a separate pass over a
 * large cloud costs as much as this one, all of it memory traffic). */
static int lay_extent(double x0, double y0, double x1, double y1, const hh__contour_params *p,
                      raster *r);

static int lay_raster(const hh__sample *s, size_t n, double t_max,
                      const hh__contour_params *p, raster *r)
{
    float x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        const float x = s[i].x, y = s[i].y, t = s[i].t;
        if (!isfinite(x) || !isfinite(y) || !isfinite(t))
            return HH_EINVAL;
        if (!(t <= t_max))
            continue;
        x0 = x < x0 ? x : x0;
        x1 = x > x1 ? x : x1;
        y0 = y < y0 ? y : y0;
        y1 = y > y1 ? y : y1;
    }
    if (x0 > x1)
        return 1;
    return lay_extent(x0, y0, x1, y1, p, r);
}

/* The lattice over the extent [x0, x1] x [y0, y1] of the samples that
 * count (see lay_raster). */
static int lay_extent(double x0, double y0, double x1, double y1, const hh__contour_params *p,
                      raster *r)
{
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
        hh__grow(&ws->line, &ws->line_cap, 2 * r->nx, sizeof *ws->line) ||
        hh__grow(&ws->bits, &ws->bits_cap, 2 * ((r->nx >> 6) + 2), sizeof *ws->bits) ||
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
    ws->rad = rad;
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

/* Where the sample sits in cell units; 0 if its disc misses the inner
 * raster (only samples beyond the largest cutoff can). */
static int sample_pos(const raster *r, const hh__sample *s, double rad, double *fx,
                      double *fy)
{
    *fx = (s->x - r->ox) / r->cell;
    *fy = (s->y - r->oy) / r->cell;
    return *fx + rad >= 1 && *fx - rad <= (double)(r->nx - 2) && *fy + rad >= 1 &&
           *fy - rad <= (double)(r->ny - 2);
}

/* Each sample lowers the vertices within buffer_m to t + d / offroad_mps
 * (in float: a bit of a second is far below what a polygon can show).
 * Border vertices are never written, so every ring closes. */
static inline void splat_one(const hh__contour_ws *ws, const raster *r, double fx, double fy,
                             float t)
{
    float *g = ws->grid;
    const long nx = (long)r->nx, imax = nx - 2, jmax = (long)r->ny - 2;
    const float r2 = (float)(ws->rad * ws->rad), ds = (float)r->cell_s;
    {
        const long ci = (long)floor(fx + 0.5), cj = (long)floor(fy + 0.5);
        const float fdx = (float)((double)ci - fx), fdy = (float)((double)cj - fy);
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
#if USE_SSE2
            /* four vertices at a time, lanes past ib forced to +inf so they
             * store back what they read (still inside the grid: ib <= nx-2
             * and row j+1 exists); the same operations in the same order as
             * the scalar loop, so the same bits */
            const __m128 lane = _mm_set_ps(3, 2, 1, 0), vinf = _mm_set1_ps(INFINITY);
            const __m128 vfdx = _mm_set1_ps(fdx), vdy2 = _mm_set1_ps(dy2);
            const __m128 vr2 = _mm_set1_ps(r2), vt = _mm_set1_ps(t), vds = _mm_set1_ps(ds);
            const __m128i ilane = _mm_set_epi32(3, 2, 1, 0), iend = _mm_set1_epi32((int)ib + 1);
            for (; i <= ib; i += 4) {
                const __m128 dx = _mm_add_ps(vfdx, _mm_add_ps(_mm_set1_ps((float)(i - ci)), lane));
                const __m128 d2 = _mm_add_ps(_mm_mul_ps(dx, dx), vdy2);
                const __m128 v = _mm_add_ps(vt, _mm_mul_ps(_mm_sqrt_ps(d2), vds));
                const __m128i col = _mm_add_epi32(_mm_set1_epi32((int)i), ilane);
                const __m128 keep = _mm_and_ps(_mm_cmple_ps(d2, vr2),
                                               _mm_castsi128_ps(_mm_cmplt_epi32(col, iend)));
                const __m128 vk = _mm_or_ps(_mm_and_ps(keep, v), _mm_andnot_ps(keep, vinf));
                _mm_storeu_ps(row + i, _mm_min_ps(vk, _mm_loadu_ps(row + i)));
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

static void splat(hh__contour_ws *ws, const raster *r, const hh__sample *s,
                  size_t n, double rad)
{
    float *g = ws->grid;
    for (size_t k = 0; k < r->nv; k++)
        g[k] = INFINITY;
    for (size_t k = 0; k < n; k++) {
        double fx, fy;
        if (sample_pos(r, &s[k], rad, &fx, &fy))
            splat_one(ws, r, fx, fy, s[k].t);
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

/* The crossing on edge e of cell (i, j); r0, r1 are grid rows j and j+1.
 * Each crossing is computed once, as the start of the one segment leaving
 * it, so the two cells sharing the edge cannot disagree. */
static void edge_point(const float *r0, const float *r1, size_t i, size_t j,
                       int e, double c, double cell_s, seg *sg)
{
    switch (e) {
    case 0:
        sg->x = (double)i + crossing(r0[i], r0[i + 1], c, cell_s);
        sg->y = (double)j;
        break;
    case 1:
        sg->x = (double)(i + 1);
        sg->y = (double)j + crossing(r0[i + 1], r1[i + 1], c, cell_s);
        break;
    case 2:
        sg->x = (double)i + crossing(r1[i], r1[i + 1], c, cell_s);
        sg->y = (double)(j + 1);
        break;
    default:
        sg->x = (double)i;
        sg->y = (double)j + crossing(r0[i], r1[i], c, cell_s);
        break;
    }
}

/* Index of the lowest set bit (x != 0), by de Bruijn multiplication. */
static inline unsigned low_bit(uint64_t x)
{
    static const unsigned char pos[64] = {
        0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,
        62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
        63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
        46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6};
    return pos[((x & (0 - x)) * UINT64_C(0x03f79d71b4cb0a89)) >> 58];
}

/* Bit i of w: vertex i of the row is inside (<= cf).  Unreached columns
 * (outside the row's span) stay 0, and so does the spare word at the end. */
static void row_bits(const float *row, const int32_t *span, float cf, uint64_t *w,
                     size_t nw)
{
    memset(w, 0, nw * sizeof *w);
    for (int32_t i = span[0]; i <= span[1];) {
        /* a word at a time in a register: or-ing into memory bit by bit
         * would chain every vertex through a store and a load */
        const int32_t end = (i | 63) < span[1] ? (i | 63) : span[1];
        uint64_t acc = 0;
#if USE_SSE2
        if ((i & 63) == 0 && end == i + 63) {
            const __m128 vc = _mm_set1_ps(cf);
            for (int q = 0; q < 64; q += 4)
                acc |= (uint64_t)_mm_movemask_ps(_mm_cmple_ps(_mm_loadu_ps(row + i + q), vc)) << q;
            i += 64;
        }
#endif
        for (; i <= end; i++)
            acc |= (uint64_t)(row[i] <= cf) << (i & 63);
        w[(i - 1) >> 6] = acc;
    }
}

typedef struct march_row {
    const float *r0, *r1; /* grid rows j and j+1 */
    size_t j;
    size_t *below, *above; /* per column: segment on the line below / above */
    size_t left;           /* segment on the right edge of the last cell */
} march_row;

/* The one or two segments of cell (i, j), linked as they are made: the
 * neighbour across the left edge was the previous cell with segments, the
 * one across the bottom edge a cell of the previous row, so two rows of ids
 * replace a table over the whole lattice. */
static int cell_segments(hh__contour_ws *ws, march_row *mr, size_t i, unsigned code,
                         double c, double cell_s, size_t *ns)
{
    const float *r0 = mr->r0, *r1 = mr->r1;
    const signed char *t = seg_table[code];
    int to[2] = {t[1], t[3]};
    if (code == 5 || code == 10) {
        /* The cell centre decides (mean of the corners, +inf if any is
         * unreached): it depends on the field alone, so a cell joined at one
         * cutoff stays joined at every larger one and the nesting holds. */
        double mid = ((double)r0[i] + r0[i + 1] + r1[i] + r1[i + 1]) / 4;
        if (mid <= c) {
            to[0] = t[3];
            to[1] = t[1];
        }
    }
    size_t right = VISITED;
    for (int h = 0; h < 2 && t[2 * h] >= 0; h++) {
        const size_t id = *ns;
        if (id == ws->segs_cap && hh__grow(&ws->segs, &ws->segs_cap, id + 1, sizeof *ws->segs))
            return HH_ENOMEM;
        seg *sg = &ws->segs[id];
        const int from = t[2 * h];
        edge_point(r0, r1, i, mr->j, from, c, cell_s, sg);
        sg->next = VISITED;
        /* a segment starting on an edge continues the one ending there in
         * the neighbour, and the other way round */
        if (from == 0)
            ws->segs[mr->below[i]].next = id;
        else if (from == 3)
            ws->segs[mr->left].next = id;
        if (to[h] == 0)
            sg->next = mr->below[i];
        else if (to[h] == 3)
            sg->next = mr->left;
        if (from == 1 || to[h] == 1)
            right = id;
        if (from == 2 || to[h] == 2)
            mr->above[i] = id;
        (*ns)++;
    }
    mr->left = right;
    return 0;
}

/* Marching squares at level c.  Inside flags are packed 64 to a word, so
 * the cells whose four corners agree (nearly all) are skipped a word at a
 * time and only boundary cells are visited, left to right. */
static float level_f(double c);

/* fill (NULL: none): per row nw words of vertices counted inside whatever
 * their value (filled holes). */
static void or_fill(uint64_t *w, const uint64_t *fill, size_t j, size_t nw)
{
    if (!fill)
        return;
    for (size_t k = 0; k < nw; k++)
        w[k] |= fill[j * nw + k];
}

static int march(hh__contour_ws *ws, const raster *r, double c, const uint64_t *fill,
                 size_t *n_seg)
{
    const int32_t *span = ws->span;
    const size_t nw = (r->nx >> 6) + 2;
    uint64_t *A = ws->bits, *B = ws->bits + nw;
    march_row mr = {0};
    mr.below = ws->line;
    mr.above = ws->line + r->nx;
    const float cf = level_f(c);
    size_t ns = 0;
    row_bits(ws->grid, span, cf, A, nw);
    or_fill(A, fill, 0, nw);
    for (size_t j = 0; j + 1 < r->ny; j++) {
        mr.r0 = ws->grid + j * r->nx;
        mr.r1 = mr.r0 + r->nx;
        mr.j = j;
        row_bits(mr.r1, span + 2 * (j + 1), cf, B, nw);
        or_fill(B, fill, j + 1, nw);
        for (size_t w = 0; w + 1 < nw; w++) {
            const uint64_t a = A[w], b = B[w];
            if ((a | b | A[w + 1] | B[w + 1]) == 0)
                continue;
            /* bit i of a1, b1: the corner right of cell i */
            const uint64_t a1 = a >> 1 | A[w + 1] << 63, b1 = b >> 1 | B[w + 1] << 63;
            uint64_t mixed = (a ^ a1) | (b ^ b1) | (a ^ b);
            while (mixed) {
                const unsigned k = low_bit(mixed);
                mixed &= mixed - 1;
                const unsigned code = (unsigned)((a >> k & 1) | (a1 >> k & 1) << 1 |
                                                 (b1 >> k & 1) << 2 | (b >> k & 1) << 3);
                if (cell_segments(ws, &mr, (w << 6) + k, code, c, r->cell_s, &ns))
                    return HH_ENOMEM;
            }
        }
        size_t *tl = mr.below;
        mr.below = mr.above;
        mr.above = tl;
        uint64_t *tb = A;
        A = B;
        B = tb;
    }
    *n_seg = ns;
    return 0;
}

/* Follows the links from every unvisited segment; each crossing has one
 * segment in and one out, so the walks are disjoint closed rings. */
static int chain(hh__contour_ws *ws, size_t n_seg, size_t *n_rings, size_t *n_pts)
{
    size_t nr = 0, np = 0;
    seg *sg = ws->segs;
    /* every segment gives one point, every ring one closing point more */
    if (hh__grow(&ws->pts, &ws->pts_cap, 2 * (2 * n_seg), sizeof *ws->pts))
        return HH_ENOMEM;
    for (size_t k = 0; k < n_seg; k++) {
        if (sg[k].next == VISITED)
            continue;
        if (nr == ws->rings_cap &&
            hh__grow(&ws->rings, &ws->rings_cap, nr + 1, sizeof *ws->rings))
            return HH_ENOMEM;
        ring *rg = &ws->rings[nr++];
        rg->first = np;
        double *q = ws->pts + 2 * np;
        size_t m = k;
        do {
            assert(m != VISITED);
            q[0] = sg[m].x;
            q[1] = sg[m].y;
            q += 2;
            size_t to = sg[m].next;
            sg[m].next = VISITED;
            m = to;
        } while (m != k);
        const double *first = ws->pts + 2 * rg->first;
        q[0] = first[0];
        q[1] = first[1];
        q += 2;
        rg->n = (size_t)(q - first) / 2;
        np += rg->n;
        /* shoelace relative to the first point, for precision */
        double a2 = 0;
        for (size_t u = 1; u + 2 < rg->n; u++) {
            const double *a = first + 2 * u, *b = a + 2;
            a2 += (a[0] - first[0]) * (b[1] - first[1]) - (b[0] - first[0]) * (a[1] - first[1]);
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

static void fill_level(hh__contour_ws *ws, const raster *r, double c, uint32_t gen, size_t n_rings,
                       size_t *n_filled);

/* Every cutoff of the field in ws->grid (ws->res reserved and zeroed); the
 * results reach out[] only when all succeeded. */
static int levels(hh__contour_ws *ws, const raster *r, int fill_holes, const double *cutoffs_s,
                  size_t n_cut, hh__mpoly *out)
{
    int rc = 0;
    find_spans(ws, r);
    size_t done = 0;
    for (; done < n_cut; done++) {
        size_t n_seg, n_rings, n_pts, n_filled = 0;
        double c = cutoffs_s[done];
        if ((rc = march(ws, r, c, NULL, &n_seg)) || (rc = chain(ws, n_seg, &n_rings, &n_pts)))
            goto fail;
        if (fill_holes)
            fill_level(ws, r, c, (uint32_t)done + 1, n_rings, &n_filled);
        if (n_filled && ((rc = march(ws, r, c, ws->fill, &n_seg)) ||
                         (rc = chain(ws, n_seg, &n_rings, &n_pts))))
            goto fail;
        if ((rc = assemble(ws, r, n_rings, n_pts, &ws->res[done])))
            goto fail;
    }
    memcpy(out, ws->res, n_cut * sizeof *out);
    return 0;
fail:
    for (size_t k = 0; k < done; k++)
        hh__mpoly_free(&ws->res[k]);
    return rc;
}

/* The largest float <= c: then v <= cf exactly when v <= c. */
static float level_f(double c)
{
    float cf = (float)c;
    if ((double)cf > c)
        cf = nextafterf(cf, -INFINITY);
    return cf;
}

/* Cell (i, j) joins its inside diagonal at level c (march's saddle rule). */
static int cell_joined(const float *g, size_t nx, size_t i, size_t j, double c)
{
    const float *r0 = g + j * nx, *r1 = r0 + nx;
    double mid = ((double)r0[i] + r0[i + 1] + r1[i] + r1[i + 1]) / 4;
    return mid <= c;
}

/* Fills the holes of level c that carry no mark later than c: each hole
 * ring bounds one connected set of outside vertices (4-neighbours, and
 * diagonal ones across a saddle cell the march keeps open), found by a
 * search from the outside vertex next to the ring's first point.  Sets
 * their bits in ws->fill; *n_filled counts the holes filled. */
static void fill_level(hh__contour_ws *ws, const raster *r, double c, uint32_t gen, size_t n_rings,
                       size_t *n_filled)
{
    const size_t nx = r->nx, ny = r->ny, nw = (nx >> 6) + 2;
    const float *g = ws->grid, cf = level_f(c);
    memset(ws->fill, 0, ny * nw * sizeof *ws->fill);
    size_t nf = 0;
    for (size_t h = 0; h < n_rings; h++) {
        if (ws->rings[h].area >= 0)
            continue;
        /* the first point lies strictly inside one lattice edge */
        const double px = ws->pts[2 * ws->rings[h].first], py = ws->pts[2 * ws->rings[h].first + 1];
        size_t a, b;
        if (px == floor(px)) {
            a = (size_t)floor(py) * nx + (size_t)px;
            b = a + nx;
        } else {
            a = (size_t)py * nx + (size_t)floor(px);
            b = a + 1;
        }
        const size_t seed = g[a] <= cf ? b : a;
        if (ws->stamp[seed] == gen)
            continue;
        size_t head = 0, tail = 0;
        int open = 0; /* reached the border: not a hole after all (never expected) */
        float latest = -INFINITY;
        ws->stamp[seed] = gen;
        ws->queue[tail++] = (uint32_t)seed;
        while (head < tail) {
            const size_t v = ws->queue[head++], i = v % nx, j = v / nx;
            if (ws->mark[v] > latest)
                latest = ws->mark[v];
            if (i == 0 || j == 0 || i + 1 == nx || j + 1 == ny) {
                open = 1;
                continue;
            }
            static const int di[8] = {1, -1, 0, 0, 1, -1, 1, -1}, dj[8] = {0, 0, 1, -1, 1, 1, -1, -1};
            for (int k = 0; k < 8; k++) {
                const size_t ui = i + (size_t)(long)di[k], uj = j + (size_t)(long)dj[k], u = uj * nx + ui;
                if (ws->stamp[u] == gen || g[u] <= cf)
                    continue;
                if (k >= 4) {
                    /* across a cell: only where its other two corners are
                     * inside and the march keeps the cell open */
                    const size_t s1 = j * nx + ui, s2 = uj * nx + i;
                    if (!(g[s1] <= cf) || !(g[s2] <= cf) ||
                        cell_joined(g, nx, i < ui ? i : ui, j < uj ? j : uj, c))
                        continue;
                }
                ws->stamp[u] = gen;
                ws->queue[tail++] = (uint32_t)u;
            }
        }
        if (open || latest > c)
            continue;
        for (size_t q = 0; q < tail; q++) {
            const size_t v = ws->queue[q];
            ws->fill[(v / nx) * nw + ((v % nx) >> 6)] |= UINT64_C(1) << (v % nx & 63);
        }
        nf++;
    }
    *n_filled = nf;
}

int hh__contour_lay(hh__contour_ws *ws, double x0, double y0, double x1, double y1,
                    const hh__contour_params *p, int marks, hh__raster *r)
{
    int rc = check_args(NULL, 0, NULL, 0, p, NULL);
    if (rc)
        return rc;
    if (!(isfinite(x0) && isfinite(y0) && isfinite(x1) && isfinite(y1) && x0 <= x1 && y0 <= y1))
        return HH_EINVAL;
    raster lr;
    if ((rc = lay_extent(x0, y0, x1, y1, p, &lr)) || (rc = reserve(ws, &lr)) ||
        (rc = make_disc(ws, p->buffer_m / p->cell_m)))
        return rc;
    if (marks && hh__grow(&ws->mark, &ws->mark_cap, lr.nv, sizeof *ws->mark))
        return HH_ENOMEM;
    for (size_t k = 0; k < lr.nv; k++)
        ws->grid[k] = INFINITY;
    if (marks)
        for (size_t k = 0; k < lr.nv; k++)
            ws->mark[k] = -INFINITY;
    ws->marks_nv = marks ? lr.nv : 0;
    *r = lr;
    return 0;
}

int hh__contour_splat(hh__contour_ws *ws, const hh__raster *r, double x, double y, float t)
{
    return hh__contour_splat_at(ws, r, (x - r->ox) / r->cell, (y - r->oy) / r->cell, t);
}

int hh__contour_splat_at(hh__contour_ws *ws, const hh__raster *r, double fx, double fy, float t)
{
    const double rad = ws->rad;
    if (!(fx - rad >= 1 && fx + rad <= (double)(r->nx - 2) && fy - rad >= 1 &&
          fy + rad <= (double)(r->ny - 2)))
        return 1;
    if (rad > 1) {
        splat_one(ws, r, fx, fy, t);
        return 0;
    }
    /* buffer == cell (coarse lattices: large areas): only the four corners
     * of the sample's cell lie within one cell of it */
    const size_t i = (size_t)fx, j = (size_t)fy;
    const float ax = (float)(fx - (double)i), ay = (float)(fy - (double)j);
    const float bx = 1 - ax, by = 1 - ay, ds = (float)r->cell_s;
    float *g0 = ws->grid + j * r->nx + i, *g1 = g0 + r->nx;
#if USE_SSE2
    /* the four corners in one register, without a branch */
    const __m128 dx = _mm_set_ps(bx, ax, bx, ax), dy = _mm_set_ps(by, by, ay, ay);
    const __m128 d2 = _mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy));
    const __m128 v = _mm_add_ps(_mm_set1_ps(t), _mm_mul_ps(_mm_sqrt_ps(d2), _mm_set1_ps(ds)));
    const __m128 keep = _mm_cmple_ps(d2, _mm_set1_ps(1));
    const __m128 w = _mm_or_ps(_mm_and_ps(keep, v), _mm_andnot_ps(keep, _mm_set1_ps(INFINITY)));
    float cur[4] = {g0[0], g0[1], g1[0], g1[1]}; /* floats: no 8-byte loads */
    _mm_storeu_ps(cur, _mm_min_ps(_mm_loadu_ps(cur), w));
    g0[0] = cur[0], g0[1] = cur[1], g1[0] = cur[2], g1[1] = cur[3];
#else
    const float d2[4] = {ax * ax + ay * ay, bx * bx + ay * ay, ax * ax + by * by, bx * bx + by * by};
    float *c4[4] = {g0, g0 + 1, g1, g1 + 1};
    for (int k = 0; k < 4; k++) {
        const float v = t + sqrtf(d2[k]) * ds;
        if (d2[k] <= 1 && v < *c4[k])
            *c4[k] = v;
    }
#endif
    return 0;
}

void hh__contour_mark(hh__contour_ws *ws, const hh__raster *r, double x, double y, float t)
{
    hh__contour_mark_at(ws, r, (x - r->ox) / r->cell, (y - r->oy) / r->cell, t);
}

void hh__contour_mark_at(hh__contour_ws *ws, const hh__raster *r, double fx, double fy, float t)
{
    fx += 0.5, fy += 0.5;
    if (!(fx >= 0 && fy >= 0 && fx < (double)r->nx && fy < (double)r->ny) || ws->marks_nv != r->nv)
        return;
    float *m = &ws->mark[(size_t)fy * r->nx + (size_t)fx];
    if (t > *m)
        *m = t;
}

int hh__contour_levels(hh__contour_ws *ws, const hh__raster *r, int fill_holes,
                       const double *cutoffs_s, size_t n_cut, hh__mpoly *out)
{
    for (size_t i = 0; i < n_cut; i++)
        if (!(cutoffs_s[i] > 0 && isfinite(cutoffs_s[i])) || (i && !(cutoffs_s[i] > cutoffs_s[i - 1])))
            return HH_EINVAL;
    if (n_cut == 0)
        return 0;
    if (!out || (fill_holes && ws->marks_nv != r->nv))
        return HH_EINVAL;
    if (hh__grow(&ws->res, &ws->res_cap, n_cut, sizeof *ws->res))
        return HH_ENOMEM;
    memset(ws->res, 0, n_cut * sizeof *ws->res);
    if (fill_holes) {
        if (hh__grow(&ws->fill, &ws->fill_cap, r->ny * ((r->nx >> 6) + 2), sizeof *ws->fill) ||
            hh__grow(&ws->stamp, &ws->stamp_cap, r->nv, sizeof *ws->stamp) ||
            hh__grow(&ws->queue, &ws->queue_cap, r->nv, sizeof *ws->queue))
            return HH_ENOMEM;
        memset(ws->stamp, 0, r->nv * sizeof *ws->stamp);
    }
    return levels(ws, r, fill_holes, cutoffs_s, n_cut, out);
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
    return levels(ws, &r, 0, cutoffs_s, n_cut, out);
}
