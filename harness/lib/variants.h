/* The variant table: every execution model with every trait a consumer needs. The only list:
 * run, check, the sweep, profile, the verdicts, the help texts and (through the JSON context)
 * the reports iterate it instead of naming variants. */
#ifndef CEIL_VARIANTS_H
#define CEIL_VARIANTS_H

#include "variant.h"

#include <jansson.h>

enum ceil_variant_trait {
    CEIL_REFERENCE = 1 << 0, /* one worker over the whole range: every other variant must equal it */
    CEIL_HOOKS = 1 << 1,     /* its workers are threads of one process, so per-thread hooks (likwid's
                                Marker API) apply where it runs in this one; otherwise measure whole
                                pinned runs */
    CEIL_LAUNCHED = 1 << 2,  /* a job of its own per point (`launcher` says which): not in this
                                process, so measured whole by the job and checked inside it */
    CEIL_BOOK = 1 << 3,      /* in the book's tables: the sweep also runs it at the book's N */
};

/* How a launched variant's job starts. */
enum ceil_launcher {
    CEIL_IN_PROCESS, /* not launched: the ops run here */
    CEIL_MPIRUN,     /* mpirun -np W ceilings run ...: the ranks are the workers, --workers equals the
                        job's size, mpirun's binding is kept */
    CEIL_PYTHON,     /* ceilings run hands the point to a Python program (the Python that has numpy
                        and matplotlib, found at configure time), which checks it against its own
                        serial loop */
};

#define CEIL_MODE_BIT(m) (1u << (m))
#define CEIL_BARRIER_BIT(b) (1u << (b))

struct ceil_variant {
    const char *name;
    const char *label;   /* what reports call it ("OpenMP threads") */
    const char *summary; /* one line for help texts */
    const struct ceil_variant_ops *ops;
    unsigned modes;      /* CEIL_MODE_BITs the sweep and check measure */
    unsigned barriers;   /* CEIL_BARRIER_BITs it accepts; 0: it has no barrier to choose */
    enum ceil_barrier_kind barrier; /* its default, when it has a choice */
    unsigned traits;     /* enum ceil_variant_trait */
    enum ceil_launcher launcher;
    const char *kernels; /* the kernels it runs, "motion,trig"; NULL: every kernel */
    const char *pertick; /* what one per-tick dispatch is, for people */
    const char *color, *marker; /* how plots draw it (matplotlib) */
};

/* The variants built into this binary, in the order reports list them. */
extern const struct ceil_variant ceil_variants[];
extern const unsigned ceil_variant_count;

/* The variant named `name`, or NULL. */
const struct ceil_variant *ceil_variant_find(const char *name);

/* The reference variant every result is checked against (the one with CEIL_REFERENCE). */
const struct ceil_variant *ceil_variant_reference(void);

/* "serial, omp, proc": the names, for a message listing the choices. */
void ceil_variant_names(char *out, size_t len);

/* Does v run kernel k? */
int ceil_variant_runs(const struct ceil_variant *v, const struct ceil_kernel *k);

/* Does v run a loop of its own (the book's numpy, launched in Python), not the kernel table's
 * compiled one? Its in-core time is then its own, never the reference's. */
int ceil_variant_own_loop(const struct ceil_variant *v);

/* Does v accept barrier b, and is b its default? */
int ceil_variant_accepts(const struct ceil_variant *v, enum ceil_barrier_kind b);

/* The barriers: names and what each is. */
const char *ceil_barrier_name(enum ceil_barrier_kind b);
const char *ceil_barrier_summary(enum ceil_barrier_kind b);
int ceil_barrier_find(const char *name, enum ceil_barrier_kind *out); /* 0, or -1 if unknown */

const char *ceil_mode_name(enum ceil_mode m);
int ceil_mode_find(const char *name, enum ceil_mode *out); /* 0, or -1 if unknown */

/* A series of points: a variant on one of its barriers. Named like the variant on its default
 * barrier and "VARIANT-BARRIER" on another (proc-pthread), as the sweep's points are. */
void ceil_series_name(const struct ceil_variant *v, enum ceil_barrier_kind b, char *out, size_t len);

/* The table as JSON, for the results' context and verdicts: {"variants": [...], "barriers": [...]}
 * with each variant's name, label, summary, modes, barriers, default barrier, traits, per-tick
 * dispatch, colour and marker. */
json_t *ceil_variants_json(void);

#endif
