/* test_rows.c: the row driver (src/util/rows.c) delivers every item once, in
 * order, with the value its work wrote, while the next round is computed into
 * the other half of the window; errors of work() and deliver() stop the run
 * and are returned; with any thread count and block size. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hhtest.h"
#include "util/rows.h"

typedef struct ctx {
    size_t n, window;
    uint64_t *slot;      /* window slots: the value work() computed */
    unsigned *computed;  /* per item: times computed */
    size_t delivered;    /* items delivered so far (in order) */
    size_t fail_work, fail_deliver; /* item that fails, or SIZE_MAX */
    int bad;             /* a check failed inside a callback */
    pthread_mutex_t mu;
} ctx;

static uint64_t value_of(size_t i) { return (uint64_t)i * 2654435761u + 17; }

static int work(void *u, int worker, size_t i, size_t slot)
{
    ctx *c = u;
    (void)worker;
    if (i == c->fail_work)
        return 7;
    pthread_mutex_lock(&c->mu);
    if (slot >= c->window || i >= c->n)
        c->bad = 1;
    else
        c->computed[i]++;
    pthread_mutex_unlock(&c->mu);
    if (slot < c->window)
        c->slot[slot] = value_of(i);
    return 0;
}

static int deliver(void *u, size_t i, size_t slot)
{
    ctx *c = u;
    if (i == c->fail_deliver)
        return 9;
    pthread_mutex_lock(&c->mu);
    if (i != c->delivered || slot >= c->window || c->computed[i] != 1 || c->slot[slot] != value_of(i))
        c->bad = 1;
    c->delivered++;
    pthread_mutex_unlock(&c->mu);
    return 0;
}

static int run_case(size_t n, int threads, size_t block, size_t fail_work, size_t fail_deliver, ctx *c)
{
    memset(c, 0, sizeof *c);
    c->n = n;
    c->window = hh__rows_window(threads, block);
    c->slot = calloc(c->window, sizeof *c->slot);
    c->computed = calloc(n + 1, sizeof *c->computed);
    c->fail_work = fail_work, c->fail_deliver = fail_deliver;
    pthread_mutex_init(&c->mu, NULL);
    int rc = hh__rows_run(n, threads, block, work, deliver, c);
    pthread_mutex_destroy(&c->mu);
    return rc;
}

static void done(ctx *c) { free(c->slot), free(c->computed); }

HH_TEST(rows_deliver_every_item_once_in_order)
{
    const size_t ns[] = {0, 1, 2, 7, 8, 9, 31, 100, 1001};
    const int ts[] = {1, 2, 3, 4};
    const size_t bs[] = {1, 3, 8};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t b = 0; b < sizeof ts / sizeof *ts; b++)
            for (size_t k = 0; k < sizeof bs / sizeof *bs; k++) {
                ctx c;
                HH_ASSERT_EQ(run_case(ns[a], ts[b], bs[k], SIZE_MAX, SIZE_MAX, &c), 0);
                HH_ASSERT_EQ(c.bad, 0);
                HH_ASSERT_EQ(c.delivered, ns[a]);
                for (size_t i = 0; i < ns[a]; i++)
                    HH_ASSERT_EQ(c.computed[i], 1u);
                done(&c);
            }
}

HH_TEST(rows_errors_stop_the_run)
{
    for (int t = 1; t <= 3; t++) {
        ctx c;
        /* work fails at item 50: nothing at or after its round is delivered */
        HH_ASSERT_EQ(run_case(200, t, 4, 50, SIZE_MAX, &c), 7);
        HH_ASSERT_EQ(c.bad, 0);
        HH_ASSERT(c.delivered <= 50);
        done(&c);
        /* deliver fails at item 60: the items before it were delivered, none after */
        HH_ASSERT_EQ(run_case(200, t, 4, SIZE_MAX, 60, &c), 9);
        HH_ASSERT_EQ(c.bad, 0);
        HH_ASSERT_EQ(c.delivered, 60u);
        done(&c);
    }
}
