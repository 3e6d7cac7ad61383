/* gtfs_index.c: the timetable's RAPTOR indexes, built once every feed is
 * read: patterns with their trips and flat stop times, each stop's
 * patterns, and the frequency and transfer rows indexed by trip and stop. */
#include "ingest/gtfs_index.h"

#include <string.h>

#include "halfhour.h"
#include "util/alloc.h"

#define NONE HH__GTFS_NONE
#define MAX_COUNT HH__GTFS_MAX_COUNT
#define COL(a) ((void **)&(a))

int hh__gtfs_grow_cols(size_t *cap, size_t need, void **const cols[], const size_t sizes[], int n)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need) {
        if (nc > SIZE_MAX / 2)
            return HH_ENOMEM;
        nc *= 2;
    }
    for (int i = 0; i < n; i++) {
        void *p = hh__realloc_array(*cols[i], nc, sizes[i]);
        if (!p)
            return HH_ENOMEM;
        *cols[i] = p;
    }
    *cap = nc;
    return 0;
}

/* Insertion sort below 16 entries; the merge step is skipped when the two
 * halves are already in order, as stop_sequence nearly always is. */
void hh__gtfs_msort(uint32_t *a, uint32_t *tmp, size_t n,
                    int (*cmp)(const void *, uint32_t, uint32_t), const void *ctx)
{
    if (n < 2)
        return;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            uint32_t v = a[i];
            size_t j = i;
            while (j > 0 && cmp(ctx, a[j - 1], v) > 0) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = v;
        }
        return;
    }
    size_t h = n / 2;
    hh__gtfs_msort(a, tmp, h, cmp, ctx);
    hh__gtfs_msort(a + h, tmp, n - h, cmp, ctx);
    if (cmp(ctx, a[h - 1], a[h]) <= 0)
        return;
    memcpy(tmp, a, h * sizeof *a);
    size_t i = 0, j = h, o = 0;
    while (i < h && j < n)
        a[o++] = cmp(ctx, a[j], tmp[i]) < 0 ? a[j++] : tmp[i++];
    while (i < h)
        a[o++] = tmp[i++];
}

/* ---- patterns -------------------------------------------------------- */

/* Lexicographic on the whole time vector, then trip index: trips leaving
 * together are ordered by who arrives first, which avoids needless splits. */
static int cmp_trip_times(const void *ctx, uint32_t x, uint32_t y)
{
    const hh__gtfs_trip_times *v = ctx;
    uint32_t a = v->first[x], b = v->first[y], n = v->first[x + 1] - a;
    for (uint32_t i = 0; i < n; i++) {
        if (v->dep[a + i] != v->dep[b + i])
            return v->dep[a + i] < v->dep[b + i] ? -1 : 1;
        if (v->arr[a + i] != v->arr[b + i])
            return v->arr[a + i] < v->arr[b + i] ? -1 : 1;
    }
    return x < y ? -1 : x > y;
}

/* Trip y may follow trip x in one pattern: never earlier anywhere. */
static int follows(const hh__gtfs_trip_times *v, uint32_t x, uint32_t y)
{
    uint32_t a = v->first[x], b = v->first[y], n = v->first[x + 1] - a;
    for (uint32_t i = 0; i < n; i++)
        if (v->arr[b + i] < v->arr[a + i] || v->dep[b + i] < v->dep[a + i])
            return 0;
    return 1;
}

static uint64_t trip_key_hash(const hh__timetable *tt, const hh__gtfs_trip_times *T, uint32_t t, uint8_t freq)
{
    uint32_t a = T->first[t], b = T->first[t + 1];
    uint64_t h = 0x243F6A8885A308D3ull ^ tt->trip_route[t] ^ ((uint64_t)freq << 40);
    for (uint32_t i = a; i < b; i++) {
        h = (h ^ T->stop[i] ^ ((uint64_t)T->flags[i] << 32)) * 0x100000001b3ull;
        h ^= h >> 31;
    }
    return h ^ (b - a);
}

static int same_key(const hh__timetable *tt, const hh__gtfs_trip_times *T, const uint8_t *has_freq, uint32_t x,
                    uint32_t y)
{
    uint32_t a = T->first[x], n = T->first[x + 1] - a, b = T->first[y];
    return tt->trip_route[x] == tt->trip_route[y] && has_freq[x] == has_freq[y] &&
           n == T->first[y + 1] - b && !memcmp(T->stop + a, T->stop + b, n * 4) &&
           !memcmp(T->flags + a, T->flags + b, n);
}

static int build_patterns(hh__timetable *tt, const hh__gtfs_trip_times *T)
{
    uint32_t nt = tt->n_trips, n_tst = T->first[nt];
    int rc = HH_ENOMEM;
    uint8_t *has_freq = hh__calloc(nt ? nt : 1, 1);
    uint32_t *group = hh__alloc_array(nt ? nt : 1, 4);
    uint32_t *rep = NULL, *gstart = NULL, *order = NULL, *tmp = NULL, *sub = NULL, *sub_last = NULL;
    uint32_t *sub_count = NULL;
    uint64_t *slots = NULL;
    size_t cap_rep = 0, cap_sub = 0, cap_sc = 0, cap_pat = 0, cap_ps = 0;
    uint32_t n_groups = 0, n_kept = 0;
    if (!has_freq || !group)
        goto out;
    for (uint32_t i = 0; i < tt->n_freqs; i++)
        has_freq[tt->freq_trip[i]] = 1;

    /* 1. group trips by (route, frequency or not, stops, boarding flags) */
    size_t cap_slots = 1024;
    while (cap_slots < (size_t)nt * 2)
        cap_slots *= 2;
    if (!(slots = hh__calloc(cap_slots, sizeof *slots)))
        goto out;
    for (uint32_t t = 0; t < nt; t++) {
        group[t] = NONE;
        if (T->first[t + 1] - T->first[t] < 2)
            continue;
        n_kept++;
        uint64_t h = trip_key_hash(tt, T, t, has_freq[t]);
        size_t j = (size_t)h & (cap_slots - 1);
        for (;; j = (j + 1) & (cap_slots - 1)) {
            if (!slots[j]) {
                if (hh__grow(&rep, &cap_rep, (size_t)n_groups + 1, 4))
                    goto out;
                rep[n_groups] = t;
                slots[j] = (uint64_t)(h & 0xFFFFFFFF00000000ull) | ((uint64_t)n_groups + 1);
                group[t] = n_groups++;
                break;
            }
            uint32_t g = (uint32_t)slots[j] - 1;
            if ((slots[j] >> 32) == (h >> 32) && same_key(tt, T, has_freq, rep[g], t)) {
                group[t] = g;
                break;
            }
        }
    }
    hh__free(slots);
    slots = NULL;

    /* 2. trips of each group together, in trip order */
    if (!(gstart = hh__calloc((size_t)n_groups + 1, 4)) || !(order = hh__alloc_array(n_kept ? n_kept : 1, 4)) ||
        !(tmp = hh__alloc_array(n_kept ? n_kept : 1, 4)) || !(sub = hh__alloc_array(n_kept ? n_kept : 1, 4)))
        goto out;
    for (uint32_t t = 0; t < nt; t++)
        if (group[t] != NONE)
            gstart[group[t] + 1]++;
    for (uint32_t g = 0; g < n_groups; g++)
        gstart[g + 1] += gstart[g];
    for (uint32_t t = 0; t < nt; t++)
        if (group[t] != NONE)
            order[gstart[group[t]]++] = t;
    for (uint32_t g = n_groups; g > 0; g--)
        gstart[g] = gstart[g - 1];
    gstart[0] = 0;

    if (!(tt->trip_pattern = hh__alloc_array(nt ? nt : 1, 4)) || !(tt->trip_st = hh__alloc_array(nt ? nt : 1, 4)) ||
        !(tt->pat_trips = hh__alloc_array(n_kept ? n_kept : 1, 4)) ||
        !(tt->arr = hh__alloc_array(n_tst ? n_tst : 1, 4)) ||
        !(tt->dep = hh__alloc_array(n_tst ? n_tst : 1, 4)) ||
        !(tt->pat_trip_first = hh__malloc(4)) || !(tt->pat_stop_first = hh__malloc(4)))
        goto out;
    for (uint32_t t = 0; t < nt; t++)
        tt->trip_pattern[t] = tt->trip_st[t] = NONE;
    tt->pat_trip_first[0] = tt->pat_stop_first[0] = 0;

    uint32_t n_pat = 0, n_pt = 0, n_ps = 0, n_st = 0;
    for (uint32_t g = 0; g < n_groups; g++) {
        uint32_t *gt = order + gstart[g], k = gstart[g + 1] - gstart[g];
        uint32_t r = rep[g], ns = T->first[r + 1] - T->first[r];
        uint32_t n_sub = 1;
        if (!has_freq[r]) {
            /* 3. departure order, then split so no trip overtakes another:
             * each trip joins the first sub-pattern it does not overtake */
            hh__gtfs_msort(gt, tmp, k, cmp_trip_times, T);
            n_sub = 0;
            for (uint32_t i = 0; i < k; i++) {
                uint32_t s = 0;
                while (s < n_sub && !follows(T, sub_last[s], gt[i]))
                    s++;
                if (s == n_sub) {
                    if (hh__grow(&sub_last, &cap_sub, (size_t)n_sub + 1, 4))
                        goto out;
                    n_sub++;
                }
                sub_last[s] = gt[i];
                sub[i] = s;
            }
        } else {
            for (uint32_t i = 0; i < k; i++)
                sub[i] = 0;
        }
        if (hh__grow(&sub_count, &cap_sc, (size_t)n_sub + 1, 4))
            goto out;
        for (uint32_t s = 0; s <= n_sub; s++)
            sub_count[s] = 0;
        for (uint32_t i = 0; i < k; i++)
            sub_count[sub[i] + 1]++;
        for (uint32_t s = 0; s < n_sub; s++)
            sub_count[s + 1] += sub_count[s];
        for (uint32_t i = 0; i < k; i++)
            tmp[sub_count[sub[i]]++] = gt[i];
        memcpy(gt, tmp, (size_t)k * 4);
        /* 4. emit one pattern per sub-pattern */
        uint32_t i0 = 0;
        for (uint32_t s = 0; s < n_sub; s++) {
            uint32_t i1 = sub_count[s];
            uint32_t p = n_pat;
            if (p >= MAX_COUNT) {
                rc = HH_ERANGE;
                goto out;
            }
            void **const cols[] = {COL(tt->pat_route), COL(tt->pat_freq), COL(tt->pat_st),
                                   COL(tt->pat_trip_first), COL(tt->pat_stop_first)};
            const size_t sizes[] = {4, 1, 4, 4, 4};
            if (hh__gtfs_grow_cols(&cap_pat, (size_t)p + 2, cols, sizes, 5))
                goto out;
            void **const scols[] = {COL(tt->pat_stops), COL(tt->pat_stop_flags)};
            const size_t ssizes[] = {4, 1};
            if (hh__gtfs_grow_cols(&cap_ps, (size_t)n_ps + ns, scols, ssizes, 2))
                goto out;
            tt->pat_route[p] = tt->trip_route[r];
            tt->pat_freq[p] = has_freq[r];
            tt->pat_st[p] = n_st;
            memcpy(tt->pat_stops + n_ps, T->stop + T->first[r], (size_t)ns * 4);
            memcpy(tt->pat_stop_flags + n_ps, T->flags + T->first[r], ns);
            n_ps += ns;
            for (uint32_t i = i0; i < i1; i++) {
                uint32_t t = gt[i], a = T->first[t];
                tt->pat_trips[n_pt++] = t;
                tt->trip_pattern[t] = p;
                tt->trip_st[t] = n_st;
                memcpy(tt->arr + n_st, T->arr + a, (size_t)ns * 4);
                memcpy(tt->dep + n_st, T->dep + a, (size_t)ns * 4);
                n_st += ns;
            }
            tt->pat_trip_first[p + 1] = n_pt;
            tt->pat_stop_first[p + 1] = n_ps;
            n_pat++;
            i0 = i1;
        }
    }
    tt->n_patterns = n_pat;
    tt->n_stop_times = n_st;
    rc = 0;
out:
    hh__free(has_freq);
    hh__free(group);
    hh__free(rep);
    hh__free(gstart);
    hh__free(order);
    hh__free(tmp);
    hh__free(sub);
    hh__free(sub_last);
    hh__free(sub_count);
    hh__free(slots);
    return rc;
}

/* stop -> patterns calling there, with the first position of the stop */
static int build_stop_patterns(hh__timetable *tt)
{
    uint32_t ns = tt->n_stops;
    uint32_t *seen = hh__alloc_array(ns ? ns : 1, 4);
    tt->stop_pat_first = hh__calloc((size_t)ns + 1, 4);
    if (!seen || !tt->stop_pat_first) {
        hh__free(seen);
        return HH_ENOMEM;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t s = 0; s < ns; s++)
            seen[s] = NONE;
        for (uint32_t p = 0; p < tt->n_patterns; p++)
            for (uint32_t i = tt->pat_stop_first[p]; i < tt->pat_stop_first[p + 1]; i++) {
                uint32_t s = tt->pat_stops[i];
                if (seen[s] == p)
                    continue;
                seen[s] = p;
                if (pass == 0) {
                    tt->stop_pat_first[s + 1]++;
                } else {
                    uint32_t o = tt->stop_pat_first[s]++;
                    tt->stop_pats[o] = p;
                    tt->stop_pat_pos[o] = i - tt->pat_stop_first[p];
                }
            }
        if (pass == 0) {
            for (uint32_t s = 0; s < ns; s++)
                tt->stop_pat_first[s + 1] += tt->stop_pat_first[s];
            size_t n = tt->stop_pat_first[ns];
            tt->stop_pats = hh__alloc_array(n ? n : 1, 4);
            tt->stop_pat_pos = hh__alloc_array(n ? n : 1, 4);
            if (!tt->stop_pats || !tt->stop_pat_pos) {
                hh__free(seen);
                return HH_ENOMEM;
            }
        }
    }
    for (uint32_t s = ns; s > 0; s--)
        tt->stop_pat_first[s] = tt->stop_pat_first[s - 1];
    tt->stop_pat_first[0] = 0;
    hh__free(seen);
    return 0;
}

/* Permutes a column by perm (new[i] = old[perm[i]]). */
static int permute(void *col, size_t elem, const uint32_t *perm, size_t n)
{
    if (!n)
        return 0;
    char *c = col, *t = hh__alloc_array(n, elem);
    if (!t)
        return HH_ENOMEM;
    for (size_t i = 0; i < n; i++)
        memcpy(t + i * elem, c + (size_t)perm[i] * elem, elem);
    memcpy(c, t, n * elem);
    hh__free(t);
    return 0;
}

static int cmp_freq(const void *ctx, uint32_t x, uint32_t y)
{
    const hh__timetable *tt = ctx;
    if (tt->freq_trip[x] != tt->freq_trip[y])
        return tt->freq_trip[x] < tt->freq_trip[y] ? -1 : 1;
    return tt->freq_start[x] < tt->freq_start[y] ? -1 : tt->freq_start[x] > tt->freq_start[y];
}

static int cmp_xfer(const void *ctx, uint32_t x, uint32_t y)
{
    const hh__timetable *tt = ctx;
    return tt->xfer_from[x] < tt->xfer_from[y] ? -1 : tt->xfer_from[x] > tt->xfer_from[y];
}

/* Sorts rows of n entries by cmp, applying the order to every column, and
 * returns first[] (nk+1 entries) indexing the rows by key[]. */
static int sort_index(hh__timetable *tt, uint32_t n, int (*cmp)(const void *, uint32_t, uint32_t),
                      void *const cols[], const size_t sizes[], int ncols, const uint32_t *key,
                      uint32_t nk, uint32_t **first)
{
    uint32_t *perm = hh__alloc_array(n ? n : 1, 4), *tmp = hh__alloc_array(n ? n : 1, 4);
    *first = hh__calloc((size_t)nk + 1, 4);
    int rc = HH_ENOMEM;
    if (!perm || !tmp || !*first)
        goto out;
    for (uint32_t i = 0; i < n; i++)
        perm[i] = i;
    hh__gtfs_msort(perm, tmp, n, cmp, tt);
    for (int c = 0; c < ncols; c++)
        if (permute(cols[c], sizes[c], perm, n))
            goto out;
    for (uint32_t i = 0; i < n; i++)
        (*first)[key[i] + 1]++;
    for (uint32_t k = 0; k < nk; k++)
        (*first)[k + 1] += (*first)[k];
    rc = 0;
out:
    hh__free(perm);
    hh__free(tmp);
    return rc;
}

int hh__gtfs_index(hh__timetable *tt, const hh__gtfs_trip_times *st)
{
    int rc;
    if ((rc = build_patterns(tt, st)))
        return rc;
    if (build_stop_patterns(tt))
        return HH_ENOMEM;
    {
        void *const cols[] = {tt->freq_trip, tt->freq_start, tt->freq_end, tt->freq_headway, tt->freq_exact};
        const size_t sizes[] = {4, 4, 4, 4, 1};
        if (sort_index(tt, tt->n_freqs, cmp_freq, cols, sizes, 5, tt->freq_trip, tt->n_trips,
                       &tt->trip_freq_first))
            return HH_ENOMEM;
    }
    {
        void *const cols[] = {tt->xfer_from, tt->xfer_to, tt->xfer_type, tt->xfer_min_s};
        const size_t sizes[] = {4, 4, 1, 4};
        if (sort_index(tt, tt->n_xfers, cmp_xfer, cols, sizes, 4, tt->xfer_from, tt->n_stops,
                       &tt->stop_xfer_first))
            return HH_ENOMEM;
    }
    return 0;
}
