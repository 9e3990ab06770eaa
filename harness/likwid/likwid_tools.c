/* Detecting likwid's tools and whether hardware counters can be read here. */
#include "likwid_tools.h"

#include "capture.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void parse_groups(struct ceil_likwid *lw, const char *output)
{
    int after_rule = 0;
    for (const char *line = output; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n > 10 && strspn(line, "-") >= 10)
            after_rule = 1;
        else if (after_rule && memchr(line, '\t', n) && lw->n_groups < CEIL_LIKWID_MAX_GROUPS) {
            const char *s = line;
            while (*s == ' ')
                s++;
            size_t g = strcspn(s, "\t");
            if (g > 0 && g < sizeof lw->groups[0])
                snprintf(lw->groups[lw->n_groups++], sizeof lw->groups[0], "%.*s", (int)g, s);
        }
        line = end ? end + 1 : NULL;
    }
}

static int first_allowed_cpu(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (int c = 0; c < CPU_SETSIZE; c++)
            if (CPU_ISSET(c, &set))
                return c;
    return 0;
}

void ceil_likwid_detect(struct ceil_likwid *lw)
{
    memset(lw, 0, sizeof *lw);
    lw->has_bench = ceil_in_path("likwid-bench");
    lw->has_perfctr = ceil_in_path("likwid-perfctr");
    if (!lw->has_perfctr) {
        snprintf(lw->reason, sizeof lw->reason, "likwid-perfctr is not installed");
        return;
    }
    char *out = NULL;
    int status;
    char *version[] = { "likwid-perfctr", "-v", NULL };
    if (ceil_spawn_capture(version, 10, &out, &status) == 0 && out) {
        const char *v = strstr(out, "Version ");
        if (v)
            sscanf(v + 8, "%31[0-9.]", lw->version);
    }
    free(out);
    char *list[] = { "likwid-perfctr", "-a", NULL };
    if (ceil_spawn_capture(list, 20, &out, &status) != 0 || !out) {
        snprintf(lw->reason, sizeof lw->reason, "likwid-perfctr -a did not run");
        free(out);
        return;
    }
    parse_groups(lw, out);
    char *listed = out;
    /* the trial, with a group named even when none is listed: its errors say why */
    char cpu[16];
    snprintf(cpu, sizeof cpu, "%d", first_allowed_cpu());
    char *trial[] = { "likwid-perfctr", "-C", cpu, "-g", lw->n_groups ? lw->groups[0] : "MEM", "true", NULL };
    out = NULL;
    int rc = ceil_spawn_capture(trial, 30, &out, &status);
    if (lw->n_groups && rc == 0 && status == 0 && out && !strstr(out, "ERROR")) {
        lw->counters = 1;
    } else {
        size_t len = strlen(listed) + (out ? strlen(out) : 0) + 2;
        char *both = malloc(len);
        if (both)
            snprintf(both, len, "%s\n%s", listed, out ? out : "");
        ceil_capture_reason(both ? both : listed, lw->reason, sizeof lw->reason);
        free(both);
    }
    free(listed);
    free(out);
}

const char *ceil_likwid_group(const struct ceil_likwid *lw, const char *const wanted[])
{
    for (unsigned w = 0; wanted[w]; w++)
        for (unsigned g = 0; g < lw->n_groups; g++)
            if (strcmp(lw->groups[g], wanted[w]) == 0)
                return lw->groups[g];
    return NULL;
}

json_t *ceil_likwid_json(const struct ceil_likwid *lw)
{
    json_t *groups = json_array();
    for (unsigned g = 0; g < lw->n_groups; g++)
        json_array_append_new(groups, json_string(lw->groups[g]));
    json_t *o = json_pack("{s:b, s:b, s:s, s:b, s:o}", "likwid_bench", lw->has_bench, "likwid_perfctr",
                          lw->has_perfctr, "version", lw->version, "available", lw->counters, "groups", groups);
    if (!lw->counters)
        json_object_set_new(o, "reason", json_string(lw->reason));
    return o;
}
