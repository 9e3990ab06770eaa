// The machine, the build and the tables, in the JSON's context: what a result needs to be read.
#include "sweep.h"

extern "C" {
#include "build_info.h"
#include "cpulist.h"
#include "likwid_tools.h"
#include "machine.h"
#include "launch.h"
}

namespace bench {

static void add(const char *key, const std::string &value) { benchmark::AddCustomContext(key, value); }

static void add_json(const char *key, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    add(key, text ? text : "[]");
    free(text);
    json_decref(doc);
}

// The kernel and variant tables, so that reports read each one's facts instead of restating them.
static void add_tables()
{
    json_t *kernels = json_array();
    for (unsigned k = 0; k < ceil_kernel_count; k++) {
        const ceil_kernel *kern = &ceil_kernels[k];
        json_array_append_new(kernels, json_pack("{s:s, s:s, s:s, s:f, s:f, s:f, s:b}", "name", kern->name, "formula",
                                                 kern->formula, "bound", kern->bound, "bytes_per_elem",
                                                 ceil_kernel_bytes(kern), "footprint_bytes_per_elem",
                                                 ceil_kernel_footprint(kern), "flops_per_elem", kern->flops_per_elem,
                                                 "baseline", kern->baseline));
    }
    add_json("kernels", kernels);
    json_t *tables = ceil_variants_json();
    add_json("variants", json_incref(json_object_get(tables, "variants")));
    add_json("barriers", json_incref(json_object_get(tables, "barriers")));
    json_decref(tables);
}

static void add_machine(const ceil_topo &t)
{
    char buf[64];
    add("cpu_model", t.cpu_model);
    add("packages", std::to_string(t.packages));
    add("physical_cores", std::to_string(t.cores));
    add("logical_cpus", std::to_string(t.pus));
    add("numa_nodes", std::to_string(t.numa_nodes));
    add("l2_bytes", std::to_string(t.l2_bytes));
    add("l2_count", std::to_string(t.l2_count));
    add("l3_bytes", std::to_string(t.l3_bytes));
    add("l3_count", std::to_string(t.l3_count));
    add("hypervisor", t.hypervisor[0] ? t.hypervisor : "none");
    add("memory_available_bytes", std::to_string(ceil_mem_available()));
    ceil_thp_setting("enabled", buf, sizeof buf);
    add("thp_enabled", buf);
    ceil_thp_setting("shmem_enabled", buf, sizeof buf);
    add("thp_shmem_enabled", buf);
    add("page_size", std::to_string(ceil_page_size()));
    add("memory_policy", "one MAP_SHARED|MAP_ANONYMOUS mapping for every variant, first touch by the owning worker");
}

void add_context(const Sweep &sw)
{
    char buf[64];
    add("ceilings_version", CEIL_VERSION);
    add_machine(sw.topo);
    add("compiler", ceil_build_compiler());
    add("build_flags", ceil_build_flags());
    add("hwloc_version", HWLOC_VERSION);
    add("benchmark_version", CEIL_BENCHMARK_VERSION);
    add("timer", "wall clock, manual: real_time is the time of one tick (a repetition's wall time over its "
                 "ticks; dispatch: of one tick of the per-tick run; startup: of one prepare); cpu_time is the "
                 "team's CPU time over the same (every thread and forked worker; launched jobs: the bench's own)");
    add("iteration", "one tick");
    ceil_likwid lw;
    ceil_likwid_detect(&lw);
    add("likwid_version", lw.version[0] ? lw.version : "not installed");
    add("counters", lw.counters ? std::string("available") : std::string("unavailable: ") + lw.reason);
    add("sweep", ceil_sweep_name(sw.plan.sweep));
    if (sw.max_bytes)
        add("max_bytes", std::to_string(sw.max_bytes));
#ifdef CEIL_HAVE_MPI
    ceil_mpi_launcher_version(buf, sizeof buf);
    add("mpi", buf);
#else
    (void)buf;
    add("mpi", "not built (configure with -Dmpi=enabled)");
#endif
    add_tables();
    std::string pins = "{";
    for (unsigned w = 0; w < sw.plan.n_workers; w++) {
        char cpus[512];
        ceil_format_cpulist(sw.plan.workers[w].cpus, sw.plan.workers[w].count, cpus, sizeof cpus);
        pins += (w ? ", \"" : "\"") + std::to_string(sw.plan.workers[w].count) + "\": [" + cpus + "]";
    }
    add("pin_map", pins + "}");
}

} // namespace bench
