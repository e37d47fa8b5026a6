/* sidecar.c: the JSON sidecar of a CSV that is not a sweep's (a plan's ops, fits, a
 * calibration, a benchmark), so that every CSV membptt writes has one and no CSV carries
 * comment lines (docs/design.md, "Records"). */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/json.h"
#include "measure/measure.h"
#include "sweep/sweep.h"

int mb_sidecar_path(const char *csv, char *out, size_t cap)
{
    size_t n = strlen(csv);
    if (n > 4 && strcmp(csv + n - 4, ".csv") == 0)
        n -= 4;
    if ((size_t)snprintf(out, cap, "%.*s.json", (int)n, csv) >= cap)
        return MB_ERROR(MB_EINVAL, "path too long: %s", csv);
    return MB_OK;
}

int mb_sidecar_write(const char *csv, const char *what, const mb_meta_config *config,
                     size_t n_config)
{
    char path[4200];
    int rc = mb_sidecar_path(csv, path, sizeof path);
    if (rc != MB_OK)
        return rc;
    mb_atomic_file af;
    if ((rc = mb_atomic_open(&af, path)) != MB_OK)
        return rc;
    const char *base = strrchr(csv, '/');
    fputs("{\"format\": \"membptt-csv-metadata\", \"version\": 1, \"csv\": ", af.f);
    mb_json_write_string(af.f, base ? base + 1 : csv);
    fputs(", \"what\": ", af.f);
    mb_json_write_string(af.f, what);
    fputs(", \"columns\": \"docs/columns.md\",\n \"run\": ", af.f);
    mb_meta meta;
    if ((rc = mb_meta_init(&meta, -1)) == MB_OK)
        rc = mb_meta_write_json(af.f, &meta, NULL, config, n_config);
    mb_meta_fini(&meta);
    fputs("}\n", af.f);
    if (rc != MB_OK) {
        mb_atomic_abort(&af);
        return rc;
    }
    return mb_atomic_commit(&af);
}
