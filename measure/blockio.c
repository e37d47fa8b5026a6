/* blockio.c: the bytes this process made the kernel read from and write to block devices
 * (/proc/self/io's read_bytes and write_bytes; docs/design.md, "The slow store"). The slow
 * store's own counts say what it asked for; these say what reached a device, so a run can
 * show that its slow store was not the page cache. */
#include <stdio.h>
#include <string.h>

#include "measure/measure.h"

int mb_block_io(int64_t *read_bytes, int64_t *write_bytes)
{
    FILE *f = fopen("/proc/self/io", "r");
    *read_bytes = *write_bytes = -1;
    if (f == NULL)
        return -1; /* no task I/O accounting in this kernel, or no /proc */
    char line[128];
    long long v;
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "read_bytes: %lld", &v) == 1)
            *read_bytes = (int64_t)v;
        else if (sscanf(line, "write_bytes: %lld", &v) == 1)
            *write_bytes = (int64_t)v;
    }
    fclose(f);
    return *read_bytes >= 0 && *write_bytes >= 0 ? 0 : -1;
}
