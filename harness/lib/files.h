/* Result files appear whole or not at all: written to PATH.part, then renamed over PATH. */
#ifndef CEIL_FILES_H
#define CEIL_FILES_H

#include <jansson.h>
#include <stddef.h>

/* "PATH.part" into out; returns out. */
char *ceil_part_path(const char *path, char *out, size_t len);

/* Ends a whole-or-nothing write of PATH: when ok, renames PATH.part over PATH; otherwise (or
 * when the rename fails) removes PATH.part. Returns 0 if PATH now holds the new file, else -1. */
int ceil_part_commit(const char *path, int ok);

/* Writes doc (json_dumps flags) to path, whole or not at all. Returns 0 or -1. */
int ceil_write_json(const char *path, const json_t *doc, size_t flags);

#endif
