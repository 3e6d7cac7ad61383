/* comm.h: the few message-passing calls that spread a many-origin run over
 * processes (reach/spread.c).  Two implementations, exactly one linked:
 *   comm_mpi.c   `make MPI=1`: Open MPI (MPI_COMM_WORLD)
 *   comm_none.c  the plain build: one process, no MPI dependency at all.
 * Why two translation units rather than dlopen("libmpi.so"): MPI's handles
 * (MPI_COMM_WORLD, MPI_BYTE, ...) are link-time objects of one MPI
 * implementation whose layout mpi.h describes, and a program mpirun starts
 * has to match the launcher's MPI anyway; a separate build (its own folder,
 * build/rel-mpi) keeps the plain library and CLI free of it.
 * Only the calling thread of a run talks MPI (MPI_THREAD_FUNNELED): worker
 * threads compute, the driver sends and receives between rounds.
 * Every call returns 0 or a negative HH_E* code. */
#ifndef HH_PAR_COMM_H
#define HH_PAR_COMM_H

#include <stddef.h>

/* 1 when this build can run under MPI. */
int hh__comm_available(void);
/* Joins MPI_COMM_WORLD (MPI_Init_thread unless already initialised):
 * this process's rank and the number of ranks. *inited is 1 when this call
 * initialised MPI (then hh__comm_end finalises it). */
int hh__comm_begin(int *rank, int *size, int *inited);
/* ok: MPI_Finalize when hh__comm_begin initialised MPI; !ok with several
 * ranks: MPI_Abort (the other ranks may wait for this one forever). */
void hh__comm_end(int inited, int ok);
/* buf (n bytes) from rank 0 to every rank. */
int hh__comm_bcast(void *buf, size_t n);
/* A synchronous-mode send that has started (MPI_Issend): it completes only
 * once the receiver has taken it, so a sender never runs further ahead of
 * rank 0 than its buffers. */
typedef struct hh__comm_req hh__comm_req;
int hh__comm_isend(int to, const void *buf, size_t n, hh__comm_req **req);
/* Waits for and frees a send (NULL: nothing to wait for). */
int hh__comm_wait(hh__comm_req **req);
/* Receives the next message from `from` into buf (cap bytes); *got its size. */
int hh__comm_recv(int from, void *buf, size_t cap, size_t *got);

#endif
