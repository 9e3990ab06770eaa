/* The world, its systems, the rule and the sequential reference. */
#include "world.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *const ceil_column_names[CEIL_COLUMNS] = { "pos_x", "pos_y", "vel_x", "vel_y", "energy", "food" };

static void motion_tick(const struct ceil_world *w, size_t begin, size_t end)
{
    float *restrict x = w->col[CEIL_POS_X], *restrict y = w->col[CEIL_POS_Y], *restrict e = w->col[CEIL_ENERGY];
    const float *restrict vx = w->col[CEIL_VEL_X], *restrict vy = w->col[CEIL_VEL_Y];
    for (size_t i = begin; i < end; i++) {
        x[i] += vx[i] * 0.01f;
        y[i] += vy[i] * 0.01f;
        e[i] -= 0.001f * (fabsf(vx[i]) + fabsf(vy[i])); /* moving costs energy */
    }
}

static void food_spawn_tick(const struct ceil_world *w, size_t begin, size_t end)
{
    float *restrict food = w->col[CEIL_FOOD];
    for (size_t i = begin; i < end; i++)
        food[i] = fminf(food[i] + 0.05f, 20.0f);
}

static void eat_tick(const struct ceil_world *w, size_t begin, size_t end)
{
    float *restrict food = w->col[CEIL_FOOD], *restrict e = w->col[CEIL_ENERGY];
    for (size_t i = begin; i < end; i++) {
        float take = fminf(food[i], 0.03f);
        food[i] -= take;
        e[i] += take;
    }
}

const struct ceil_system ceil_systems[] = {
    { "motion", "pos += vel * dt; moving costs energy",
      CEIL_COL(CEIL_POS_X) | CEIL_COL(CEIL_POS_Y) | CEIL_COL(CEIL_VEL_X) | CEIL_COL(CEIL_VEL_Y) | CEIL_COL(CEIL_ENERGY),
      CEIL_COL(CEIL_POS_X) | CEIL_COL(CEIL_POS_Y) | CEIL_COL(CEIL_ENERGY), motion_tick },
    { "food_spawn", "food grows back, up to 20", CEIL_COL(CEIL_FOOD), CEIL_COL(CEIL_FOOD), food_spawn_tick },
    { "eat", "eating moves food into energy", CEIL_COL(CEIL_FOOD) | CEIL_COL(CEIL_ENERGY),
      CEIL_COL(CEIL_FOOD) | CEIL_COL(CEIL_ENERGY), eat_tick },
};
const unsigned ceil_system_count = sizeof ceil_systems / sizeof ceil_systems[0];

const struct ceil_system *ceil_system_find(const char *name)
{
    for (unsigned i = 0; i < ceil_system_count; i++)
        if (strcmp(ceil_systems[i].name, name) == 0)
            return &ceil_systems[i];
    return NULL;
}

static int first_column(unsigned mask)
{
    for (int c = 0; c < CEIL_COLUMNS; c++)
        if (mask & CEIL_COL(c))
            return c;
    return -1;
}

int ceil_systems_conflict(const struct ceil_system *a, const struct ceil_system *b, char err[CEIL_ERRLEN])
{
    int both = first_column(a->writes & b->writes);
    if (both >= 0) {
        snprintf(err, CEIL_ERRLEN, "%s and %s both write '%s': they cannot run at the same time without a lock",
                 a->name, b->name, ceil_column_names[both]);
        return -1;
    }
    for (int turn = 0; turn < 2; turn++) {
        const struct ceil_system *w = turn ? b : a, *r = turn ? a : b;
        int c = first_column(w->writes & r->reads);
        if (c >= 0) {
            snprintf(err, CEIL_ERRLEN,
                     "%s writes '%s', which %s reads: run together, %s's result would depend on when it reads",
                     w->name, ceil_column_names[c], r->name, r->name);
            return -1;
        }
    }
    return 0;
}

int ceil_systems_check(const struct ceil_system *const *s, unsigned count, char err[CEIL_ERRLEN])
{
    for (unsigned i = 0; i < count; i++)
        for (unsigned j = i + 1; j < count; j++) {
            if (s[i] == s[j]) {
                snprintf(err, CEIL_ERRLEN, "%s is named twice: it would write its own columns twice at once",
                         s[i]->name);
                return -1;
            }
            if (ceil_systems_conflict(s[i], s[j], err) != 0)
                return -1;
        }
    return 0;
}

void ceil_systems_run_sequential(const struct ceil_world *w, const struct ceil_system *const *s, unsigned count,
                                 unsigned long ticks)
{
    for (unsigned long t = 0; t < ticks; t++)
        for (unsigned i = 0; i < count; i++)
            s[i]->tick(w, 0, w->n);
}

int ceil_world_map(struct ceil_world *w, size_t n, char err[CEIL_ERRLEN])
{
    memset(w, 0, sizeof *w);
    long page = sysconf(_SC_PAGESIZE);
    size_t p = page > 0 ? (size_t)page : 4096;
    if (n > (SIZE_MAX / CEIL_COLUMNS - p) / sizeof(float)) {
        snprintf(err, CEIL_ERRLEN, "%zu entities overflow the address space", n);
        return -EOVERFLOW;
    }
    size_t stride = ((n ? n : 1) * sizeof(float) + p - 1) / p * p;
    void *base = mmap(NULL, stride * CEIL_COLUMNS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        int e = errno;
        snprintf(err, CEIL_ERRLEN, "cannot map a world of %zu entities: %s", n, strerror(e));
        return -e;
    }
    for (int c = 0; c < CEIL_COLUMNS; c++)
        w->col[c] = (float *)((char *)base + (size_t)c * stride);
    w->n = n;
    w->base = base;
    w->bytes = stride * CEIL_COLUMNS;
    return 0;
}

void ceil_world_unmap(struct ceil_world *w)
{
    if (w->base)
        munmap(w->base, w->bytes);
    memset(w, 0, sizeof *w);
}

void ceil_world_init(struct ceil_world *w)
{
    for (size_t i = 0; i < w->n; i++) {
        uint32_t h = (uint32_t)i * 2654435761u;
        w->col[CEIL_POS_X][i] = (float)(i % 100);
        w->col[CEIL_POS_Y][i] = (float)(i / 100 % 100);
        w->col[CEIL_VEL_X][i] = (float)((h >> 8) % 21) - 10.0f;
        w->col[CEIL_VEL_Y][i] = (float)((h >> 16) % 21) - 10.0f;
        w->col[CEIL_ENERGY][i] = 5.0f + (float)((h >> 24) % 10);
        w->col[CEIL_FOOD][i] = (float)(i % 7);
    }
}

int ceil_world_equal(const struct ceil_world *got, const struct ceil_world *want, char why[CEIL_ERRLEN])
{
    for (int c = 0; c < CEIL_COLUMNS; c++) {
        if (memcmp(got->col[c], want->col[c], got->n * sizeof(float)) == 0)
            continue;
        size_t i = 0;
        while (memcmp(&got->col[c][i], &want->col[c][i], sizeof(float)) == 0)
            i++;
        snprintf(why, CEIL_ERRLEN, "%s[%zu] = %.9g but one after the other gives %.9g", ceil_column_names[c], i,
                 (double)got->col[c][i], (double)want->col[c][i]);
        return 0;
    }
    return 1;
}
