/* comm_none.c: comm.h for the plain build: one process, and no MPI
 * (an MPI run needs `make MPI=1`, whose comm_mpi.c replaces this file). */
#include "par/comm.h"

#include "halfhour.h"

int hh__comm_available(void) { return 0; }

int hh__comm_begin(int *rank, int *size, int *inited)
{
    *rank = 0, *size = 1, *inited = 0;
    return HH_EINVAL;
}

void hh__comm_end(int inited, int ok) { (void)inited, (void)ok; }

int hh__comm_bcast(void *buf, size_t n)
{
    (void)buf, (void)n;
    return 0; /* one process: rank 0 has it */
}

int hh__comm_isend(int to, const void *buf, size_t n, hh__comm_req **req)
{
    (void)to, (void)buf, (void)n;
    *req = NULL;
    return HH_EINVAL;
}

int hh__comm_wait(hh__comm_req **req)
{
    (void)req;
    return 0;
}

int hh__comm_recv(int from, void *buf, size_t cap, size_t *got)
{
    (void)from, (void)buf, (void)cap;
    *got = 0;
    return HH_EINVAL;
}
