/* rows.c: see rows.h.  Threads are started per round (a round is tens of
 * milliseconds of work at least; a thread start costs microseconds), which
 * keeps the code free of condition variables.  The window is two halves:
 * while the workers compute one round into one half, the calling thread
 * delivers the round before it from the other (writing a matrix's CSV costs
 * a fifth of computing it; done between rounds it left the workers idle),
 * then joins the workers for the rest of the round. */
#include "util/rows.h"

#include <pthread.h>
#include <unistd.h>

typedef struct run {
    hh__rows_work_fn work;
    void *ctx;
    size_t block, next, end, base, half; /* slot = item - base + half */
    pthread_mutex_t mu;
    int err;
} run;

typedef struct worker {
    run *r;
    int id;
} worker;

static void *loop(void *arg)
{
    worker *w = arg;
    run *r = w->r;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        size_t i = r->next, end = i + r->block < r->end ? i + r->block : r->end;
        r->next = end;
        int stop = r->err;
        pthread_mutex_unlock(&r->mu);
        if (i >= end || stop)
            return NULL;
        for (; i < end; i++) {
            int e = r->work(r->ctx, w->id, i, i - r->base + r->half);
            if (e) {
                pthread_mutex_lock(&r->mu);
                if (!r->err)
                    r->err = e;
                pthread_mutex_unlock(&r->mu);
                return NULL;
            }
        }
    }
}

int hh__rows_threads(int threads)
{
    if (threads <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        threads = c > 0 ? (int)c : 1;
    }
    return threads > 256 ? 256 : threads;
}

size_t hh__rows_window(int threads, size_t block)
{
    int nt = hh__rows_threads(threads);
    return (size_t)nt * block * (nt > 1 ? 2 : 1);
}

int hh__rows_run(size_t n, int threads, size_t block, hh__rows_work_fn work, hh__rows_deliver_fn deliver,
                 void *ctx)
{
    int nt = hh__rows_threads(threads);
    size_t window = (size_t)nt * block;
    run r = {work, ctx, block, 0, 0, 0, 0, PTHREAD_MUTEX_INITIALIZER, 0};
    worker ws[256];
    pthread_t th[256];
    for (int t = 0; t < nt; t++)
        ws[t] = (worker){&r, t};
    int rc = 0;
    /* the round computed before this one, still to deliver: [pb, pe) at ph */
    size_t pb = 0, pe = 0, ph = 0;
    for (r.base = 0; r.base < n && !rc; r.base += window) {
        r.next = r.base;
        r.end = r.base + window < n ? r.base + window : n;
        r.half = nt > 1 && ph == 0 && pe > pb ? window : 0;
        int started = 0;
        for (int t = 1; t < nt; t++) {
            if (pthread_create(&th[t], NULL, loop, &ws[t]))
                break; /* fewer threads: the caller's does the rest */
            started++;
        }
        /* one worker alone (nt == 1) has no other half: it delivers below */
        for (size_t i = pb; i < pe && !rc && nt > 1; i++)
            rc = deliver(ctx, i, i - pb + ph);
        if (rc) { /* stop the round: the workers see err and return */
            pthread_mutex_lock(&r.mu);
            if (!r.err)
                r.err = rc;
            pthread_mutex_unlock(&r.mu);
        } else
            loop(&ws[0]);
        for (int t = 1; t <= started; t++)
            pthread_join(th[t], NULL);
        if (rc || (rc = r.err))
            break;
        pb = r.base, pe = r.end, ph = r.half;
        for (size_t i = pb; i < pe && !rc && nt == 1; i++)
            rc = deliver(ctx, i, i - pb + ph);
        if (nt == 1)
            pe = pb;
    }
    for (size_t i = pb; i < pe && !rc; i++)
        rc = deliver(ctx, i, i - pb + ph);
    pthread_mutex_destroy(&r.mu);
    return rc;
}
