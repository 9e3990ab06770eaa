/* Whole-or-nothing result files. */
#include "files.h"

#include <limits.h>
#include <stdio.h>

char *ceil_part_path(const char *path, char *out, size_t len)
{
    snprintf(out, len, "%s.part", path);
    return out;
}

int ceil_part_commit(const char *path, int ok)
{
    char part[PATH_MAX + 8];
    ceil_part_path(path, part, sizeof part);
    if (ok && rename(part, path) == 0)
        return 0;
    remove(part);
    return -1;
}

int ceil_write_json(const char *path, const json_t *doc, size_t flags)
{
    char part[PATH_MAX + 8];
    int ok = json_dump_file(doc, ceil_part_path(path, part, sizeof part), flags) == 0;
    return ceil_part_commit(path, ok);
}
