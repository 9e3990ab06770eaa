/* Running a point of the MPI variant as its own job: mpirun -np W ceilings run ... --json. */
#ifndef CEIL_LAUNCH_H
#define CEIL_LAUNCH_H

#include "arrays.h"

#include <jansson.h>

/* Is mpirun there to launch with? */
int ceil_mpi_launcher_found(void);

/* The first line `mpirun --version` prints ("mpirun (Open MPI) 4.1.4"), or why there is none. */
void ceil_mpi_launcher_version(char *buf, size_t len);

/* Runs `mpirun -np ranks --oversubscribe --bind-to none THIS_PROGRAM run ARGS... --json` (as
 * root with --allow-run-as-root) for at most timeout_s. Returns 0 with *result (the JSON object
 * rank 0 printed, valid or not) and the job's exit status; or -errno when nothing came back,
 * with what the job said in err. */
int ceil_mpi_launch(unsigned ranks, char *const args[], double timeout_s, json_t **result, int *status,
                    char err[CEIL_ERRLEN]);

#endif
