/* Launching a point of a launched variant as a job of its own (under mpirun, or ceilings run
 * handing it to Python) and reading back the JSON it prints. */
#include "launch.h"

#include "build_info.h"
#include "capture.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ceil_mpi_launcher_found(void) { return ceil_in_path("mpirun"); }

int ceil_launcher_found(const struct ceil_variant *v)
{
    switch (v->launcher) {
    case CEIL_MPIRUN: return ceil_mpi_launcher_found();
    case CEIL_PYTHON: return CEIL_REPORT_PYTHON[0] != '\0' && access(CEIL_REPORT_PYTHON, X_OK) == 0;
    case CEIL_IN_PROCESS: break;
    }
    return 1;
}

const char *ceil_launcher_missing(const struct ceil_variant *v)
{
    return v->launcher == CEIL_MPIRUN ? "mpirun not found"
                                      : "no Python that imports numpy and matplotlib was found at configure time";
}

void ceil_mpi_launcher_version(char *buf, size_t len)
{
    char *argv[] = { "mpirun", "--version", NULL }, *out = NULL;
    int status = 0;
    if (!ceil_mpi_launcher_found())
        snprintf(buf, len, "mpirun not found");
    else if (ceil_spawn_capture(argv, 10, &out, &status) != 0 || status != 0 || !out || !*out)
        snprintf(buf, len, "mpirun --version failed (exit %d)", status);
    else
        snprintf(buf, len, "%.*s", (int)strcspn(out, "\n"), out);
    free(out);
}

int ceil_launch(const struct ceil_variant *v, unsigned workers, char *const args[], double timeout_s, json_t **result,
                int *status, char err[CEIL_ERRLEN])
{
    /* The job runs the ceilings CLI, which sits beside ceilings-bench in the build and install
     * trees. */
    char exe[PATH_MAX], np[16];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 16);
    exe[len > 0 ? len : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) {
        snprintf(err, CEIL_ERRLEN, "%s: cannot find this program's own path", v->name);
        return -ENOENT;
    }
    strcpy(slash + 1, "ceilings");
    snprintf(np, sizeof np, "%u", workers);
    char *argv[64];
    int a = 0;
    if (v->launcher == CEIL_MPIRUN) {
        argv[a++] = "mpirun";
        if (getuid() == 0)
            argv[a++] = "--allow-run-as-root";
        argv[a++] = "--oversubscribe"; /* more ranks than cores is a case to test, not an error */
        argv[a++] = "--bind-to";       /* each rank pins itself to the CPU the plan gives it */
        argv[a++] = "none";
        argv[a++] = "-np";
        argv[a++] = np;
    }
    argv[a++] = exe;
    argv[a++] = "run";
    for (int i = 0; args[i] && a < 61; i++)
        argv[a++] = args[i];
    argv[a++] = "--json";
    argv[a] = NULL;
#if defined(__SANITIZE_ADDRESS__)
    /* Open MPI 4.1's MPI_Init and MPI_Finalize leave allocations LeakSanitizer reports, many in
     * plugins already unloaded when it reports, so no suppression can name them: MPI jobs of a
     * sanitized build run without leak detection (AddressSanitizer itself stays on). */
    const char *asan = getenv("ASAN_OPTIONS");
    if (!asan || !strstr(asan, "detect_leaks=0")) { /* the last setting wins */
        char options[1024];
        snprintf(options, sizeof options, "%s%sdetect_leaks=0", asan ? asan : "", asan && *asan ? ":" : "");
        setenv("ASAN_OPTIONS", options, 1);
    }
#endif
    char *out = NULL;
    *result = NULL;
    int rc = ceil_spawn_capture(argv, timeout_s, &out, status);
    const char *open = out ? strchr(out, '{') : NULL, *close = out ? strrchr(out, '}') : NULL;
    if (open && close > open) {
        json_error_t e;
        *result = json_loadb(open, (size_t)(close - open + 1), 0, &e);
    }
    if (!*result) {
        char reason[CEIL_ERRLEN];
        ceil_capture_reason(out ? out : "", reason, sizeof reason); /* the lines that say what went wrong */
        const char *last = out && *out ? out + strlen(out) - 1 : NULL;
        while (last && last > out && last[-1] != '\n')
            last--;
        snprintf(err, CEIL_ERRLEN, "%s%s job of %u: %s (exit %d): %.150s", v->launcher == CEIL_MPIRUN ? "mpirun " : "",
                 v->name, workers,
                 rc == -ETIMEDOUT ? "timed out" : "no result", *status,
                 strcmp(reason, "no reason printed") ? reason : (last ? last : ""));
        free(out);
        return rc ? rc : -EIO;
    }
    free(out);
    return 0;
}
