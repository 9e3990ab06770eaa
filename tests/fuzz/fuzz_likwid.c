/* Fuzz target: ceilings parse-likwid's parser on any bytes. It must return a document or an
 * error, never crash, hang or leak. */
#include "likwid_parse.h"

#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *in = fmemopen((void *)data, size, "r");
    if (!in)
        return 0;
    char err[CEIL_ERRLEN];
    json_t *doc = ceil_likwid_parse(in, "fuzz", err);
    json_decref(doc);
    fclose(in);
    return 0;
}
