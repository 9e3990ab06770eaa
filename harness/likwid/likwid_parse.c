/* likwid-perfctr output to JSON: both formats become tables, and one handler reads the tables. */
#include "likwid_parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_CELLS = 512 };

/* One table row: its cells (trimmed, owned by the line buffer) and where it came from. */
struct row {
    char *cell[MAX_CELLS];
    int cells;
    long line;
};

struct parser {
    const char *name;
    char *err;
    json_t *root, *regions, *cpu;
    json_t *group; /* the current region's current group */
    long group_line;
};

static int fail(struct parser *p, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct parser *p, long line, const char *fmt, ...)
{
    char what[CEIL_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(p->err, CEIL_ERRLEN, "%.80s:%ld: %.160s", p->name, line, what);
    return -EINVAL;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

/* A value as likwid prints it: a number, or nan/inf/- (null, which is not zero). */
static int number(struct parser *p, long line, const char *text, json_t **out)
{
    if (strcmp(text, "-") == 0 || strcasecmp(text, "nan") == 0 || strcasecmp(text, "-nan") == 0 ||
        strcasecmp(text, "inf") == 0 || strcasecmp(text, "-inf") == 0) {
        *out = json_null();
        return 0;
    }
    char *end;
    errno = 0;
    double v = *text ? strtod(text, &end) : 0;
    if (!*text || *end != '\0' || errno == ERANGE || !isfinite(v))
        return fail(p, line, "'%s' is not a number", text);
    *out = json_real(v);
    return 0;
}

static int start_group(struct parser *p, long line, const char *region, long index, const char *group)
{
    json_t *r = json_object_get(p->regions, region);
    if (!r) {
        r = json_object();
        json_object_set_new(p->regions, region, r);
    }
    if (json_object_get(r, group))
        return fail(p, line, "region '%s' has group '%s' twice", region, group);
    p->group = json_pack("{s:I, s:[], s:{}, s:[], s:{}}", "group_index", (json_int_t)index, "cpus", "info",
                         "events", "metrics");
    json_object_set_new(r, group, p->group);
    p->group_line = line;
    return 0;
}

/* The CPU columns of a per-CPU table; every table of a group must name the same CPUs. */
static int take_cpus(struct parser *p, const struct row *h, int first)
{
    json_t *cpus = json_object_get(p->group, "cpus");
    if (json_array_size(cpus) == 0) {
        for (int i = first; i < h->cells; i++)
            json_array_append_new(cpus, json_string(h->cell[i]));
        return 0;
    }
    if ((int)json_array_size(cpus) != h->cells - first)
        return fail(p, h->line, "%d CPU columns, the group's first table had %zu", h->cells - first,
                    json_array_size(cpus));
    for (int i = first; i < h->cells; i++)
        if (strcmp(json_string_value(json_array_get(cpus, (size_t)(i - first))), h->cell[i]) != 0)
            return fail(p, h->line, "column '%s' is not a CPU of the group's first table", h->cell[i]);
    return 0;
}

/* {CPU: value} from cells [first, cells). */
static int values(struct parser *p, const struct row *h, const struct row *r, int first, json_t **out)
{
    *out = json_object();
    for (int i = first; i < r->cells; i++) {
        json_t *v = NULL;
        if (number(p, r->line, r->cell[i], &v) != 0)
            return -EINVAL;
        json_object_set_new(*out, h->cell[i], v);
    }
    return 0;
}

/* "NAME STAT" -> NAME, or an error. */
static int stat_name(struct parser *p, const struct row *r, char *out, size_t len)
{
    size_t n = strlen(r->cell[0]);
    if (n < 5 || strcmp(r->cell[0] + n - 5, " STAT") != 0)
        return fail(p, r->line, "'%s' in a STAT table does not end in ' STAT'", r->cell[0]);
    snprintf(out, len, "%.*s", (int)(n - 5), r->cell[0]);
    return 0;
}

static int stat_of(struct parser *p, const struct row *r, int first, json_t **out)
{
    static const char *keys[] = { "sum", "min", "max", "avg" };
    *out = json_object();
    for (int i = 0; i < 4; i++) {
        json_t *v;
        if (number(p, r->line, r->cell[first + i], &v) != 0)
            return -EINVAL;
        json_object_set_new(*out, keys[i], v);
    }
    return 0;
}

static int is_stat_header(const struct row *h, int first)
{
    return h->cells == first + 4 && strcmp(h->cell[first], "Sum") == 0 && strcmp(h->cell[first + 1], "Min") == 0 &&
           strcmp(h->cell[first + 2], "Max") == 0 && strcmp(h->cell[first + 3], "Avg") == 0;
}

/* One table: header h and its rows. Returns the number of rows taken, or -EINVAL. */
static int take_table(struct parser *p, const struct row *h, const struct row *rows, int n)
{
    if (!p->group)
        return fail(p, h->line, "a table before any 'Group' line");
    if (h->cells < 1)
        return fail(p, h->line, "a table header with no cells");
    for (int i = 0; i < n; i++)
        if (rows[i].cells != h->cells)
            return fail(p, rows[i].line, "%d cells, the table's header has %d", rows[i].cells, h->cells);
    json_t *v = NULL, *stat = NULL;
    char name[512];
    if (strcmp(h->cell[0], "Region Info") == 0) {
        if (take_cpus(p, h, 1) != 0)
            return -EINVAL;
        for (int i = 0; i < n; i++) {
            if (values(p, h, &rows[i], 1, &v) != 0)
                return json_decref(v), -EINVAL;
            json_object_set_new(json_object_get(p->group, "info"), rows[i].cell[0], v);
        }
    } else if (strcmp(h->cell[0], "Event") == 0 && h->cells >= 3 && strcmp(h->cell[1], "Counter") == 0) {
        json_t *events = json_object_get(p->group, "events");
        if (is_stat_header(h, 2)) {
            for (int i = 0; i < n; i++) {
                if (stat_name(p, &rows[i], name, sizeof name) != 0)
                    return -EINVAL;
                json_t *match = NULL, *e;
                size_t k;
                json_array_foreach(events, k, e)
                    if (!match && !json_object_get(e, "stat") &&
                        strcmp(json_string_value(json_object_get(e, "event")), name) == 0 &&
                        strcmp(json_string_value(json_object_get(e, "counter")), rows[i].cell[1]) == 0)
                        match = e;
                if (!match)
                    return fail(p, rows[i].line, "STAT row for %s on %s has no per-CPU row", name, rows[i].cell[1]);
                if (stat_of(p, &rows[i], 2, &stat) != 0)
                    return json_decref(stat), -EINVAL;
                json_object_set_new(match, "stat", stat);
            }
        } else {
            if (take_cpus(p, h, 2) != 0)
                return -EINVAL;
            for (int i = 0; i < n; i++) {
                if (values(p, h, &rows[i], 2, &v) != 0)
                    return json_decref(v), -EINVAL;
                json_array_append_new(events, json_pack("{s:s, s:s, s:o}", "event", rows[i].cell[0], "counter",
                                                        rows[i].cell[1], "values", v));
            }
        }
    } else if (strcmp(h->cell[0], "Metric") == 0 && h->cells >= 2) {
        json_t *metrics = json_object_get(p->group, "metrics");
        if (is_stat_header(h, 1)) {
            for (int i = 0; i < n; i++) {
                if (stat_name(p, &rows[i], name, sizeof name) != 0)
                    return -EINVAL;
                json_t *m = json_object_get(metrics, name);
                if (!m)
                    return fail(p, rows[i].line, "STAT row for metric '%s' has no per-CPU row", name);
                if (stat_of(p, &rows[i], 1, &stat) != 0)
                    return json_decref(stat), -EINVAL;
                json_object_set_new(m, "stat", stat);
            }
        } else {
            if (take_cpus(p, h, 1) != 0)
                return -EINVAL;
            for (int i = 0; i < n; i++) {
                if (json_object_get(metrics, rows[i].cell[0]))
                    return fail(p, rows[i].line, "metric '%s' appears twice", rows[i].cell[0]);
                if (values(p, h, &rows[i], 1, &v) != 0)
                    return json_decref(v), -EINVAL;
                json_object_set_new(metrics, rows[i].cell[0], json_pack("{s:o}", "values", v));
            }
        }
    } else {
        return fail(p, h->line, "unknown table '%s'", h->cell[0]);
    }
    return n;
}

/* "Region NAME, Group N: GROUP" or "Group N: GROUP" (text), or the CSV TABLE fields. */
static int group_header(struct parser *p, long line, char *text)
{
    char *region = CEIL_LIKWID_WHOLE_RUN, *rest = text;
    if (strncmp(text, "Region ", 7) == 0) {
        char *sep = strstr(text, ", Group ");
        if (!sep)
            return fail(p, line, "'Region' line without ', Group N: NAME'");
        *sep = '\0';
        region = text + 7;
        rest = sep + 2;
    }
    char *end;
    long index = strtol(rest + 6, &end, 10);
    if (strncmp(rest, "Group ", 6) != 0 || end == rest + 6 || strncmp(end, ": ", 2) != 0 || !end[2])
        return fail(p, line, "expected 'Group N: NAME'");
    return start_group(p, line, region, index, trim(end + 2));
}

static void cpu_line(struct parser *p, const char *key, char *value)
{
    json_object_set_new(p->cpu, key, json_string(trim(value)));
}

/* Splits a "| a | b |" row. */
static int split_bars(char *line, struct row *r, long number)
{
    r->cells = 0;
    r->line = number;
    for (char *s = line, *bar; (bar = strchr(s + 1, '|')) != NULL; s = bar) {
        *bar = '\0';
        if (r->cells == MAX_CELLS)
            return -1;
        r->cell[r->cells++] = trim(s + 1);
    }
    return 0;
}

static int split_commas(char *line, struct row *r, long number)
{
    r->cells = 0;
    r->line = number;
    for (char *s = line;;) {
        char *comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        if (r->cells == MAX_CELLS)
            return -1;
        r->cell[r->cells++] = trim(s);
        if (!comma)
            break;
        s = comma + 1;
    }
    while (r->cells > 0 && r->cell[r->cells - 1][0] == '\0') /* likwid pads rows with commas */
        r->cells--;
    return 0;
}

struct lines {
    char **text;
    long count;
};

static int parse_text(struct parser *p, struct lines *L)
{
    struct row *rows = calloc((size_t)L->count + 1, sizeof *rows), header;
    int in_table = 0, have_header = 0, after_header = 0, n = 0, rc = 0;
    for (long i = 0; rc >= 0 && i < L->count; i++) {
        char *line = L->text[i];
        long at = i + 1;
        if (line[0] == '+') {
            if (!in_table) {
                in_table = 1, have_header = 0, after_header = 0, n = 0;
            } else if (have_header && !after_header && n == 0) {
                after_header = 1;
            } else if (!have_header) {
                rc = fail(p, at, "a table with no header row");
            } else {
                rc = take_table(p, &header, rows, n);
                in_table = 0;
            }
        } else if (line[0] == '|') {
            if (!in_table)
                rc = fail(p, at, "a table row outside a table");
            else if (split_bars(line, have_header ? &rows[n] : &header, at) != 0)
                rc = fail(p, at, "more than %d cells", MAX_CELLS);
            else if (!have_header)
                have_header = 1;
            else if (!after_header)
                rc = fail(p, at, "no border under the table's header");
            else
                n++;
        } else if (in_table) {
            rc = fail(p, at, "expected a table row or border");
        } else if (strncmp(line, "CPU name:", 9) == 0) {
            cpu_line(p, "name", line + 9);
        } else if (strncmp(line, "CPU type:", 9) == 0) {
            cpu_line(p, "type", line + 9);
        } else if (strncmp(line, "CPU clock:", 10) == 0) {
            cpu_line(p, "clock", line + 10);
        } else if (strncmp(line, "Region ", 7) == 0 || strncmp(line, "Group ", 6) == 0) {
            rc = group_header(p, at, line);
        } /* anything else outside a table (separators, the program's own output) is not ours */
    }
    if (rc >= 0 && in_table)
        rc = fail(p, L->count, "the last table is not closed");
    free(rows);
    return rc < 0 ? rc : 0;
}

/* The CSV of -O as the terminal gets it: likwid's banner and the program's own lines, before and
 * between STRUCT,Info blocks and TABLE blocks, each TABLE holding one or two tables (the Region
 * Info rows come first in a marker-mode Raw block) of exactly the rows its TABLE line announces. */
static int parse_csv(struct parser *p, struct lines *L)
{
    struct row *rows = calloc((size_t)L->count + 1, sizeof *rows), header;
    int n = 0, have_header = 0, in_block = 0, rc = 0, info_left = 0;
    long expected = -1, taken = 0, block_line = 0;
    for (long i = 0; rc >= 0 && i <= L->count; i++) {
        struct row r = { .cells = 0 };
        char *line = i < L->count ? L->text[i] : NULL;
        long at = i + 1;
        if (line && split_commas(line, &r, at) != 0) {
            if (!in_block)
                continue; /* not likwid's: a long line the program printed */
            rc = fail(p, at, "more than %d cells", MAX_CELLS);
            break;
        }
        int new_block = !line || (r.cells > 0 && (strcmp(r.cell[0], "TABLE") == 0 || strcmp(r.cell[0], "STRUCT") == 0));
        int new_table = line && r.cells > 0 && in_block &&
                        (strcmp(r.cell[0], "Region Info") == 0 || strcmp(r.cell[0], "Event") == 0 ||
                         strcmp(r.cell[0], "Metric") == 0);
        /* a block ends with the rows its TABLE line announced: a line after them that is not a
         * row of the table's shape, until the next TABLE or STRUCT line, is not likwid's (the
         * program's own output); one of its shape is an extra row, and an error */
        int counted = taken + (have_header && strcmp(header.cell[0], "Region Info") != 0 ? n : 0);
        int foreign = line && in_block && !new_block && !new_table && expected >= 0 && counted >= expected &&
                      (!have_header || r.cells != header.cells);
        if ((new_block || new_table || foreign) && have_header) {
            rc = take_table(p, &header, rows, n);
            if (rc < 0)
                break;
            if (strcmp(header.cell[0], "Region Info") != 0)
                taken += n;
            have_header = 0, n = 0;
        }
        if (new_block && in_block && expected >= 0 && taken != expected) {
            rc = fail(p, block_line, "the TABLE line announces %ld rows, %ld follow", expected, taken);
            break;
        }
        if (!line)
            break;
        if (foreign)
            in_block = 0;
        if (r.cells == 0 || (!in_block && info_left == 0 && strcmp(r.cell[0], "TABLE") != 0 &&
                             strcmp(r.cell[0], "STRUCT") != 0))
            continue; /* likwid's banner, or the program's lines before and between the blocks */
        if (info_left > 0) {
            info_left--;
            if (r.cells >= 2 && strcmp(r.cell[0], "CPU name:") == 0)
                cpu_line(p, "name", r.cell[1]);
            else if (r.cells >= 2 && strcmp(r.cell[0], "CPU type:") == 0)
                cpu_line(p, "type", r.cell[1]);
            else if (r.cells >= 2 && strcmp(r.cell[0], "CPU clock:") == 0)
                cpu_line(p, "clock", r.cell[1]);
            else
                rc = fail(p, at, "expected CPU name, type or clock in the Info block");
            continue;
        }
        if (strcmp(r.cell[0], "STRUCT") == 0) {
            in_block = 0;
            char *end;
            info_left = r.cells >= 3 && strcmp(r.cell[1], "Info") == 0 ? (int)strtol(r.cell[2], &end, 10) : -1;
            if (info_left < 0)
                rc = fail(p, at, "unknown STRUCT line");
        } else if (strcmp(r.cell[0], "TABLE") == 0) {
            /* TABLE,Region R,Group G KIND,NAME,COUNT  or  TABLE,Group G KIND,NAME,COUNT */
            int off = r.cells >= 2 && strncmp(r.cell[1], "Region ", 7) == 0;
            if (r.cells != 4 + off)
                rc = fail(p, at, "a TABLE line has %d fields, expected %d", r.cells, 4 + off);
            else {
                char *end, *kind;
                long index = strtol(r.cell[1 + off] + 6, &kind, 10);
                expected = strtol(r.cell[3 + off], &end, 10);
                if (strncmp(r.cell[1 + off], "Group ", 6) != 0 || *end)
                    rc = fail(p, at, "expected 'Group N KIND' and a row count");
                else if (strcmp(kind, " Raw") == 0)
                    rc = start_group(p, at, off ? r.cell[1] + 7 : CEIL_LIKWID_WHOLE_RUN, index, r.cell[2 + off]);
                else if (strcmp(kind, " Raw STAT") != 0 && strcmp(kind, " Metric") != 0 &&
                         strcmp(kind, " Metric STAT") != 0)
                    rc = fail(p, at, "unknown table kind '%s'", trim(kind));
                else if (!p->group || json_object_get(json_object_get(p->regions, off ? r.cell[1] + 7
                                                                                        : CEIL_LIKWID_WHOLE_RUN),
                                                      r.cell[2 + off]) != p->group)
                    rc = fail(p, at, "a%s table of group %s before its Raw table", kind, r.cell[2 + off]);
                in_block = 1, taken = 0, block_line = at;
            }
        } else if (new_table) {
            header = r;
            have_header = 1;
        } else if (!have_header) {
            rc = fail(p, at, "a row before the table's header");
        } else {
            rows[n++] = r;
        }
    }
    free(rows);
    return rc < 0 ? rc : 0;
}

json_t *ceil_likwid_parse(FILE *in, const char *name, char err[CEIL_ERRLEN])
{
    struct parser p = { .name = name, .err = err };
    struct lines L = { 0 };
    size_t cap = 0;
    char *buf = NULL;
    size_t len = 0;
    ssize_t got;
    int csv = 0;
    while ((got = getline(&buf, &len, in)) >= 0) {
        if ((size_t)L.count == cap) {
            cap = cap ? 2 * cap : 256;
            char **grown = realloc(L.text, cap * sizeof *grown);
            if (!grown)
                break;
            L.text = grown;
        }
        buf[strcspn(buf, "\r\n")] = '\0';
        L.text[L.count++] = buf;
        csv |= strncmp(buf, "TABLE,", 6) == 0 || strncmp(buf, "STRUCT,", 7) == 0;
        buf = NULL;
        len = 0;
    }
    free(buf);
    p.root = json_pack("{s:s, s:{}, s:{}}", "format", csv ? "csv" : "text", "cpu", "regions");
    p.cpu = json_object_get(p.root, "cpu");
    p.regions = json_object_get(p.root, "regions");
    int rc = ferror(in) ? (snprintf(err, CEIL_ERRLEN, "%s: cannot read: %s", name, strerror(errno)), -EIO)
                        : csv ? parse_csv(&p, &L) : parse_text(&p, &L);
    if (rc == 0 && json_object_size(p.regions) == 0)
        rc = fail(&p, L.count ? L.count : 1, "no likwid-perfctr group or region found");
    for (long i = 0; i < L.count; i++)
        free(L.text[i]);
    free(L.text);
    if (rc != 0) {
        json_decref(p.root);
        return NULL;
    }
    return p.root;
}
