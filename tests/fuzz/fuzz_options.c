/* Fuzz target: every parser a command-line value goes through (counts, CPU lists, kernel,
 * variant, mode, barrier, sweep and system names). The input is the values, split at NUL. */
#include "cli.h"
#include "commands.h"
#include "cpulist.h"
#include "plan.h"
#include "topology.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static struct ceil_topo topo;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[CEIL_ERRLEN];
    if (ceil_topo_load(&topo, NULL, err) != 0) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    return 0;
}

/* Usage errors are the expected output: stderr goes to /dev/null while parsing only, so that
 * libFuzzer's own reports still reach it. */
static int quiet(void)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
    dup2(null, STDERR_FILENO);
    close(null);
    return saved;
}

static void loud(int saved)
{
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    int saved = quiet();
    for (char *value = text; value < text + size + 1; value += strlen(value) + 1) {
        uint64_t n;
        int cpus[64];
        const struct ceil_kernel *k;
        const struct ceil_variant *v;
        const struct ceil_system *systems[8];
        enum ceil_mode m;
        enum ceil_barrier_kind b;
        enum ceil_sweep s;
        unsigned count;
        ceil_parse_count("fuzz", "--n", value, 1, UINT64_MAX / 2, &n);
        ceil_parse_count("fuzz", "--workers", value, 1, CEIL_MAX_WORKERS, &n);
        ceil_parse_cpus("fuzz", "--cpus", value, &topo, cpus, 64);
        ceil_parse_kernel("fuzz", value, &k);
        ceil_parse_variant("fuzz", value, &v);
        ceil_parse_mode("fuzz", value, &m);
        ceil_parse_barrier("fuzz", value, &b);
        ceil_parse_sweep("fuzz", value, &s);
        ceil_parse_systems("fuzz", value, systems, 8, &count);
    }
    loud(saved);
    free(text);
    return 0;
}
