/* fuzz_sweep.c: sweep configs and sweep CSVs under hostile input.
 *
 * Three checks, each of any bytes:
 *   - fuzz_ini(): an INI config is refused with MB_EINVAL/MB_ERANGE/MB_EPARSE and a clean
 *     message (printable, valid UTF-8), or read into a config whose points (when there are few
 *     enough to walk) can all be built or are refused the same way;
 *   - fuzz_resume(): a sweep CSV (or its sidecar) as a resume finds it: the run is refused
 *     with a clean message and leaves the file alone, or ends with every row there, each one
 *     proved (a second run computes nothing);
 *   - fuzz_merge(): a shard CSV (or its sidecar) as merge finds it: the merge is refused with
 *     a clean message and writes nothing, or writes every row.
 * A crash, a hang or a sanitizer report fails.
 *
 * Built two ways:
 *   - with -DMB_LIBFUZZER (CMake -DMB_FUZZ=ON, clang only): a libFuzzer target of fuzz_ini,
 *       build-fuzz/tests/fuzz_sweep -max_total_time=600 CORPUS configs
 *   - otherwise: the deterministic mutation test for ctest (`mutate_sweep`): the configs of
 *     configs/ (argv[1]) and of the library, and a small sweep's CSV, sidecar and shards, each
 *     mutated by a seeded generator (byte flips, inserted INI and CSV tokens, deleted and
 *     repeated ranges, truncation, line swaps), through the checks above. Same seed, same run. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/json.h"
#include "sweep/sweep.h"

static void die(const char *what, const char *data, size_t size)
{
    fprintf(stderr, "fuzz_sweep: %s\n  message: ", what);
    mb_text_write(stderr, mb_errmsg());
    fprintf(stderr, "\n  input (%zu bytes): ", size);
    char q[800];
    fputs(mb_text_quote(q, sizeof q, data, size), stderr);
    fputc('\n', stderr);
    abort();
}

static int message_clean(const char *m)
{
    size_t len = strlen(m);
    if (len == 0 || mb_utf8_valid_prefix(m, len) != len)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)m[i] < 0x20 || m[i] == 0x7F)
            return 0;
    return 1;
}

static int bad_input(int rc) { return rc == MB_EINVAL || rc == MB_ERANGE || rc == MB_EPARSE; }

static long n_refused, n_read;

/* Points walked per config at most; a config with more is only counted. */
#define FUZZ_MAX_POINTS 64

static void fuzz_ini(const char *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    mb_sweep_config *c = NULL;
    int rc = mb_sweep_config_parse("fuzz.ini", text, &c);
    if (rc == MB_OK && mb_sweep_point_count(c) <= FUZZ_MAX_POINTS) {
        for (size_t i = 0; rc == MB_OK && i < mb_sweep_point_count(c); i++) {
            mb_sweep_point pt;
            rc = mb_sweep_point_get(c, i, &pt);
        }
        char fp[17];
        if (rc == MB_OK)
            mb_sweep_fingerprint(c, fp);
    }
    if (rc != MB_OK) {
        n_refused++;
        if (!bad_input(rc) && rc != MB_EINFEASIBLE)
            die("a config was refused with a status other than bad input", data, size);
        if (!message_clean(mb_errmsg()))
            die("a refusal's message is empty or not clean text", data, size);
    } else {
        n_read++;
    }
    mb_sweep_config_free(c);
    free(text);
}

#ifdef MB_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_ini((const char *)data, size);
    return 0;
}
#else

#define MAX_BYTES (64 * 1024)

#define TEST_RNG_SEED 0x5851F42D4C957F2Du
#include "test_rng.h"

/* Tokens a mutation inserts: INI and CSV syntax, range syntax, numbers at the edges, names of
 * sections and keys, bytes that are not text. */
static const char *const tokens[] = {
    "[", "]", "=", ":", ";", "#", ",", "\"", "*", "%", "(", ")", "min(", "min(msm)", "\n",
    "\r\n", " ", "\t", "\n  ", "-", "0", "1", "1.000000000000001", "1e308", "nan", "inf",
    "4294967297", "2147483648", "9223372036854775807", "18446744073709551616", "99999",
    "1:100000:1", "1*2:1000000000", "0%:100%:0.001%", "64KiB", "1TiB", "[problem]",
    "[problem a b]", "[model]", "[counters]", "[cost]", "[solvers]", "[output]", "[plan]",
    "run = measured", "steps = ", "budget = ", "alpha = ", "solvers = ", "seed = 0",
    "events = tsk-clock", "target_cost_per_step = ", "true", "false", "\xFF", "\xC3\xA9",
    "\xED\xA0\x80", "\x01",
};

static size_t mutate(const char *src, size_t srclen, char *out, size_t cap)
{
    size_t len = srclen < cap ? srclen : cap;
    memcpy(out, src, len);
    int rounds = 1 + (int)below(3);
    for (int r = 0; r < rounds; r++) {
        size_t at = below(len + 1);
        switch (below(8)) {
        case 0:
            if (len > 0)
                out[below(len)] ^= (char)(1u << below(8));
            break;
        case 1:
            if (len > 0)
                out[below(len)] = (char)below(256);
            break;
        case 2:
        case 3: {
            const char *tok = tokens[below(sizeof tokens / sizeof tokens[0])];
            size_t n = strlen(tok);
            if (len + n > cap)
                break;
            memmove(out + at + n, out + at, len - at);
            memcpy(out + at, tok, n);
            len += n;
            break;
        }
        case 4: {
            size_t n = below(len - at < 24 ? len - at + 1 : 25);
            memmove(out + at, out + at + n, len - at - n);
            len -= n;
            break;
        }
        case 5: { /* repeat a range (a line, often) */
            size_t from = below(len + 1), n = below(len - from < 128 ? len - from + 1 : 129);
            if (len + n > cap)
                break;
            char tmp[128];
            memcpy(tmp, out + from, n);
            memmove(out + at + n, out + at, len - at);
            memcpy(out + at, tmp, n);
            len += n;
            break;
        }
        case 6:
            len = at;
            break;
        default: { /* swap two lines */
            char *a = memchr(out + at, '\n', len - at);
            if (a == NULL || (size_t)(a - out) + 1 >= len)
                break;
            char *b = memchr(a + 1, '\n', len - (size_t)(a + 1 - out));
            char *c = b ? memchr(b + 1, '\n', len - (size_t)(b + 1 - out)) : NULL;
            if (c == NULL)
                break;
            size_t l1 = (size_t)(b - a), l2 = (size_t)(c - b);
            char tmp[MAX_BYTES];
            if (l1 + l2 > sizeof tmp)
                break;
            memcpy(tmp, b + 1, l2);
            memcpy(tmp + l2, a + 1, l1);
            memcpy(a + 1, tmp, l1 + l2);
            break;
        }
        }
    }
    return len;
}

static char *slurp(const char *path, size_t *len)
{
    char *text = NULL;
    if (mb_read_file(path, &text, len) != MB_OK) {
        fprintf(stderr, "fuzz_sweep: cannot read %s: %s\n", path, mb_errmsg());
        exit(1);
    }
    return text;
}

static void spit(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "fuzz_sweep: cannot write %s\n", path);
        exit(1);
    }
}

static size_t count_lines(const char *path)
{
    size_t len, n = 0;
    char *t = slurp(path, &len);
    for (size_t i = 0; i < len; i++)
        n += t[i] == '\n';
    free(t);
    return n;
}

static const char small[] = "[output]\nname = s\n[problem p]\nsolvers = msm, hsm\n"
                            "steps = 10:40:10\nalpha = 3\nbudget = 20%, 50%\n"
                            "[problem q]\nsolvers = ism\nsteps = 12\nhidden_bytes = 8\n"
                            "internal_bytes = 24\ntarget_cost_per_step = 2\n"; /* 17 points */
#define SMALL_POINTS 17

/* A resume that finds `csv` (or, when `which` is 1, the sidecar) as mutated: refused with a
 * clean message and the file left alone, or every row there and proved. */
static void fuzz_resume(const mb_sweep_config *c, const char *dir, const char *ref_csv,
                        size_t ref_len, const char *ref_side, size_t side_len, int which,
                        char *buf, int repair)
{
    char csv[512], side[512];
    snprintf(csv, sizeof csv, "%s/s.csv", dir);
    snprintf(side, sizeof side, "%s/s.json", dir);
    size_t len = which ? mutate(ref_side, side_len, buf, MAX_BYTES)
                       : mutate(ref_csv, ref_len, buf, MAX_BYTES);
    spit(csv, which ? ref_csv : buf, which ? ref_len : len);
    spit(side, which ? buf : ref_side, which ? len : side_len);
    mb_sweep_options o = {.out_dir = dir, .repair = repair};
    mb_sweep_result res;
    int rc = mb_sweep_run(c, &o, &res);
    if (rc != MB_OK) {
        n_refused++;
        if (!bad_input(rc))
            die("a resume was refused with a status other than bad input", buf, len);
        if (!message_clean(mb_errmsg()))
            die("a resume's message is empty or not clean text", buf, len);
        if (!which) {
            size_t now_len;
            char *now = slurp(csv, &now_len);
            /* refused: the file is as it was, or (a torn row dropped) a prefix of it */
            if (now_len > len || memcmp(now, buf, now_len) != 0)
                die("a refused resume changed the file", buf, len);
            free(now);
        }
        return;
    }
    n_read++;
    if (count_lines(csv) != SMALL_POINTS + 1)
        die("a resume ended without every row", buf, len);
    if (mb_sweep_run(c, &(mb_sweep_options){.out_dir = dir}, &res) != MB_OK || res.computed != 0)
        die("a finished resume did not prove its own rows", buf, len);
}

/* A merge that finds shard 1's CSV (or sidecar) as mutated: refused with a clean message and
 * nothing written, or every row written. */
static void fuzz_merge(const char *dir, char shard[3][4400], const char *ref, size_t ref_len,
                       const char *ref_side, size_t side_len, int which, char *buf)
{
    char side[4500], out[512];
    snprintf(side, sizeof side, "%.*s.json", (int)(strlen(shard[1]) - 4), shard[1]);
    snprintf(out, sizeof out, "%s/merged.csv", dir);
    unlink(out);
    size_t len = which ? mutate(ref_side, side_len, buf, MAX_BYTES)
                       : mutate(ref, ref_len, buf, MAX_BYTES);
    spit(shard[1], which ? ref : buf, which ? ref_len : len);
    spit(side, which ? buf : ref_side, which ? len : side_len);
    const char *paths[3] = {shard[0], shard[1], shard[2]};
    int rc = mb_sweep_merge(out, paths, 3, 0);
    if (rc != MB_OK) {
        n_refused++;
        if (!bad_input(rc))
            die("a merge was refused with a status other than bad input", buf, len);
        if (!message_clean(mb_errmsg()))
            die("a merge's message is empty or not clean text", buf, len);
        if (access(out, F_OK) == 0)
            die("a refused merge left its output", buf, len);
        return;
    }
    n_read++;
    if (count_lines(out) != SMALL_POINTS + 1)
        die("a merge wrote a file without every row", buf, len);
}

#define INI_MUTANTS 400 /* per config */
#define CSV_MUTANTS 50 /* per kind (CSV, sidecar) of resume and of merge */

int main(int argc, char **argv)
{
    static char buf[MAX_BYTES + 1];
    /* configs: the embedded ones, the files of the folder given, and a small one */
    const char *texts[64];
    size_t n = 0;
    char *owned[64];
    size_t n_owned = 0;
    const char *names[] = {"quick", "lstm-quick", "paper", "lstm", "smoke"};
    for (size_t i = 0; i < 5; i++)
        if (mb_sweep_embedded_config(names[i]))
            texts[n++] = mb_sweep_embedded_config(names[i]);
    if (argc > 1) {
        DIR *d = opendir(argv[1]);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL && n < 60) {
            size_t l = strlen(e->d_name), len;
            if (l < 5 || strcmp(e->d_name + l - 4, ".ini") != 0)
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
            owned[n_owned] = slurp(path, &len);
            texts[n++] = owned[n_owned++];
        }
        if (d)
            closedir(d);
    }
    texts[n++] = small;
    for (size_t s = 0; s < n; s++) {
        size_t l = strlen(texts[s]);
        fuzz_ini(texts[s], l);
        for (int m = 0; m < INI_MUTANTS; m++)
            fuzz_ini(buf, mutate(texts[s], l, buf, MAX_BYTES));
    }
    long ini_refused = n_refused, ini_read = n_read;

    /* sweep CSVs on resume and on merge */
    char dir[] = "/tmp/mb_fuzz_sweep_XXXXXX", path[4500], shard[3][4400], shdir[512];
    if (mkdtemp(dir) == NULL)
        return 1;
    mb_sweep_config *c;
    if (mb_sweep_config_parse("small.ini", small, &c) != MB_OK) {
        fprintf(stderr, "fuzz_sweep: %s\n", mb_errmsg());
        return 1;
    }
    mb_sweep_result res;
    if (mb_sweep_run(c, &(mb_sweep_options){.out_dir = dir}, &res) != MB_OK) {
        fprintf(stderr, "fuzz_sweep: %s\n", mb_errmsg());
        return 1;
    }
    size_t ref_len, side_len;
    char *ref = slurp(res.csv, &ref_len);
    snprintf(path, sizeof path, "%s/s.json", dir);
    char *ref_side = slurp(path, &side_len);
    for (int m = 0; m < CSV_MUTANTS; m++)
        for (int which = 0; which < 2; which++)
            fuzz_resume(c, dir, ref, ref_len, ref_side, side_len, which, buf, m % 2);
    snprintf(shdir, sizeof shdir, "%s/sh", dir);
    for (int i = 0; i < 3; i++) {
        mb_sweep_options so = {.out_dir = shdir, .shard_index = i, .shard_count = 3};
        if (mb_sweep_run(c, &so, &res) != MB_OK) {
            fprintf(stderr, "fuzz_sweep: %s\n", mb_errmsg());
            return 1;
        }
        snprintf(shard[i], sizeof shard[i], "%s", res.csv);
    }
    size_t sh_len, shs_len;
    char *sh = slurp(shard[1], &sh_len);
    snprintf(path, sizeof path, "%.*s.json", (int)(strlen(shard[1]) - 4), shard[1]);
    char *sh_side = slurp(path, &shs_len);
    for (int m = 0; m < CSV_MUTANTS; m++)
        for (int which = 0; which < 2; which++)
            fuzz_merge(dir, shard, sh, sh_len, sh_side, shs_len, which, buf);
    printf("fuzz_sweep: %zu configs x %d mutants: %ld refused, %ld read; %d resumes and %d "
           "merges of mutated CSVs and sidecars: %ld refused, %ld done\n", n, INI_MUTANTS,
           ini_refused, ini_read, 2 * CSV_MUTANTS, 2 * CSV_MUTANTS, n_refused - ini_refused,
           n_read - ini_read);
    free(ref);
    free(ref_side);
    free(sh);
    free(sh_side);
    for (size_t i = 0; i < n_owned; i++)
        free(owned[i]);
    mb_sweep_config_free(c);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
#endif
