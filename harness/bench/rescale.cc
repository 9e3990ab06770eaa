// The probe's scalings measured again as the sweep runs. A host's memory bandwidth and its second
// vCPU move from minute to minute: on the 2-vCPU EPYC VM the probe's paired daxpy scaling at the
// DRAM target read 1.51x, 2.24x and 1.85x before three sweeps whose teams scaled 1.2-1.7x there,
// and trig's teams ran 1.88x through a sweep whose probe saw peakflops scale 2.04x. So every few
// minutes of sweep, between two repetitions, `ceilings probe --rescale` measures them again (some
// seconds), and explain takes the samples nearest in time to each point.
#include "sweep.h"

extern "C" {
#include "capture.h"
#include "machine.h"
}

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits.h>
#include <string>
#include <unistd.h>

namespace bench {

void rescale_setup(Sweep &sw, double every, const char *self, const char *sweep, uint64_t max_bytes)
{
    sw.rescale_every = every;
    sw.rescale = json_array();
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    std::string dir = len > 0 ? std::string(exe, (size_t)len) : std::string(self);
    dir = dir.find('/') == std::string::npos ? "." : dir.substr(0, dir.rfind('/'));
    sw.rescale_argv = { dir + "/ceilings", "probe", "--rescale", "--json", "--sweep", sweep };
    if (max_bytes)
        sw.rescale_argv.insert(sw.rescale_argv.end(), { "--max-bytes", std::to_string(max_bytes) });
}

void rescale_if_due(Sweep &sw)
{
    double now = ceil_now();
    if (sw.rescale_every <= 0 || now - std::max(sw.start, sw.rescale_last) < sw.rescale_every || ceil_stop_signal())
        return;
    std::vector<char *> argv;
    for (std::string &a : sw.rescale_argv)
        argv.push_back(&a[0]);
    argv.push_back(nullptr);
    char *out = nullptr;
    int status = 0, rc = ceil_spawn_capture(argv.data(), 120, &out, &status);
    const char *start = out ? strchr(out, '{') : nullptr; /* the JSON, past any line before it */
    json_t *doc = rc == 0 && status == 0 && start ? json_loads(start, JSON_DISABLE_EOF_CHECK, nullptr) : nullptr;
    json_t *list = json_object_get(doc, "rescale"), *e;
    size_t i;
    if (!json_is_array(list)) {
        char reason[CEIL_ERRLEN];
        ceil_capture_reason(out ? out : "", reason, sizeof reason);
        fprintf(stderr, "ceilings-bench: %s probe --rescale failed (exit %d%s%s): the sweep goes on without it\n",
                sw.rescale_argv[0].c_str(), rc ? rc : status, *reason ? ": " : "", reason);
        sw.rescale_every = 0;
    } else
        json_array_foreach(list, i, e) {
            json_object_set_new(e, "at_s", json_real(now - sw.start + sw.at_offset));
            json_object_set_new(e, "seconds", json_real(ceil_now() - now));
            json_array_append(sw.rescale, e);
        }
    json_decref(doc);
    free(out);
    sw.rescale_last = ceil_now(); /* the next one rescale_every seconds of sweep after this one */
}

void rescale_finish(Sweep &sw)
{
    if (json_array_size(sw.rescale)) {
        char *text = json_dumps(sw.rescale, JSON_COMPACT);
        if (text)
            benchmark::AddCustomContext("rescale", text);
        free(text);
    }
    json_decref(sw.rescale);
    sw.rescale = nullptr;
}

} // namespace bench
