/* likwid Marker API regions around the timed work, when ceilings is built with likwid. */
#ifndef CEIL_MARKERS_H
#define CEIL_MARKERS_H

#include "variant.h"

/* Is the Marker API compiled in (-Dlikwid found the library)? */
int ceil_markers_compiled(void);

/* Starts the Marker API if this process runs under likwid-perfctr -m (its environment says
 * so); otherwise nothing, and no marker costs anything. Returns whether markers are live. */
int ceil_markers_init(void);
void ceil_markers_close(void);

/* Hooks that open and close the region `name` in every worker thread of a run. */
struct ceil_marker {
    char name[192];
    struct ceil_hooks hooks;
};
const struct ceil_hooks *ceil_marker_hooks(struct ceil_marker *m, const char *name);

#endif
