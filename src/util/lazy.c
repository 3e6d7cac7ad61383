/* lazy.c: see lazy.h.  One process-wide lock guards every table, held while
 * a blob is built (a few milliseconds, once per key): simple, and a second
 * thread asking for the same key waits for it instead of building it too. */
#include "util/lazy.h"

#include <pthread.h>

#include "util/alloc.h"

#define LAZY_MAX_ENTRIES 32
#define LAZY_MAX_BYTES ((size_t)512 << 20)

struct hh__lazy {
    size_t n, bytes;
    uint64_t key[LAZY_MAX_ENTRIES];
    void *blob[LAZY_MAX_ENTRIES];
};

static pthread_mutex_t lazy_mu = PTHREAD_MUTEX_INITIALIZER;

const void *hh__lazy_get(hh__lazy **table, uint64_t key, hh__lazy_build_fn build, void *ctx)
{
    const void *out = NULL;
    pthread_mutex_lock(&lazy_mu);
    hh__lazy *t = *table;
    if (!t && (t = hh__calloc(1, sizeof *t)))
        *table = t;
    if (t) {
        for (size_t i = 0; i < t->n && !out; i++)
            if (t->key[i] == key)
                out = t->blob[i];
        void *b = NULL;
        size_t bytes = 0;
        if (!out && t->n < LAZY_MAX_ENTRIES && t->bytes < LAZY_MAX_BYTES && build(ctx, &b, &bytes) == 0) {
            if (bytes <= LAZY_MAX_BYTES - t->bytes) {
                t->key[t->n] = key, t->blob[t->n++] = b, t->bytes += bytes;
                out = b;
            } else
                hh__free(b);
        }
    }
    pthread_mutex_unlock(&lazy_mu);
    return out;
}

void hh__lazy_free(hh__lazy *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        hh__free(t->blob[i]);
    hh__free(t);
}
