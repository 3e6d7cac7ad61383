/* comm_mpi.c: comm.h over MPI (Open MPI from Debian's libopenmpi-dev);
 * compiled and linked only by `make MPI=1` (comm.h says why). */
#include "par/comm.h"

#include <limits.h>
#include <mpi.h>
#include <time.h>

#include "halfhour.h"
#include "util/alloc.h"

struct hh__comm_req {
    MPI_Request r;
};

/* Waiting politely: MPI_Recv and MPI_Wait spin on a core until the message
 * comes, and a rank waits for whole blocks (milliseconds to seconds) while
 * its node's other ranks and threads need the cores; polling every 50 us
 * costs nothing measurable against a block's time. */
static void nap(void)
{
    struct timespec ts = {0, 50000};
    nanosleep(&ts, NULL);
}

int hh__comm_available(void) { return 1; }

int hh__comm_begin(int *rank, int *size, int *inited)
{
    int done = 0, prov = 0;
    *inited = 0;
    if (MPI_Initialized(&done) != MPI_SUCCESS)
        return HH_EIO;
    if (!done) {
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &prov) != MPI_SUCCESS)
            return HH_EIO;
        *inited = 1;
    }
    /* errors come back as codes, not as MPI's default abort */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (MPI_Comm_rank(MPI_COMM_WORLD, rank) != MPI_SUCCESS || MPI_Comm_size(MPI_COMM_WORLD, size) != MPI_SUCCESS)
        return HH_EIO;
    return 0;
}

void hh__comm_end(int inited, int ok)
{
    int size = 1;
    if (!ok && MPI_Comm_size(MPI_COMM_WORLD, &size) == MPI_SUCCESS && size > 1)
        MPI_Abort(MPI_COMM_WORLD, 1);
    if (inited)
        MPI_Finalize();
}

int hh__comm_bcast(void *buf, size_t n)
{
    /* in pieces below INT_MAX bytes: MPI counts are int */
    for (size_t off = 0; off < n;) {
        size_t k = n - off < (size_t)INT_MAX ? n - off : (size_t)INT_MAX;
        if (MPI_Bcast((char *)buf + off, (int)k, MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
            return HH_EIO;
        off += k;
    }
    return 0;
}

int hh__comm_isend(int to, const void *buf, size_t n, hh__comm_req **req)
{
    *req = NULL;
    if (n > (size_t)INT_MAX)
        return HH_ERANGE;
    hh__comm_req *q = hh__malloc(sizeof *q);
    if (!q)
        return HH_ENOMEM;
    if (MPI_Issend(buf, (int)n, MPI_BYTE, to, 1, MPI_COMM_WORLD, &q->r) != MPI_SUCCESS) {
        hh__free(q);
        return HH_EIO;
    }
    *req = q;
    return 0;
}

int hh__comm_wait(hh__comm_req **req)
{
    if (!*req)
        return 0;
    int done = 0, rc = 0;
    while (!done && !rc) {
        if (MPI_Test(&(*req)->r, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            rc = HH_EIO;
        else if (!done)
            nap();
    }
    hh__free(*req);
    *req = NULL;
    return rc;
}

int hh__comm_recv(int from, void *buf, size_t cap, size_t *got)
{
    MPI_Status st;
    int n = 0;
    *got = 0;
    if (cap > (size_t)INT_MAX)
        return HH_ERANGE;
    for (int flag = 0; !flag;) {
        if (MPI_Iprobe(from, 1, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return HH_EIO;
        if (!flag)
            nap();
    }
    if (MPI_Recv(buf, (int)cap, MPI_BYTE, from, 1, MPI_COMM_WORLD, &st) != MPI_SUCCESS ||
        MPI_Get_count(&st, MPI_BYTE, &n) != MPI_SUCCESS || n < 0)
        return HH_EIO;
    *got = (size_t)n;
    return 0;
}
