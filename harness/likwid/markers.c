/* The Marker API calls; without LIKWID_PERFMON (no likwid found, or -Dlikwid=disabled) they are
 * empty, and likwid-marker.h may not exist at all. */
#include "markers.h"

#include <stdio.h>
#include <stdlib.h>

#ifdef LIKWID_PERFMON
#include <likwid-marker.h>
#else
#define LIKWID_MARKER_INIT
#define LIKWID_MARKER_CLOSE
#define LIKWID_MARKER_START(name) ((void)(name))
#define LIKWID_MARKER_STOP(name) ((void)(name))
#endif

static int live;

int ceil_markers_compiled(void)
{
#ifdef LIKWID_PERFMON
    return 1;
#else
    return 0;
#endif
}

int ceil_markers_init(void)
{
    /* likwid-perfctr -m sets these; without them LIKWID_MARKER_INIT only prints a warning */
    live = ceil_markers_compiled() && getenv("LIKWID_EVENTS") && getenv("LIKWID_MODE");
    if (live) {
        LIKWID_MARKER_INIT;
    }
    return live;
}

void ceil_markers_close(void)
{
    if (live) {
        LIKWID_MARKER_CLOSE;
    }
    live = 0;
}

static void enter(void *ctx)
{
    (void)ctx;
    LIKWID_MARKER_START(((struct ceil_marker *)ctx)->name);
}

static void leave(void *ctx)
{
    (void)ctx;
    LIKWID_MARKER_STOP(((struct ceil_marker *)ctx)->name);
}

const struct ceil_hooks *ceil_marker_hooks(struct ceil_marker *m, const char *name)
{
    if (!live)
        return NULL;
    snprintf(m->name, sizeof m->name, "%s", name);
    m->hooks.enter = enter;
    m->hooks.leave = leave;
    m->hooks.ctx = m;
    return &m->hooks;
}
