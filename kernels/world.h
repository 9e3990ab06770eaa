/* A small simulation: one world of columns, systems that read and write declared columns, and
 * the rule that says which systems may run at the same time. */
#ifndef CEIL_WORLD_H
#define CEIL_WORLD_H

#include "arrays.h"

#include <stddef.h>

enum ceil_column { CEIL_POS_X, CEIL_POS_Y, CEIL_VEL_X, CEIL_VEL_Y, CEIL_ENERGY, CEIL_FOOD, CEIL_COLUMNS };

extern const char *const ceil_column_names[CEIL_COLUMNS];

#define CEIL_COL(c) (1u << (c))

/* The world: one float column per property, each page-aligned in one shared anonymous
 * mapping (so that forked workers see it, as with the kernels' arrays). */
struct ceil_world {
    size_t n;
    float *col[CEIL_COLUMNS];
    void *base;
    size_t bytes;
};

int ceil_world_map(struct ceil_world *w, size_t n, char err[CEIL_ERRLEN]);
void ceil_world_unmap(struct ceil_world *w); /* accepts a zeroed world */
void ceil_world_init(struct ceil_world *w);  /* the same start values every time */

/* 1 if every column is equal byte for byte; otherwise 0 and the first difference in why. */
int ceil_world_equal(const struct ceil_world *got, const struct ceil_world *want, char why[CEIL_ERRLEN]);

/* A system: what it reads and writes (column masks), and one tick of it over [begin, end). */
struct ceil_system {
    const char *name;
    const char *does;
    unsigned reads, writes;
    void (*tick)(const struct ceil_world *w, size_t begin, size_t end);
};

extern const struct ceil_system ceil_systems[];
extern const unsigned ceil_system_count;
const struct ceil_system *ceil_system_find(const char *name);

/* The rule. Two systems may run at the same time with no lock if and only if neither writes a
 * column the other writes (their write-sets are disjoint) or reads (else the reader's result
 * depends on when it reads, and differs from running them one after the other). Returns 0, or
 * -1 and a sentence naming the shared column in err. */
int ceil_systems_conflict(const struct ceil_system *a, const struct ceil_system *b, char err[CEIL_ERRLEN]);

/* The rule over every pair of `count` systems. */
int ceil_systems_check(const struct ceil_system *const *s, unsigned count, char err[CEIL_ERRLEN]);

/* `ticks` ticks, each running the systems one after the other over the whole world: the
 * reference a concurrent run must equal. */
void ceil_systems_run_sequential(const struct ceil_world *w, const struct ceil_system *const *s, unsigned count,
                                 unsigned long ticks);

/* The systems at the same time, one OpenMP thread each, every thread running its system's
 * `ticks` ticks over the whole world. The rule is not checked here: callers check it, or, to
 * show what it prevents, deliberately do not. Returns 0, or -EAGAIN when OpenMP gave fewer
 * threads than systems. */
int ceil_systems_run_threads(const struct ceil_world *w, const struct ceil_system *const *s, unsigned count,
                             unsigned long ticks, char err[CEIL_ERRLEN]);

#endif
