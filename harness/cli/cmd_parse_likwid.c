/* ceilings parse-likwid: a saved likwid-perfctr output, as JSON or as a summary. */
#include "cli.h"
#include "commands.h"
#include "likwid_parse.h"

#include <errno.h>
#include <math.h>
#include <string.h>

static const char usage[] =
    "usage: ceilings parse-likwid FILE [--json]\n"
    "Reads a saved likwid-perfctr output, its text tables or the CSV of -O, into\n"
    "regions -> group -> metric -> per-CPU values and STAT rows (sum, min, max, avg), with\n"
    "names exactly as likwid prints them. Strict: malformed input is an error naming the line.\n"
    "\n"
    "  --json      print the parsed output as JSON (default: a summary of each group's metrics)\n"
    "  -h, --help  this text\n"
    "Exit status: 0 ok; 1 the file is not a well-formed likwid-perfctr output; 2 bad usage.\n";

static void print_summary(json_t *doc)
{
    json_t *regions = json_object_get(doc, "regions"), *groups, *group, *m;
    const char *region, *gname, *metric;
    printf("%s (%s format)\n", json_string_value(json_object_get(json_object_get(doc, "cpu"), "name")),
           json_string_value(json_object_get(doc, "format")));
    json_object_foreach(regions, region, groups) {
        json_object_foreach(groups, gname, group) {
            printf("\nregion %s, group %s, CPUs:", region, gname);
            size_t i;
            json_t *cpu;
            json_array_foreach(json_object_get(group, "cpus"), i, cpu)
                printf("%s%s", i ? ", " : " ", json_string_value(cpu));
            printf("\n");
            json_object_foreach(json_object_get(group, "metrics"), metric, m) {
                json_t *stat = json_object_get(m, "stat");
                json_t *shown = stat ? json_object_get(stat, "sum") : json_object_iter_value(json_object_iter(json_object_get(m, "values")));
                printf("  %-40s %s%g\n", metric, stat ? "sum " : "", json_is_number(shown) ? json_number_value(shown) : NAN);
            }
        }
    }
}

int ceil_cmd_parse_likwid(int argc, char **argv)
{
    int json, rc;
    const char *path;
    if ((rc = ceil_parse_json_operand("parse-likwid", usage, "one FILE", argc, argv, &json, &path)) != 0)
        return rc < 0 ? CEIL_EXIT_OK : rc;
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!in)
        return ceil_usage_error("parse-likwid", "FILE: cannot open %s: %s", path, strerror(errno));
    char err[CEIL_ERRLEN];
    json_t *doc = ceil_likwid_parse(in, path, err);
    if (in != stdin)
        fclose(in);
    if (!doc)
        return ceil_fail("parse-likwid", "%s", err);
    if (json) {
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
        fputc('\n', stdout);
    } else {
        print_summary(doc);
    }
    json_decref(doc);
    return CEIL_EXIT_OK;
}
