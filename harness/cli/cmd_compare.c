/* ceilings compare: two results folders through Google Benchmark's compare tool (reports/compare.py). */
#include "build_info.h"
#include "cli.h"
#include "commands.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: ceilings compare OLD NEW\n"
    "Compares two results folders with Google Benchmark's compare.py (its U-test on the\n"
    "repetitions): points matched by name where both measured the same N, and across machines\n"
    "by kernel, variant, mode, target level (L2, L3, DRAM) and workers. Times are per element-tick,\n"
    "so a ratio means the same work on both sides. Prints compare.py's report, and writes\n"
    "NEW/compare.md (the ratio per point with its p-value, verdicts that changed) and\n"
    "NEW/compare.png (old against new, log-log, a panel a kernel). `ninja -C build compare`\n"
    "compares the newest two folders.\n"
    "\n"
    "  -h, --help  this text\n"
    "Exit status: 0 ok; 1 the comparison failed; 2 bad usage, a folder without bench.json, or\n"
    "two folders with nothing in common.\n";

int ceil_cmd_compare(int argc, char **argv)
{
    const struct ceil_option options[] = { { NULL, 0, 0, NULL, 0, 0, NULL } };
    const struct ceil_command_line cl = { "compare", usage, NULL, NULL, options, 2, "OLD and NEW" };
    int first, rc = ceil_parse_command_line(&cl, argc, argv, &first);
    if (rc != 0)
        return rc < 0 ? CEIL_EXIT_OK : rc;
    for (int i = first; i < first + 2; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/bench.json", argv[i]);
        if (access(path, R_OK) != 0)
            return ceil_usage_error("compare", "%s: %s has no bench.json (a results folder of ninja bench)",
                                    i == first ? "OLD" : "NEW", argv[i]);
    }
    if (!CEIL_REPORT_PYTHON[0])
        return ceil_fail("compare", "no Python that imports matplotlib was found at configure time "
                                    "(apt-get install python3-matplotlib python3-scipy)");
    if (!CEIL_GBENCH_DIR[0])
        return ceil_fail("compare", "Google Benchmark's compare.py was not found at configure time "
                                    "(apt-get install libbenchmark-tools, then meson setup --reconfigure)");
    fflush(NULL);
    char *args[] = { CEIL_REPORT_PYTHON, CEIL_COMPARE_SCRIPT, argv[first], argv[first + 1], CEIL_GBENCH_DIR, NULL };
    execv(args[0], args);
    return ceil_fail("compare", "cannot run %s: %s", args[0], strerror(errno));
}
