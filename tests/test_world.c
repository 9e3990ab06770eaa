/* The write-set rule and the systems that obey it: overlapping write-sets (or a write another
 * system reads) are refused, naming the column; disjoint systems run together, as threads and
 * as processes, give exactly what running them one after the other gives. */
#include "expect.h"
#include "pair.h"
#include "world.h"

#include <string.h>

static const struct ceil_system *sys(const char *name) { return ceil_system_find(name); }

static void expect_conflict(const char *a, const char *b, const char *column)
{
    char err[CEIL_ERRLEN] = "";
    int rc = ceil_systems_conflict(sys(a), sys(b), err);
    if (column)
        EXPECT(rc != 0 && strstr(err, column), "%s with %s: should be refused over '%s', got '%s'", a, b, column, err);
    else
        EXPECT(rc == 0, "%s with %s: refused: %s", a, b, err);
}

int main(void)
{
    expect_conflict("motion", "food_spawn", NULL);
    expect_conflict("food_spawn", "motion", NULL);
    expect_conflict("motion", "eat", "'energy'");
    expect_conflict("food_spawn", "eat", "'food'");
    expect_conflict("eat", "motion", "'energy'");
    /* every declared write is also declared as read: a += b reads what it writes */
    for (unsigned i = 0; i < ceil_system_count; i++)
        EXPECT((ceil_systems[i].writes & ~ceil_systems[i].reads) == 0, "%s writes what it does not read",
               ceil_systems[i].name);

    char err[CEIL_ERRLEN];
    const struct ceil_system *twice[2] = { sys("motion"), sys("motion") };
    EXPECT(ceil_systems_check(twice, 2, err) != 0 && strstr(err, "twice"), "a system named twice: %s", err);
    const struct ceil_system *three[3] = { sys("motion"), sys("food_spawn"), sys("eat") };
    EXPECT(ceil_systems_check(three, 3, err) != 0, "three systems with eat should be refused");

    const struct ceil_system *pair[2] = { sys("motion"), sys("food_spawn") };
    static const size_t sizes[] = { 1, 17, 4096, 100003 };
    for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct ceil_world together, apart;
        EXPECT(ceil_world_map(&together, sizes[s], err) == 0 && ceil_world_map(&apart, sizes[s], err) == 0, "%s", err);
        for (int procs = 0; procs < 2; procs++) {
            ceil_world_init(&together);
            ceil_world_init(&apart);
            int rc = procs ? ceil_systems_run_processes(&together, pair, 2, 50, err)
                           : ceil_systems_run_threads(&together, pair, 2, 50, err);
            ceil_systems_run_sequential(&apart, pair, 2, 50);
            char why[CEIL_ERRLEN] = "";
            EXPECT(rc == 0, "n=%zu %s: %s", sizes[s], procs ? "processes" : "threads", err);
            EXPECT(ceil_world_equal(&together, &apart, why), "n=%zu %s: %s", sizes[s], procs ? "processes" : "threads",
                   why);
        }
        /* the comparison can fail: a world one tick apart differs */
        ceil_systems_run_sequential(&apart, pair, 2, 1);
        char why[CEIL_ERRLEN];
        EXPECT(!ceil_world_equal(&together, &apart, why), "n=%zu: worlds a tick apart compare equal", sizes[s]);
        ceil_world_unmap(&together);
        ceil_world_unmap(&apart);
    }
    return EXPECT_DONE();
}
