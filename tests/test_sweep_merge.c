/* test_sweep_merge.c: merge and resume keep nothing they have not proved: every kind of
 * shard or row corruption is refused naming the shard and the line, with no output; shards of
 * two builds are refused unless accepted; a resume keeps proved rows only. docs/design.md,
 * "Sweeps, records and figures". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/fileio.h"
#include "sweep/sweep.h"
#include "test_util.h"

static int exists(const char *path) { return access(path, F_OK) == 0; }

static const char small[] = "[output]\nname = s\n[problem p]\nsolvers = msm, hsm\n"
                            "steps = 10:40:10\nalpha = 3\nbudget = 20%, 50%\n"; /* 16 points */

/* Expects a merge of `paths` to fail with rc, each needle in the message, and no output. */
static void expect_merge(const char *out, const char **paths, size_t n, int rc,
                         const char *needle1, const char *needle2)
{
    int got = mb_sweep_merge(out, paths, n, 0);
    if (got != rc)
        fail_msg("merge returned %d (%s), expected %d", got, mb_errmsg(), rc);
    if (needle1 && strstr(mb_errmsg(), needle1) == NULL)
        fail_msg("merge message '%s' lacks '%s'", mb_errmsg(), needle1);
    if (needle2 && strstr(mb_errmsg(), needle2) == NULL)
        fail_msg("merge message '%s' lacks '%s'", mb_errmsg(), needle2);
    if (rc != MB_OK && strcmp(out, "-") != 0 && exists(out))
        fail_msg("a failed merge left %s behind", out);
}

/* Merge proves every row: each kind of shard corruption is refused naming shard and line, with
 * no output; a good merge writes the sidecar and timing file, and a sweep resumes from it.
 * It is longer than 120 lines because it walks one set of shards through every kind of corruption in
 * turn, each step undoing the last, so the cases share their shards and their reference. */
static void test_merge_proves_rows(void **state)
{
    (void)state;
    char dir[] = "/tmp/mb_test_merge_XXXXXX", ref[300], shd[300], out[300], cmd[700];
    assert_non_null(mkdtemp(dir));
    snprintf(ref, sizeof ref, "%s/ref", dir);
    snprintf(shd, sizeof shd, "%s/sh", dir);
    snprintf(out, sizeof out, "%s/ref/s.csv", dir);
    mb_sweep_config *c;
    assert_int_equal(mb_sweep_config_parse("small.ini", small, &c), MB_OK);
    mb_sweep_options o = {.out_dir = ref};
    mb_sweep_result res;
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_OK);
    char *full = slurp(res.csv);
    char sp[3][4400], orig[3][300];
    const char *paths[4];
    for (int i = 0; i < 3; i++) {
        mb_sweep_options so = {.out_dir = shd, .shard_index = i, .shard_count = 3};
        assert_int_equal(mb_sweep_run(c, &so, &res), MB_OK);
        snprintf(sp[i], sizeof sp[i], "%s", res.csv);
        paths[i] = sp[i];
        /* keep a pristine copy */
        snprintf(orig[i], sizeof orig[i], "%s/orig%d.csv", dir, i);
        char *t = slurp(sp[i]);
        spit(orig[i], t);
        free(t);
    }
    char merged[300];
    snprintf(merged, sizeof merged, "%s/m.csv", dir);
    char *s1 = slurp(orig[1]), *s0 = slurp(orig[0]);
    size_t l1 = strlen(s1);
    char buf[8192];

    /* the last row lost */
    const char *last = s1 + l1 - 2;
    while (*last != '\n')
        last--;
    snprintf(buf, sizeof buf, "%.*s", (int)(last - s1 + 1), s1);
    spit(sp[1], buf);
    expect_merge(merged, paths, 3, MB_EPARSE, "s.shard-1-of-3.csv", "rows are missing");
    /* a torn last row */
    snprintf(buf, sizeof buf, "%.*s", (int)(l1 - 7), s1);
    spit(sp[1], buf);
    expect_merge(merged, paths, 3, MB_EPARSE, "s.shard-1-of-3.csv:6", "torn");
    /* an extra row (its last one twice) */
    snprintf(buf, sizeof buf, "%s%s", s1, last + 1);
    spit(sp[1], buf);
    expect_merge(merged, paths, 3, MB_EPARSE, "s.shard-1-of-3.csv:7", "extra row");
    /* two rows swapped */
    const char *r1 = strchr(s1, '\n') + 1, *r2 = strchr(r1, '\n') + 1, *r3 = strchr(r2, '\n') + 1;
    snprintf(buf, sizeof buf, "%.*s%.*s%.*s%s", (int)(r1 - s1), s1, (int)(r3 - r2), r2,
             (int)(r2 - r1), r1, r3);
    spit(sp[1], buf);
    expect_merge(merged, paths, 3, MB_EPARSE, "s.shard-1-of-3.csv:2", "is not point 1");
    /* another shard's rows (shard 0 has one row more: cut it) */
    const char *z = s0 + strlen(s0) - 2;
    while (*z != '\n')
        z--;
    snprintf(buf, sizeof buf, "%.*s", (int)(z - s0 + 1), s0);
    spit(sp[1], buf);
    expect_merge(merged, paths, 3, MB_EPARSE, "s.shard-1-of-3.csv:2", "not point 1");
    /* a malformed field in a row of the right length */
    snprintf(buf, sizeof buf, "%s", s1);
    char *f = strstr(strchr(buf, '\n') + 1, ",true,");
    assert_non_null(f);
    memcpy(f, ",tru\",", 6);
    spit(sp[1], buf);
    expect_merge(merged, paths, 3, MB_EPARSE, "s.shard-1-of-3.csv:2", NULL);
    spit(sp[1], s1);
    /* a sidecar whose row count disagrees with its shard, and a corrupt one */
    char side[4400], *st = NULL;
    snprintf(side, sizeof side, "%.*s.json", (int)(strlen(sp[2]) - 4), sp[2]);
    st = slurp(side);
    char *rows = strstr(st, "\"rows\": 5");
    assert_non_null(rows);
    char *edited = strdup(st);
    edited[rows - st + 8] = '4';
    spit(side, edited);
    expect_merge(merged, paths, 3, MB_EPARSE, "s.shard-2-of-3.csv", "counts 4 rows");
    edited[rows - st + 8] = '5';
    edited[strlen(edited) / 2] = '\0';
    spit(side, edited);
    expect_merge(merged, paths, 3, MB_EPARSE, "s.shard-2-of-3.json is corrupt", NULL);
    spit(side, st);
    free(edited);
    free(st);
    /* the same shard twice, a missing shard, a shard of another sweep */
    const char *twice[3] = {sp[0], sp[1], sp[1]};
    expect_merge(merged, twice, 3, MB_EINVAL, "both shard 1", NULL);
    expect_merge(merged, paths, 2, MB_EINVAL, "3 shards", NULL);
    mb_sweep_config *other;
    char small2[sizeof small + 8];
    snprintf(small2, sizeof small2, "%s", small);
    small2[strlen(small2) - 3] = '6'; /* budget 20%, 60% */
    assert_int_equal(mb_sweep_config_parse("small.ini", small2, &other), MB_OK);
    char odir[300];
    snprintf(odir, sizeof odir, "%s/other", dir);
    mb_sweep_options oo = {.out_dir = odir, .shard_index = 2, .shard_count = 3};
    assert_int_equal(mb_sweep_run(other, &oo, &res), MB_OK);
    mb_sweep_config_free(other);
    const char *mixed[3] = {sp[0], sp[1], res.csv};
    expect_merge(merged, mixed, 3, MB_EINVAL, "another sweep", NULL);
    /* an output that is an input, or an input's sidecar */
    assert_int_equal(mb_sweep_merge(sp[0], paths, 3, 0), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "overwrite the input"));
    snprintf(buf, sizeof buf, "%s/link.csv", dir);
    assert_int_equal(symlink(sp[2], buf), 0);
    assert_int_equal(mb_sweep_merge(buf, paths, 3, 0), MB_EINVAL); /* a link to an input */
    assert_non_null(strstr(mb_errmsg(), "overwrite the input"));
    char *kept_input = slurp(sp[0]);
    assert_string_equal(kept_input, s0);
    free(kept_input);

    /* the good merge: the single-process bytes, a sidecar and a timing file with every point;
     * a sweep into the merged file's folder resumes from it and computes nothing */
    assert_int_equal(mb_sweep_merge(out, paths, 3, 0), MB_OK);
    char *m = slurp(out);
    assert_string_equal(m, full);
    free(m);
    snprintf(buf, sizeof buf, "%s/ref/s.timing.csv", dir);
    char *tm = slurp(buf);
    int lines = 0;
    for (char *q = tm; *q; q++)
        lines += *q == '\n';
    assert_int_equal(lines, 17);
    free(tm);
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_OK);
    assert_int_equal((int)res.computed, 0);
    assert_int_equal((int)res.resumed, 16);

    free(s0);
    free(s1);
    free(full);
    mb_sweep_config_free(c);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Edits the sidecar at `side` to say another commit wrote its rows ("other-" + the commit). */
static void edit_commit(const char *side)
{
    char *sc = slurp(side), *at = strstr(sc, "\"commit\": \"");
    assert_non_null(at);
    size_t cap = strlen(sc) + 16;
    char *edited = malloc(cap);
    assert_non_null(edited);
    snprintf(edited, cap, "%.*s\"commit\": \"other-%s", (int)(at - sc), sc,
             at + strlen("\"commit\": \""));
    spit(side, edited);
    free(edited);
    free(sc);
}

/* Shards of two builds (one shard's sidecar edited to another commit) are refused, naming both
 * shards and what differs, unless accepted; then the sidecar says which rows are which. */
static void test_merge_mixed_builds(void **state)
{
    (void)state;
    char dir[] = "/tmp/mb_test_mixed_XXXXXX", shd[300], side[4400], buf[4400], cmd[700];
    assert_non_null(mkdtemp(dir));
    snprintf(shd, sizeof shd, "%s/sh", dir);
    mb_sweep_config *c;
    assert_int_equal(mb_sweep_config_parse("small.ini", small, &c), MB_OK);
    mb_sweep_options o = {.out_dir = dir};
    mb_sweep_result res;
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_OK);
    char *full = slurp(res.csv), sp[3][4400];
    const char *paths[3];
    for (int i = 0; i < 3; i++) {
        mb_sweep_options so = {.out_dir = shd, .shard_index = i, .shard_count = 3};
        assert_int_equal(mb_sweep_run(c, &so, &res), MB_OK);
        snprintf(sp[i], sizeof sp[i], "%s", res.csv);
        paths[i] = sp[i];
    }
    mb_sweep_config_free(c);
    snprintf(side, sizeof side, "%.*s.json", (int)(strlen(sp[2]) - 4), sp[2]);
    edit_commit(side);
    snprintf(buf, sizeof buf, "%s/mixed.csv", dir);
    expect_merge(buf, paths, 3, MB_EINVAL, "different builds", "commit '");
    if (strstr(mb_errmsg(), "vs 'other-") == NULL || strstr(mb_errmsg(), "shard-2-of-3") == NULL ||
        strstr(mb_errmsg(), "--accept-other-build") == NULL)
        fail_msg("the refusal '%s' does not say what differs, where and how to accept it",
                 mb_errmsg());
    assert_int_equal(mb_sweep_merge(buf, paths, 3, 1), MB_OK);
    char *m = slurp(buf);
    assert_string_equal(m, full);
    free(m);
    snprintf(buf, sizeof buf, "%s/mixed.json", dir);
    m = slurp(buf);
    assert_non_null(strstr(m, "\"commit\": \"other-"));
    assert_non_null(strstr(m, "\"rows_from\": 2,")); /* point 2 is shard 2's first */
    free(m);
    free(full);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Resume keeps only rows it has proved: a bad complete row is an error naming its line (or,
 * with repair, computed again with the rows after it); rows of another build are refused unless
 * accepted; a torn header starts again; a corrupt sidecar is called corrupt; an output that is
 * a FIFO is refused before anything is written. */
static void test_resume_proves_rows(void **state)
{
    (void)state;
    char dir[] = "/tmp/mb_test_resume_XXXXXX", csv[300], side[300], timing[300], cmd[700];
    assert_non_null(mkdtemp(dir));
    snprintf(csv, sizeof csv, "%s/s.csv", dir);
    snprintf(side, sizeof side, "%s/s.json", dir);
    snprintf(timing, sizeof timing, "%s/s.timing.csv", dir);
    mb_sweep_config *c;
    assert_int_equal(mb_sweep_config_parse("small.ini", small, &c), MB_OK);
    mb_sweep_options o = {.out_dir = dir};
    mb_sweep_result res;
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_OK);
    char *full = slurp(csv), buf[8192];

    /* row 5 (line 6) with a changed identifying value: refused, naming the line */
    snprintf(buf, sizeof buf, "%s", full);
    char *line6 = buf;
    for (int i = 0; i < 5; i++)
        line6 = strchr(line6, '\n') + 1;
    char *steps = strstr(line6, ",30,");
    assert_true(steps != NULL && steps < strchr(line6, '\n'));
    steps[2] = '1'; /* steps 30 -> 31 */
    spit(csv, buf);
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_EPARSE);
    if (strstr(mb_errmsg(), "s.csv:6") == NULL)
        fail_msg("%s", mb_errmsg());
    assert_non_null(strstr(mb_errmsg(), "--repair"));
    char *after = slurp(csv);
    assert_string_equal(after, buf); /* nothing changed */
    free(after);
    /* a row with a field too few */
    snprintf(buf, sizeof buf, "%s", full);
    char *end3 = buf;
    for (int i = 0; i < 4; i++)
        end3 = strchr(end3, '\n') + 1;
    char *comma = end3 - 2;
    while (*comma != ',')
        comma--;
    memmove(comma, end3 - 1, strlen(end3 - 1) + 1);
    spit(csv, buf);
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_EPARSE);
    assert_non_null(strstr(mb_errmsg(), "s.csv:4: the row has"));
    /* with repair: computed again from that row on, byte-identical */
    o.repair = 1;
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_OK);
    assert_int_equal((int)res.resumed, 2);
    assert_int_equal((int)res.repaired, 14);
    o.repair = 0;
    after = slurp(csv);
    assert_string_equal(after, full);
    free(after);
    /* the timing file has its header and one line per point */
    char *tm = slurp(timing);
    int lines = 0;
    for (char *q = tm; *q; q++)
        lines += *q == '\n';
    assert_int_equal(lines, 17);
    assert_int_equal(strncmp(tm, "point,", 6), 0);
    free(tm);

    /* rows of another build: the sidecar edited to another commit */
    edit_commit(side);
    snprintf(buf, sizeof buf, "%.*s", (int)(strlen(full) - 10), full); /* a row in flight */
    spit(csv, buf);
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "another build"));
    assert_non_null(strstr(mb_errmsg(), "commit 'other-"));
    assert_non_null(strstr(mb_errmsg(), "--accept-other-build"));
    o.accept_other_build = 1;
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_OK);
    assert_int_equal((int)res.resumed, 15);
    o.accept_other_build = 0;
    char *sc = slurp(side);
    assert_non_null(strstr(sc, "\"commit\": \"other-")); /* rows 1-15 keep their build */
    assert_non_null(strstr(sc, "\"rows_from\": 15"));
    free(sc);

    /* a corrupt sidecar is called corrupt, not another sweep */
    sc = slurp(side);
    sc[strlen(sc) / 3] = '\0';
    spit(side, sc);
    free(sc);
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_EPARSE);
    assert_non_null(strstr(mb_errmsg(), "s.json is corrupt"));
    /* a header torn while it was written: nothing to keep, the run starts again */
    spit(csv, "sweep,mode,sol");
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_OK);
    assert_int_equal((int)res.computed, 16);
    after = slurp(csv);
    assert_string_equal(after, full);
    free(after);

    /* a FIFO where the CSV or the timing file goes: refused at once */
    for (int k = 0; k < 2; k++) {
        const char *path = k ? timing : csv;
        assert_int_equal(unlink(path), 0);
        assert_int_equal(mkfifo(path, 0600), 0);
        assert_int_equal(mb_sweep_run(c, &o, &res), MB_EINVAL);
        assert_non_null(strstr(mb_errmsg(), "a FIFO"));
        assert_int_equal(unlink(path), 0);
        spit(path, "");
    }
    free(full);
    mb_sweep_config_free(c);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_proves_rows),
        cmocka_unit_test(test_merge_mixed_builds),
        cmocka_unit_test(test_resume_proves_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
