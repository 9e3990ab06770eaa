/* Fuzz target: ceilings plan --topology on any bytes: hwloc reads them as an XML topology and,
 * when it accepts them, the planner plans for that machine and writes its JSON. */
#include "plan.h"
#include "topology.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("HWLOC_XML_VERBOSE", "0", 1);
    /* hwloc 2.9's libxml2 import leaks a few KB on some malformed files (found here; not our
     * code, and a command reads one topology): its own parser lets the fuzzer see our leaks */
    setenv("HWLOC_LIBXML_IMPORT", "0", 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("topology", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64], err[CEIL_ERRLEN];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct ceil_topo topo;
    if (ceil_topo_load(&topo, path, err) == 0) {
        struct ceil_plan plan;
        for (int sweep = CEIL_SWEEP_QUICK; sweep <= CEIL_SWEEP_FULL; sweep++) {
            if (ceil_plan_make(&plan, &topo, (enum ceil_sweep)sweep, topo.numa_bytes, "the file", 0, err) == 0) {
                json_t *doc = ceil_plan_json(&plan, &topo);
                char *text = json_dumps(doc, 0);
                free(text);
                json_decref(doc);
                ceil_plan_free(&plan);
            }
        }
        ceil_topo_free(&topo);
    }
    close(fd);
    return 0;
}
