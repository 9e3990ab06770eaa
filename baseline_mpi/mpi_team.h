/* The MPI variant: one rank per worker, the ranks of a node sharing each array through an
 * MPI-3 shared-memory window, the same loops and the same partition as every other variant. */
#ifndef CEIL_MPI_TEAM_H
#define CEIL_MPI_TEAM_H

#include "variant.h"

/* Worker w is world rank w and runs partition slice w. The ranks sharing a node (MPI_COMM_TYPE_
 * SHARED) hold the node's block of every array in one MPI_Win_allocate_shared window, laid out
 * page-aligned as the other variants' mapping is, and each rank first-touches its own slice. A
 * node owns one contiguous block of the global array, so the ranks of a node must be
 * consecutive (mpirun --map-by core). Per tick, MPI_Barrier, or with
 * cfg->barrier == CEIL_BARRIER_FUTEX the spin-then-futex barrier in a shared window (one node
 * only). Each node's first rank checks its node's block against serial (ceil_run.checker);
 * rank 0 reports. A stop request (SIGINT, SIGTERM) ends a rank's run with -EINTR; its caller then
 * ends the whole job with ceil_mpi_abort: a rank that left alone would leave the others in a
 * barrier.
 * prepare refuses a job that cannot be formed as asked with -EDOM, the same on every rank.
 * For tests on one machine, CEIL_MPI_NODE_RANKS=K splits each node into pretend nodes of K
 * ranks, so that the code for several nodes runs. */
extern const struct ceil_variant_ops ceil_mpi_ops;

/* Starts MPI if nothing has yet (a singleton of one rank, without mpirun; finalized at exit),
 * and gives MPI_COMM_WORLD's size and this process's rank. Returns 0, or -1 if MPI cannot start. */
int ceil_mpi_world(int *size, int *rank);

/* How many ranks of the job share this machine (MPI_COMM_TYPE_SHARED). Collective. */
int ceil_mpi_host_ranks(void);

/* Ends the whole job (MPI_Abort) with `code`: for main, once a rank's run failed (interrupted),
 * since a rank that left alone would leave the others waiting in a barrier. Never returns. */
_Noreturn void ceil_mpi_abort(int code);

#endif
