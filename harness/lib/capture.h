/* Running another program (likwid-bench, likwid-perfctr) and capturing what it prints. */
#ifndef CEIL_CAPTURE_H
#define CEIL_CAPTURE_H

#include <stddef.h>

/* Runs argv[0] (searched in PATH) with stdout and stderr captured together into *out
 * (malloc'd, NUL-terminated), killing it after timeout_s seconds. *status is the exit status,
 * 128 + signal when killed, or 127 when it could not be started. Returns 0, or -errno when it
 * could not run at all, -ETIMEDOUT when it was killed for time. Called with no process team
 * alive (their SIGCHLD handling does not expect other children). */
int ceil_spawn_capture(char *const argv[], double timeout_s, char **out, int *status);

/* Is `program` an executable somewhere in PATH? */
int ceil_in_path(const char *program);

/* Keeps, from the lines a program printed, those that say what went wrong (likwid's "ERROR -
 * [file:function:line] message" reduced to the message), joined by "; ". */
void ceil_capture_reason(const char *output, char *out, size_t len);

#endif
