/* Running a point of a launched variant as its own job (variants.h's enum ceil_launcher):
 * mpirun -np W ceilings run ... --json, or ceilings run ... --json for a Python variant. */
#ifndef CEIL_LAUNCH_H
#define CEIL_LAUNCH_H

#include "variants.h"

#include <jansson.h>

/* Is mpirun there to launch with? */
int ceil_mpi_launcher_found(void);

/* The first line `mpirun --version` prints ("mpirun (Open MPI) 4.1.4"), or why there is none. */
void ceil_mpi_launcher_version(char *buf, size_t len);

/* Can v's jobs start on this machine? And if not, why (one phrase). */
int ceil_launcher_found(const struct ceil_variant *v);
const char *ceil_launcher_missing(const struct ceil_variant *v);

/* Runs one point of launched variant v as its own job for at most timeout_s: `mpirun -np W
 * --oversubscribe --bind-to none THIS_PROGRAM run ARGS... --json` (as root with
 * --allow-run-as-root), or THIS_PROGRAM run ARGS... --json for a Python variant. Returns 0 with
 * *result (the JSON object the job printed, valid or not) and its exit status; or -errno when
 * nothing came back, with what the job said in err. */
int ceil_launch(const struct ceil_variant *v, unsigned workers, char *const args[], double timeout_s, json_t **result,
                int *status, char err[CEIL_ERRLEN]);

#endif
