/* test_contour.c: samples -> isochrone polygons (src/reach/contour.c).
 * Shapes with known areas, nesting across cutoffs, and a brute-force
 * validity check (closed rings, orientation, holes inside, no two segments
 * touching) on fixed-seed random clouds, plus allocation failure at every
 * allocation and "no allocation once warm". */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "halfhour.h"
#include "hhtest.h"
#include "testalloc.h"
#include "reach/contour.h"

static const double PI = 3.14159265358979323846;

static uint64_t rng_state;
static double rnd(void) /* uniform [0,1), fixed sequence per seed */
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

static double ring_area(const hh__mpoly *m, size_t r)
{
    double a = 0;
    for (size_t k = m->ring_first[r]; k + 1 < m->ring_first[r + 1]; k++)
        a += m->xy[2 * k] * m->xy[2 * k + 3] - m->xy[2 * k + 2] * m->xy[2 * k + 1];
    return a / 2;
}

static int ring_has_point(const hh__mpoly *m, size_t r, double px, double py)
{
    int in = 0;
    for (size_t k = m->ring_first[r]; k + 1 < m->ring_first[r + 1]; k++) {
        double xa = m->xy[2 * k], ya = m->xy[2 * k + 1];
        double xb = m->xy[2 * k + 2], yb = m->xy[2 * k + 3];
        if ((ya > py) != (yb > py) && px < xa + (py - ya) * (xb - xa) / (yb - ya))
            in = !in;
    }
    return in;
}

static int mpoly_has_point(const hh__mpoly *m, double px, double py)
{
    int in = 0;
    for (size_t r = 0; r < m->n_rings; r++)
        in ^= ring_has_point(m, r, px, py);
    return in;
}

static double orient(const double *a, const double *b, const double *c)
{
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

static int on_seg(const double *a, const double *b, const double *p)
{
    return fmin(a[0], b[0]) <= p[0] && p[0] <= fmax(a[0], b[0]) &&
           fmin(a[1], b[1]) <= p[1] && p[1] <= fmax(a[1], b[1]);
}

/* Closed segments ab and cd share any point (touching counts). */
static int seg_meet(const double *a, const double *b, const double *c, const double *d)
{
    double o1 = orient(a, b, c), o2 = orient(a, b, d);
    double o3 = orient(c, d, a), o4 = orient(c, d, b);
    if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) &&
        ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)))
        return 1;
    return (o1 == 0 && on_seg(a, b, c)) || (o2 == 0 && on_seg(a, b, d)) ||
           (o3 == 0 && on_seg(c, d, a)) || (o4 == 0 && on_seg(c, d, b));
}

static double pt_seg_dist(const double *p, const double *a, const double *b)
{
    double vx = b[0] - a[0], vy = b[1] - a[1];
    double u = ((p[0] - a[0]) * vx + (p[1] - a[1]) * vy) / (vx * vx + vy * vy);
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    return hypot(a[0] + u * vx - p[0], a[1] + u * vy - p[1]);
}

/* Returns a description of the first defect, or NULL if m is valid:
 * structure, closed rings of >= 4 points, outer CCW / holes CW, holes inside
 * their outer ring, area_m2 consistent, and no two segments of any rings
 * meeting or coming closer than min_sep, except consecutive ones at their
 * shared point (plain O(n^2)). */
static const char *check_mpoly_sep(const hh__mpoly *m, double min_sep)
{
    if (m->n_polys == 0)
        return m->n_rings == 0 && !m->xy ? NULL : "empty but has rings";
    if (m->poly_first_ring[0] != 0 || m->poly_first_ring[m->n_polys] != m->n_rings ||
        m->ring_first[0] != 0)
        return "bad index arrays";
    double area = 0;
    for (size_t p = 0; p < m->n_polys; p++) {
        size_t r0 = m->poly_first_ring[p], r1 = m->poly_first_ring[p + 1];
        if (r1 <= r0)
            return "polygon without rings";
        for (size_t r = r0; r < r1; r++) {
            size_t a = m->ring_first[r], b = m->ring_first[r + 1];
            if (b < a + 4)
                return "ring with < 4 points";
            if (m->xy[2 * a] != m->xy[2 * b - 2] || m->xy[2 * a + 1] != m->xy[2 * b - 1])
                return "ring not closed";
            double ra = ring_area(m, r);
            area += ra;
            if (r == r0 && !(ra > 0))
                return "outer ring not counter-clockwise";
            if (r > r0 && !(ra < 0))
                return "hole not clockwise";
            if (r > r0 && !ring_has_point(m, r0, m->xy[2 * a], m->xy[2 * a + 1]))
                return "hole outside its outer ring";
        }
    }
    if (!(fabs(area - m->area_m2) <= 1e-6 * fabs(area) + 1e-6))
        return "area_m2 differs from the rings' shoelace";
    for (size_t r = 0; r < m->n_rings; r++) {
        size_t a0 = m->ring_first[r], a1 = m->ring_first[r + 1] - 1; /* segments */
        for (size_t i = a0; i < a1; i++) {
            const double *p = m->xy + 2 * i, *q = p + 2;
            /* spike: consecutive segments folding back on each other */
            const double *nx = i + 1 < a1 ? q + 2 : m->xy + 2 * a0 + 2;
            if (orient(p, q, nx) == 0 &&
                (p[0] - q[0]) * (nx[0] - q[0]) + (p[1] - q[1]) * (nx[1] - q[1]) > 0)
                return "spike";
            for (size_t s = r; s < m->n_rings; s++) {
                size_t b0 = m->ring_first[s], b1 = m->ring_first[s + 1] - 1;
                for (size_t j = s == r ? i + 1 : b0; j < b1; j++) {
                    if (s == r && (j == i + 1 || (i == a0 && j == a1 - 1)))
                        continue; /* neighbours share a point by design */
                    const double *u = m->xy + 2 * j, *v = u + 2;
                    if (fmax(u[0], v[0]) < fmin(p[0], q[0]) - min_sep ||
                        fmin(u[0], v[0]) > fmax(p[0], q[0]) + min_sep ||
                        fmax(u[1], v[1]) < fmin(p[1], q[1]) - min_sep ||
                        fmin(u[1], v[1]) > fmax(p[1], q[1]) + min_sep)
                        continue;
                    if (seg_meet(p, q, u, v))
                        return "segments meet";
                    if (pt_seg_dist(p, u, v) < min_sep || pt_seg_dist(q, u, v) < min_sep ||
                        pt_seg_dist(u, p, q) < min_sep || pt_seg_dist(v, p, q) < min_sep)
                        return "segments closer than min_sep";
                }
            }
        }
    }
    return NULL;
}

static const char *check_mpoly(const hh__mpoly *m)
{
    return check_mpoly_sep(m, 0);
}

/* Random "streets": walks sampled every step_m, time growing along them at
 * 5-20 m/s from a random start; one-sample walks are scattered points. */
static size_t street_cloud(hh__sample *s, size_t cap, uint64_t seed, double box_m,
                           double step_m)
{
    rng_state = seed;
    size_t n = 0;
    while (n < cap) {
        double x = rnd() * box_m, y = rnd() * box_m, t = rnd() * 1200;
        double dir = rnd() * 2 * PI;
        size_t len = 1 + (size_t)(rnd() * 60);
        for (size_t k = 0; k < len && n < cap; k++) {
            s[n++] = (hh__sample){(float)x, (float)y, (float)t};
            if (rnd() < 0.1)
                dir += (rnd() - 0.5) * PI;
            x += step_m * cos(dir);
            y += step_m * sin(dir);
            t += step_m / (5 + 15 * rnd());
        }
    }
    return n;
}

static double max_dist(const hh__mpoly *m, double cx, double cy)
{
    double d = 0;
    for (size_t k = 0; m->n_rings && k < m->ring_first[m->n_rings]; k++)
        d = fmax(d, hypot(m->xy[2 * k] - cx, m->xy[2 * k + 1] - cy));
    return d;
}

HH_TEST(contour_single_sample_is_a_disc)
{
    hh__contour_ws *ws;
    HH_ASSERT_EQ(hh__contour_ws_init(&ws), 0);
    hh__sample s = {100, -50, 20};
    hh__contour_params p = {5, 200, 1};
    /* radius limited by time (100 m), then by the buffer (200 m) */
    double cut[2] = {120, 600}, radius[2] = {100, 200};
    hh__mpoly m[2];
    HH_ASSERT_EQ(hh__contour(ws, &s, 1, cut, 2, &p, m), 0);
    for (int i = 0; i < 2; i++) {
        HH_ASSERT(check_mpoly(&m[i]) == NULL);
        HH_ASSERT_EQ(m[i].n_polys, 1);
        HH_ASSERT_EQ(m[i].n_rings, 1);
        double want = PI * radius[i] * radius[i];
        HH_ASSERT_NEAR(m[i].area_m2, want, 0.1 * want);
        HH_ASSERT(max_dist(&m[i], 100, -50) <= radius[i] + 5 * sqrt(2.0));
    }
    hh__mpoly_free(&m[0]);
    hh__mpoly_free(&m[1]);
    hh__contour_ws_free(ws);
}

/* Streets along the sides of a square centred at (c, c) with side `side`. */
static size_t square_streets(hh__sample *s, size_t n, double c, double side)
{
    for (double d = 0; d < side; d += 5) {
        float lo = (float)(c - side / 2), hi = (float)(c + side / 2), u = (float)(lo + d);
        s[n++] = (hh__sample){u, lo, 0};
        s[n++] = (hh__sample){hi, u, 0};
        s[n++] = (hh__sample){hi - (float)d, hi, 0};
        s[n++] = (hh__sample){lo, hi - (float)d, 0};
    }
    return n;
}

HH_TEST(contour_square_ring_keeps_its_hole)
{
    /* streets around a 1000 m square; with a 100 m buffer the middle 800 m
     * square is unreached land and must stay a hole */
    static hh__sample s[800];
    size_t n = square_streets(s, 0, 500, 1000);
    hh__contour_ws *ws;
    HH_ASSERT_EQ(hh__contour_ws_init(&ws), 0);
    hh__contour_params p = {20, 100, 1.4};
    double cut = 3600;
    hh__mpoly m;
    HH_ASSERT_EQ(hh__contour(ws, s, n, &cut, 1, &p, &m), 0);
    const char *bad = check_mpoly(&m);
    if (bad)
        fprintf(stderr, "  %s\n", bad);
    HH_ASSERT(bad == NULL);
    HH_ASSERT_EQ(m.n_polys, 1);
    HH_ASSERT_EQ(m.n_rings, 2);
    HH_ASSERT(ring_area(&m, 1) < 0);
    HH_ASSERT(ring_has_point(&m, 1, 500, 500));
    HH_ASSERT(ring_has_point(&m, 0, 500, 500));
    /* next to unreached vertices the boundary sits half a cell out (on
     * average where the buffer ends between two vertices): b = 110 m */
    const double b = 100 + 20 / 2.0;
    double outer = 1000.0 * 1000 + 4 * 1000.0 * b + PI * b * b;
    HH_ASSERT_NEAR(ring_area(&m, 0), outer, 0.01 * outer);
    HH_ASSERT_NEAR(-ring_area(&m, 1), (1000 - 2 * b) * (1000 - 2 * b), 0.01 * 780 * 780);
    hh__mpoly_free(&m);
    hh__contour_ws_free(ws);
}

HH_TEST(contour_island_in_a_hole_owns_its_own_hole)
{
    /* two concentric square streets: the outer band's hole holds the inner
     * band, whose own hole must go to the inner band (the smallest outer
     * ring around it), not to the outer one */
    static hh__sample s[4000];
    size_t n = square_streets(s, 0, 2000, 3000);
    n = square_streets(s, n, 2000, 1000);
    hh__contour_ws *ws;
    HH_ASSERT_EQ(hh__contour_ws_init(&ws), 0);
    hh__contour_params p = {20, 100, 1.3};
    double cut = 3600;
    hh__mpoly m;
    HH_ASSERT_EQ(hh__contour(ws, s, n, &cut, 1, &p, &m), 0);
    HH_ASSERT(check_mpoly(&m) == NULL);
    HH_ASSERT_EQ(m.n_polys, 2);
    HH_ASSERT_EQ(m.n_rings, 4);
    for (size_t q = 0; q < 2; q++) {
        size_t r0 = m.poly_first_ring[q];
        HH_ASSERT_EQ(m.poly_first_ring[q + 1] - r0, 2);
        /* each polygon's hole is the one just inside its own outer ring */
        double outer = ring_area(&m, r0), hole = -ring_area(&m, r0 + 1);
        HH_ASSERT(hole < outer && hole > 0.3 * outer);
    }
    hh__mpoly_free(&m);
    hh__contour_ws_free(ws);
}

HH_TEST(contour_two_clusters_two_polygons)
{
    hh__sample s[40];
    rng_state = 7;
    for (int k = 0; k < 40; k++) {
        float cx = k < 20 ? 0.0f : 5000.0f;
        s[k] = (hh__sample){cx + (float)(rnd() * 100), (float)(rnd() * 100), (float)(rnd() * 60)};
    }
    hh__contour_ws *ws;
    HH_ASSERT_EQ(hh__contour_ws_init(&ws), 0);
    hh__contour_params p = {25, 150, 1.3};
    double cut = 600;
    hh__mpoly m;
    HH_ASSERT_EQ(hh__contour(ws, s, 40, &cut, 1, &p, &m), 0);
    HH_ASSERT(check_mpoly(&m) == NULL);
    HH_ASSERT_EQ(m.n_polys, 2);
    HH_ASSERT_EQ(m.n_rings, 2);
    hh__mpoly_free(&m);
    hh__contour_ws_free(ws);
}

HH_TEST(contour_nested_across_cutoffs)
{
    static hh__sample s[3000];
    static hh__mpoly m[8];
    double cut[8];
    for (int i = 0; i < 8; i++)
        cut[i] = 200.0 * (i + 1);
    hh__contour_ws *ws;
    HH_ASSERT_EQ(hh__contour_ws_init(&ws), 0);
    hh__contour_params p = {30, 90, 1.2};
    for (uint64_t seed = 1; seed <= 5; seed++) {
        size_t n = street_cloud(s, 3000, seed, 5000, 15);
        HH_ASSERT_EQ(hh__contour(ws, s, n, cut, 8, &p, m), 0);
        for (int i = 1; i < 8; i++)
            HH_ASSERT(m[i].area_m2 >= m[i - 1].area_m2);
        /* points near each boundary (ring points moved up to a third of a
         * cell): inside one cutoff's area implies inside the next's */
        for (int i = 0; i + 1 < 8; i++) {
            size_t np = m[i].n_rings ? m[i].ring_first[m[i].n_rings] : 0;
            for (size_t k = 0; k < np; k += 5) {
                double x = m[i].xy[2 * k] + (rnd() - 0.5) * 20;
                double y = m[i].xy[2 * k + 1] + (rnd() - 0.5) * 20;
                if (mpoly_has_point(&m[i], x, y))
                    HH_ASSERT(mpoly_has_point(&m[i + 1], x, y));
            }
        }
        HH_ASSERT(m[7].n_polys > 0);
        for (int i = 0; i < 8; i++)
            hh__mpoly_free(&m[i]);
    }
    hh__contour_ws_free(ws);
}

HH_TEST(contour_valid_on_random_clouds)
{
    static hh__sample s[600];
    hh__contour_ws *ws;
    HH_ASSERT_EQ(hh__contour_ws_init(&ws), 0);
    const hh__contour_params params[3] = {{20, 60, 1.3}, {25, 25, 1.0}, {10, 45, 3}};
    double cut[4] = {300, 600, 900, 1500};
    for (uint64_t seed = 11; seed <= 18; seed++) {
        const hh__contour_params *p = &params[seed % 3];
        size_t n;
        if (seed % 2) {
            n = street_cloud(s, 400, seed, 1500, p->cell_m / 2);
        } else {
            /* scattered points: many islands and holes */
            rng_state = seed;
            n = 500;
            for (size_t k = 0; k < n; k++)
                s[k] = (hh__sample){(float)(rnd() * 1500), (float)(rnd() * 1500),
                                    (float)(rnd() * 1500)};
        }
        hh__mpoly m[4];
        HH_ASSERT_EQ(hh__contour(ws, s, n, cut, 4, p, m), 0);
        for (int i = 0; i < 4; i++) {
            const char *bad = check_mpoly_sep(&m[i], 0.007 * p->cell_m);
            if (bad)
                fprintf(stderr, "  seed %d cutoff %g: %s\n", (int)seed, cut[i], bad);
            HH_ASSERT(bad == NULL);
        }
        HH_ASSERT(m[3].n_polys > 0);
        /* no land farther than buffer + a cell diagonal from a sample */
        const double far = p->buffer_m + p->cell_m * sqrt(2.0);
        for (size_t k = 0; k < m[3].ring_first[m[3].n_rings]; k++) {
            double best = INFINITY;
            for (size_t q = 0; q < n; q++)
                best = fmin(best, hypot(m[3].xy[2 * k] - s[q].x, m[3].xy[2 * k + 1] - s[q].y));
            HH_ASSERT(best <= far);
        }
        for (int i = 0; i < 4; i++)
            hh__mpoly_free(&m[i]);
    }
    hh__contour_ws_free(ws);
}

static int same_mpoly(const hh__mpoly *a, const hh__mpoly *b)
{
    if (a->n_polys != b->n_polys || a->n_rings != b->n_rings || a->area_m2 != b->area_m2)
        return 0;
    if (a->n_rings == 0)
        return 1;
    size_t np = a->ring_first[a->n_rings];
    return !memcmp(a->poly_first_ring, b->poly_first_ring, (a->n_polys + 1) * sizeof(size_t)) &&
           !memcmp(a->ring_first, b->ring_first, (a->n_rings + 1) * sizeof(size_t)) &&
           !memcmp(a->xy, b->xy, 2 * np * sizeof(double));
}

HH_TEST(contour_same_bits_with_a_reused_workspace)
{
    /* a workspace warmed by a larger, different query gives exactly what a
     * fresh one gives, and far samples beyond every cutoff change nothing */
    static hh__sample s[1200], big[3000];
    size_t n = street_cloud(s, 1000, 21, 2000, 15);
    size_t nb = street_cloud(big, 3000, 22, 6000, 15);
    hh__contour_params p = {30, 90, 1.2};
    double cut[3] = {400, 800, 1200};
    hh__mpoly fresh[3], warm[3], extra[3];
    hh__contour_ws *ws1, *ws2;
    HH_ASSERT_EQ(hh__contour_ws_init(&ws1), 0);
    HH_ASSERT_EQ(hh__contour_ws_init(&ws2), 0);
    HH_ASSERT_EQ(hh__contour(ws1, s, n, cut, 3, &p, fresh), 0);
    HH_ASSERT_EQ(hh__contour(ws2, big, nb, cut, 3, &p, warm), 0);
    for (int i = 0; i < 3; i++)
        hh__mpoly_free(&warm[i]);
    HH_ASSERT_EQ(hh__contour(ws2, s, n, cut, 3, &p, warm), 0);
    for (size_t k = 0; k < 200; k++)
        s[n + k] = (hh__sample){(float)(-1e5 + k), 5e4f, 1e4f};
    HH_ASSERT_EQ(hh__contour(ws2, s, n + 200, cut, 3, &p, extra), 0);
    for (int i = 0; i < 3; i++) {
        HH_ASSERT(same_mpoly(&fresh[i], &warm[i]));
        HH_ASSERT(same_mpoly(&fresh[i], &extra[i]));
        hh__mpoly_free(&fresh[i]);
        hh__mpoly_free(&warm[i]);
        hh__mpoly_free(&extra[i]);
    }
    hh__contour_ws_free(ws1);
    hh__contour_ws_free(ws2);
}

HH_TEST(contour_valid_on_saddles_and_exact_levels)
{
    /* samples on lattice vertices in a checkerboard of t = 0 and t = 1000;
     * with buffer = cell the odd vertices get 0 + cell/speed = 500, so every
     * inner cell is a saddle: joined at 400 (centre 250), separate at 100.
     * The level 500 hits vertex values exactly. */
    static hh__sample s[400];
    size_t n = 0;
    for (int j = 0; j < 20; j++)
        for (int i = 0; i < 20; i++)
            s[n++] = (hh__sample){(float)(10 * i), (float)(10 * j), (i + j) % 2 ? 1000.0f : 0.0f};
    hh__contour_ws *ws;
    HH_ASSERT_EQ(hh__contour_ws_init(&ws), 0);
    hh__contour_params p = {10, 10, 0.02};
    double cut[4] = {100, 400, 500, 1000};
    hh__mpoly m[4];
    HH_ASSERT_EQ(hh__contour(ws, s, n, cut, 4, &p, m), 0);
    for (int i = 0; i < 4; i++) {
        const char *bad = check_mpoly_sep(&m[i], 0.007 * p.cell_m);
        if (bad)
            fprintf(stderr, "  cutoff %g: %s\n", cut[i], bad);
        HH_ASSERT(bad == NULL);
        if (i)
            HH_ASSERT(m[i].area_m2 >= m[i - 1].area_m2);
    }
    HH_ASSERT_EQ(m[0].n_polys, 200); /* one diamond per t = 0 sample */
    HH_ASSERT_EQ(m[1].n_polys, 1);
    for (int i = 0; i < 4; i++)
        hh__mpoly_free(&m[i]);
    hh__contour_ws_free(ws);
}

HH_TEST(contour_empty_results)
{
    hh__contour_ws *ws;
    HH_ASSERT_EQ(hh__contour_ws_init(&ws), 0);
    hh__contour_params p = {50, 100, 1.3};
    double cut[2] = {60, 1800};
    hh__mpoly m[2];
    HH_ASSERT_EQ(hh__contour(ws, NULL, 0, cut, 2, &p, m), 0);
    HH_ASSERT_EQ(m[0].n_polys, 0);
    HH_ASSERT_EQ(m[1].n_polys, 0);
    HH_ASSERT(m[1].xy == NULL && m[1].area_m2 == 0);
    /* a sample reached after the first cutoff: only the second has area */
    hh__sample s = {0, 0, 900};
    HH_ASSERT_EQ(hh__contour(ws, &s, 1, cut, 2, &p, m), 0);
    HH_ASSERT_EQ(m[0].n_polys, 0);
    HH_ASSERT_EQ(m[1].n_polys, 1);
    hh__mpoly_free(&m[0]);
    hh__mpoly_free(&m[1]);
    hh__mpoly_free(&m[1]); /* freeing twice and NULL are harmless */
    hh__mpoly_free(NULL);
    HH_ASSERT(m[1].xy == NULL && m[1].n_polys == 0);
    HH_ASSERT_EQ(hh__contour(ws, &s, 1, cut, 0, &p, NULL), 0);
    hh__contour_ws_free(ws);
    hh__contour_ws_free(NULL);
}

HH_TEST(contour_rejects_bad_arguments)
{
    hh__contour_ws *ws;
    HH_ASSERT_EQ(hh__contour_ws_init(&ws), 0);
    hh__sample s[2] = {{0, 0, 0}, {100, 0, 30}};
    const hh__contour_params good = {50, 100, 1.3};
    const hh__contour_params bad_p[] = {
        {0, 100, 1.3}, {-5, 100, 1.3}, {NAN, 100, 1.3}, {50, 40, 1.3},
        {50, INFINITY, 1.3}, {50, 100, 0}, {50, 100, NAN}, {INFINITY, INFINITY, 1}};
    double cut[2] = {600, 1200};
    hh__mpoly m[2], sentinel;
    memset(&sentinel, 0xab, sizeof sentinel);
    m[0] = m[1] = sentinel;
    for (size_t k = 0; k < sizeof bad_p / sizeof *bad_p; k++)
        HH_ASSERT_EQ(hh__contour(ws, s, 2, cut, 2, &bad_p[k], m), HH_EINVAL);
    const double bad_cut[][2] = {{600, 600}, {1200, 600}, {0, 600}, {-1, 600},
                                 {600, NAN}, {600, INFINITY}};
    for (size_t k = 0; k < sizeof bad_cut / sizeof *bad_cut; k++)
        HH_ASSERT_EQ(hh__contour(ws, s, 2, bad_cut[k], 2, &good, m), HH_EINVAL);
    hh__sample nan_s[2] = {{0, 0, 0}, {100, NAN, 30}};
    HH_ASSERT_EQ(hh__contour(ws, nan_s, 2, cut, 2, &good, m), HH_EINVAL);
    nan_s[1] = (hh__sample){100, 0, INFINITY};
    HH_ASSERT_EQ(hh__contour(ws, nan_s, 2, cut, 2, &good, m), HH_EINVAL);
    HH_ASSERT_EQ(hh__contour(ws, s, 2, cut, 2, NULL, m), HH_EINVAL);
    HH_ASSERT_EQ(hh__contour(ws, NULL, 2, cut, 2, &good, m), HH_EINVAL);
    HH_ASSERT_EQ(hh__contour(ws, s, 2, NULL, 2, &good, m), HH_EINVAL);
    /* a raster beyond 2^31 vertices */
    hh__sample far[2] = {{0, 0, 0}, {1e7f, 1e7f, 0}};
    const hh__contour_params tiny = {0.5, 1, 1};
    HH_ASSERT_EQ(hh__contour(ws, far, 2, cut, 2, &tiny, m), HH_ERANGE);
    HH_ASSERT(memcmp(&m[0], &sentinel, sizeof sentinel) == 0);
    HH_ASSERT(memcmp(&m[1], &sentinel, sizeof sentinel) == 0);
    hh__contour_ws_free(ws);
}

HH_TEST(contour_no_allocation_once_warm)
{
    static hh__sample s[1000];
    size_t n = street_cloud(s, 1000, 3, 3000, 15);
    hh__contour_params p = {30, 90, 1.2};
    double cut[3] = {400, 800, 1200};
    hh__mpoly m[3];
    hh__contour_ws *ws;
    hh_test_alloc_fail_only(-1);
    int rc = hh__contour_ws_init(&ws);
    if (rc == 0)
        rc = hh__contour(ws, s, n, cut, 3, &p, m);
    hh_test_alloc_restore();
    HH_ASSERT_EQ(rc, 0);
    for (int i = 0; i < 3; i++)
        hh__mpoly_free(&m[i]);
    hh_test_alloc_fail_only(-1);
    rc = hh__contour(ws, s, n, cut, 3, &p, m);
    long calls = hh_test_alloc_restore();
    HH_ASSERT_EQ(rc, 0);
    HH_ASSERT_EQ(calls, 3 * 3); /* three output arrays per cutoff */
    for (int i = 0; i < 3; i++)
        hh__mpoly_free(&m[i]);
    hh__contour_ws_free(ws);
}

HH_TEST(contour_fails_cleanly_at_every_allocation)
{
    static hh__sample s[600];
    size_t n = street_cloud(s, 600, 5, 2000, 15);
    hh__contour_params p = {30, 90, 1.2};
    double cut[3] = {400, 800, 1200};
    hh__mpoly m[3], sentinel;
    memset(&sentinel, 0xab, sizeof sentinel);
    int succeeded = 0;
    for (long k = 0; k < 1000 && !succeeded; k++) {
        hh__contour_ws *ws = NULL;
        m[0] = m[1] = m[2] = sentinel;
        hh_test_alloc_fail_only(k);
        int rc = hh__contour_ws_init(&ws);
        if (rc == 0)
            rc = hh__contour(ws, s, n, cut, 3, &p, m);
        hh_test_alloc_restore();
        if (rc == 0) {
            succeeded = 1;
            for (int i = 0; i < 3; i++)
                hh__mpoly_free(&m[i]);
        } else {
            HH_ASSERT_EQ(rc, HH_ENOMEM);
            for (int i = 0; i < 3; i++)
                HH_ASSERT(memcmp(&m[i], &sentinel, sizeof sentinel) == 0);
        }
        hh__contour_ws_free(ws);
    }
    HH_ASSERT(succeeded);
}

/* The caller-filled path: lay, splat, mark, levels. */
static int contour_marked(hh__contour_ws *ws, const hh__sample *s, size_t n, const hh__sample *mk, size_t n_mk,
                          const double *cut, size_t n_cut, const hh__contour_params *p, int fill, hh__mpoly *m)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        x0 = fmin(x0, s[k].x), x1 = fmax(x1, s[k].x);
        y0 = fmin(y0, s[k].y), y1 = fmax(y1, s[k].y);
    }
    hh__raster r;
    int rc = hh__contour_lay(ws, x0, y0, x1, y1, p, fill, &r);
    if (rc)
        return rc;
    for (size_t k = 0; k < n; k++)
        if (hh__contour_splat(ws, &r, s[k].x, s[k].y, s[k].t))
            return -1000; /* the extent holds every sample: never */
    for (size_t k = 0; k < n_mk; k++)
        hh__contour_mark(ws, &r, mk[k].x, mk[k].y, mk[k].t);
    return hh__contour_levels(ws, &r, fill, cut, n_cut, m);
}

HH_TEST(contour_fill_holes_by_their_streets)
{
    /* streets around a 1000 m square: the 780 m hole inside is filled when
     * no street lies in it or only one reached in time, kept when a street
     * in it is reached late or not at all */
    static hh__sample s[800];
    size_t n = square_streets(s, 0, 500, 1000);
    hh__contour_ws *ws;
    HH_ASSERT_EQ(hh__contour_ws_init(&ws), 0);
    hh__contour_params p = {20, 100, 1.4};
    double cut[2] = {600, 3600};
    hh__mpoly m[2];
    /* a street in the middle, reached at 2000 s; a street point on the
     * square itself (reached) never keeps a hole */
    hh__sample mk[3] = {{500, 500, 2000}, {505, 500, 2000}, {0, 500, 4000}};
    /* no mark: filled at both cutoffs, one ring each */
    HH_ASSERT_EQ(contour_marked(ws, s, n, NULL, 0, cut, 2, &p, 1, m), 0);
    for (int i = 0; i < 2; i++) {
        HH_ASSERT(check_mpoly(&m[i]) == NULL);
        HH_ASSERT_EQ(m[i].n_polys, 1);
        HH_ASSERT_EQ(m[i].n_rings, 1);
        HH_ASSERT(mpoly_has_point(&m[i], 500, 500));
        hh__mpoly_free(&m[i]);
    }
    /* the middle street, 2000 s: a pocket at 600 s (kept), reached in time
     * at 3600 s (filled) */
    HH_ASSERT_EQ(contour_marked(ws, s, n, mk, 2, cut, 2, &p, 1, m), 0);
    HH_ASSERT(check_mpoly(&m[0]) == NULL && check_mpoly(&m[1]) == NULL);
    HH_ASSERT_EQ(m[0].n_rings, 2);
    HH_ASSERT(!mpoly_has_point(&m[0], 500, 500));
    HH_ASSERT_EQ(m[1].n_rings, 1);
    HH_ASSERT(mpoly_has_point(&m[1], 500, 500));
    hh__mpoly_free(&m[0]), hh__mpoly_free(&m[1]);
    /* a late mark under the street ring itself (inside the band) keeps nothing */
    HH_ASSERT_EQ(contour_marked(ws, s, n, mk + 2, 1, cut, 2, &p, 1, m), 0);
    HH_ASSERT_EQ(m[0].n_rings, 1);
    HH_ASSERT_EQ(m[1].n_rings, 1);
    hh__mpoly_free(&m[0]), hh__mpoly_free(&m[1]);
    /* unreached (+inf): kept at every cutoff; fill off: kept without marks */
    hh__sample inf = {500, 500, INFINITY};
    HH_ASSERT_EQ(contour_marked(ws, s, n, &inf, 1, cut, 2, &p, 1, m), 0);
    HH_ASSERT_EQ(m[0].n_rings, 2);
    HH_ASSERT_EQ(m[1].n_rings, 2);
    hh__mpoly_free(&m[0]), hh__mpoly_free(&m[1]);
    HH_ASSERT_EQ(contour_marked(ws, s, n, NULL, 0, cut, 2, &p, 0, m), 0);
    HH_ASSERT_EQ(m[1].n_rings, 2);
    hh__mpoly_free(&m[0]), hh__mpoly_free(&m[1]);
    hh__contour_ws_free(ws);
}

HH_TEST(contour_fill_swallows_islands_and_keeps_inner_pockets)
{
    /* outer square street ring (3000 m) around an inner one (1000 m): the
     * outer band's hole holds the inner band.  No marks: one polygon, no
     * hole.  A late street in the inner band's own hole only: the outer hole
     * is filled (the inner band merges in), the inner pocket stays. */
    static hh__sample s[4000];
    size_t n = square_streets(s, 0, 2000, 3000);
    n = square_streets(s, n, 2000, 1000);
    hh__contour_ws *ws;
    HH_ASSERT_EQ(hh__contour_ws_init(&ws), 0);
    hh__contour_params p = {20, 100, 1.3};
    double cut = 3600;
    hh__mpoly m;
    HH_ASSERT_EQ(contour_marked(ws, s, n, NULL, 0, &cut, 1, &p, 1, &m), 0);
    HH_ASSERT(check_mpoly(&m) == NULL);
    HH_ASSERT_EQ(m.n_polys, 1);
    HH_ASSERT_EQ(m.n_rings, 1);
    hh__mpoly_free(&m);
    hh__sample late = {2000, 2000, INFINITY};
    HH_ASSERT_EQ(contour_marked(ws, s, n, &late, 1, &cut, 1, &p, 1, &m), 0);
    HH_ASSERT(check_mpoly(&m) == NULL);
    HH_ASSERT_EQ(m.n_polys, 1);
    HH_ASSERT_EQ(m.n_rings, 2);
    HH_ASSERT(!mpoly_has_point(&m, 2000, 2000));
    HH_ASSERT(mpoly_has_point(&m, 2000, 1000)); /* between the rings: filled */
    hh__mpoly_free(&m);
    hh__contour_ws_free(ws);
}

HH_TEST(contour_fill_valid_and_nested_on_random_clouds)
{
    /* scattered streets with random marks: valid, and the filled areas nest
     * across cutoffs (a point inside one cutoff's area is inside the next's) */
    static hh__sample s[1500], mk[6000];
    static hh__mpoly m[4];
    double cut[4] = {300, 600, 900, 1500};
    hh__contour_ws *ws;
    HH_ASSERT_EQ(hh__contour_ws_init(&ws), 0);
    hh__contour_params p = {25, 60, 1.3};
    size_t holes_kept = 0, holes_filled = 0;
    for (uint64_t seed = 41; seed <= 46; seed++) {
        size_t n = street_cloud(s, 1500, seed, 2000, 12);
        for (size_t k = 0; k < 6000; k++)
            mk[k] = (hh__sample){(float)(rnd() * 3000), (float)(rnd() * 3000),
                                 rnd() < 0.5 ? INFINITY : (float)(rnd() * 2000)};
        hh__mpoly plain[4];
        HH_ASSERT_EQ(contour_marked(ws, s, n, mk, 6000, cut, 4, &p, 1, m), 0);
        HH_ASSERT_EQ(hh__contour(ws, s, n, cut, 4, &p, plain), 0);
        for (int i = 0; i < 4; i++) {
            const char *bad = check_mpoly_sep(&m[i], 0.007 * p.cell_m);
            if (bad)
                fprintf(stderr, "  seed %d cutoff %g: %s\n", (int)seed, cut[i], bad);
            HH_ASSERT(bad == NULL);
            HH_ASSERT(m[i].area_m2 >= plain[i].area_m2 - 1e-6);
            if (i)
                HH_ASSERT(m[i].area_m2 >= m[i - 1].area_m2);
            holes_kept += m[i].n_rings - m[i].n_polys;
            holes_filled += plain[i].n_rings - plain[i].n_polys;
        }
        for (int i = 0; i + 1 < 4; i++) {
            size_t np = m[i].n_rings ? m[i].ring_first[m[i].n_rings] : 0;
            for (size_t k = 0; k < np; k += 3) {
                double x = m[i].xy[2 * k] + (rnd() - 0.5) * 20, y = m[i].xy[2 * k + 1] + (rnd() - 0.5) * 20;
                if (mpoly_has_point(&m[i], x, y))
                    HH_ASSERT(mpoly_has_point(&m[i + 1], x, y));
            }
        }
        for (int i = 0; i < 4; i++)
            hh__mpoly_free(&m[i]), hh__mpoly_free(&plain[i]);
    }
    fprintf(stderr, "  holes kept %zu of %zu\n", holes_kept, holes_filled);
    HH_ASSERT(holes_kept > 0 && holes_kept < holes_filled);
    hh__contour_ws_free(ws);
}
