/* fuzz_plan.c: the plan reader and the replay under hostile input.
 *
 * One check, fuzz_one(), takes any bytes: they must either be refused by the reader with
 * MB_EPARSE (exit status 2) and a clean message (printable ASCII or valid UTF-8, no control
 * bytes), or read into a plan that the replay answers with a verdict (MB_OK, valid or not,
 * or MB_ERANGE for a counter that would overflow: exit status 2). A valid verdict must hold
 * up: peak within the budget, every backward op done. A plan that is read is written back
 * and read again to the same ops. Any other outcome, a crash or a sanitizer report fails.
 *
 * Built two ways:
 *   - with -DMB_LIBFUZZER (CMake -DMB_FUZZ=ON, clang only): a libFuzzer target,
 *       build-fuzz/tests/fuzz_plan -max_total_time=600 fuzz-corpus tests/corpus
 *   - otherwise: a deterministic mutation test for ctest (`mutate`): every file of the
 *     corpus folder (argv[1]) and plans written by the solvers, each mutated MUTANTS times by
 *     a seeded generator (byte flips, inserted JSON tokens and bad bytes, deleted and
 *     repeated ranges, truncation, splices), all through fuzz_one(). Same seed, same run. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "core/plan.h"
#include "sim/sim.h"
#include "solvers/solvers.h"

/* Replay allocates a store map of t+1 bytes; the fuzzer does not need t above this. */
#define FUZZ_MAX_REPLAY_STEPS (INT64_C(1) << 22)

static void die(const char *what, const unsigned char *data, size_t size)
{
    fprintf(stderr, "fuzz_plan: %s\n  message: ", what);
    mb_text_write(stderr, mb_errmsg());
    fprintf(stderr, "\n  input (%zu bytes): ", size);
    char q[600];
    fputs(mb_text_quote(q, sizeof q, (const char *)data, size), stderr);
    fputc('\n', stderr);
    abort();
}

static int message_clean(const char *m)
{
    size_t len = strlen(m);
    if (mb_utf8_valid_prefix(m, len) != len)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)m[i] < 0x20 || m[i] == 0x7F)
            return 0;
    return 1;
}

/* Counts of what the inputs gave, for the summary. */
static long n_parse_error, n_valid, n_invalid, n_range;

static void fuzz_one(const unsigned char *data, size_t size)
{
    mb_plan *plan = NULL;
    int rc = mb_plan_read_json((const char *)data, size, &plan);
    if (rc != MB_OK) {
        if (rc != MB_EPARSE || mb_exit_status(rc) != 2)
            die("the reader failed with a status other than MB_EPARSE", data, size);
        if (plan != NULL)
            die("the reader returned a plan with an error", data, size);
        if (!message_clean(mb_errmsg()))
            die("the reader's message holds raw bytes", data, size);
        n_parse_error++;
        return;
    }
    if (plan->problem.steps > FUZZ_MAX_REPLAY_STEPS) {
        mb_plan_free(plan);
        return;
    }
    mb_sim_report rep;
    rc = mb_sim_replay(plan, &rep);
    if (rc == MB_ERANGE) {
        if (mb_exit_status(rc) != 2 || !message_clean(mb_errmsg()))
            die("a counter overflow without a clean exit-2 message", data, size);
        n_range++;
    } else if (rc != MB_OK) {
        die("the replay failed with a status other than MB_OK or MB_ERANGE", data, size);
    } else if (rep.valid) {
        if (rep.peak > plan->problem.budget || rep.backward_ops != plan->problem.steps ||
            rep.final_cursor != 0 || rep.peak < plan->problem.hidden_units)
            die("a plan called valid breaks the IR's guarantees", data, size);
        n_valid++;
    } else {
        if (rep.reason[0] == '\0' || !message_clean(rep.reason))
            die("an invalid verdict without a clean reason", data, size);
        n_invalid++;
    }
    /* round trip: what was read is written and read back to the same plan */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL || mb_plan_write_json(plan, f) != MB_OK || fclose(f) != 0)
        die("cannot write the plan back", data, size);
    mb_plan *back = NULL;
    if (mb_plan_read_json(text, len, &back) != MB_OK)
        die("the plan written back does not read", data, size);
    if (back->n_ops != plan->n_ops || strcmp(back->solver, plan->solver) != 0 ||
        memcmp(&back->problem, &plan->problem, sizeof back->problem) != 0 ||
        back->forward_ops != plan->forward_ops || back->peak != plan->peak)
        die("the plan written back reads differently", data, size);
    for (size_t i = 0; i < back->n_ops; i++)
        if (back->ops[i].kind != plan->ops[i].kind || back->ops[i].step != plan->ops[i].step)
            die("the plan written back has different ops", data, size);
    mb_plan_free(back);
    free(text);
    mb_plan_free(plan);
}

#ifdef MB_LIBFUZZER

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(data, size);
    return 0;
}

#else

#define MUTANTS 300 /* per seed; about 60 seeds */
#define MAX_SEED_BYTES (64 * 1024)

#define TEST_RNG_SEED 0x9E3779B97F4A7C15u
#include "test_rng.h"

typedef struct {
    unsigned char *data;
    size_t len;
} blob;

static blob seeds[256];
static size_t n_seeds;

static void add_seed(const unsigned char *data, size_t len)
{
    if (n_seeds == sizeof seeds / sizeof seeds[0] || len > MAX_SEED_BYTES)
        return;
    unsigned char *copy = malloc(len ? len : 1);
    if (copy == NULL)
        abort();
    memcpy(copy, data, len);
    seeds[n_seeds++] = (blob){copy, len};
}

/* Tokens a mutation inserts: JSON syntax, escapes, numbers at the edges of int32 and int64,
 * bytes RFC 8259 refuses, and the keys of the format. */
static const char *const tokens[] = {
    "\"", "\\", "\\u", "\\u0000", "\\ud800", "\\uDFFF", "[", "]", "{", "}", ",", ":", "-",
    "0", "01", "1e3", "1.5", "-0", "2147483647", "2147483648", "-1", "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "null", "true", "tru", "garbage", " ",
    "\t", "\n", "\r", "\v", "\f", "\x00", "\xFF", "\xEF\xBB\xBF", "\xC0\xAF", "\xED\xA0\x80",
    "\xF4\x90\x80\x80", "\xC3\xA9", "\"steps\"", "\"ops\"", "\"version\"", "\"budget\"",
    "\"st\\u0065ps\"", "\"forward\"", "\"backward\"", "\"restore\"", "\"free\"",
    "\"store_hidden\"", "\"store_internal\"", "[\"forward\", 1]", "[\"backward\", 1]",
    "[\"store_internal\", 1]", "[\"restore\", 0]", "[\"free\", 1]", "/*", "//",
};

/* Replaces the text out[from..to) with rep (n bytes), within cap. */
static size_t replace(unsigned char *out, size_t len, size_t cap, size_t from, size_t to,
                      const char *rep, size_t n)
{
    if (len - (to - from) + n > cap)
        return len;
    memmove(out + from + n, out + to, len - to);
    memcpy(out + from, rep, n);
    return len - (to - from) + n;
}

/* A mutation that keeps the JSON valid: one op [name, step] becomes another op, a step
 * nearby, or disappears; or two ops swap. Most such plans are valid JSON with a wrong plan,
 * which drives the replay rather than the reader. */
static size_t mutate_op(unsigned char *out, size_t len, size_t cap)
{
    size_t starts[4096], n = 0;
    for (size_t i = 0; i + 1 < len && n < 4096; i++)
        if (out[i] == '[' && out[i + 1] == '"')
            starts[n++] = i;
    if (n == 0)
        return len;
    size_t a = starts[below(n)];
    unsigned char *close = memchr(out + a, ']', len - a);
    if (close == NULL)
        return len;
    size_t b = (size_t)(close - out) + 1;
    long step = strtol((const char *)out + a + 2 + strcspn((const char *)out + a + 2, ",") + 1,
                       NULL, 10);
    char rep[64];
    switch (below(4)) {
    case 0: /* another kind, the same step */
        snprintf(rep, sizeof rep, "[\"%s\", %ld]", mb_op_name((int)below(MB_OP_KIND_COUNT)),
                 step);
        return replace(out, len, cap, a, b, rep, strlen(rep));
    case 1: /* the same kind, a step nearby */
        snprintf(rep, sizeof rep, "[\"%s\", %ld]", mb_op_name((int)below(MB_OP_KIND_COUNT)),
                 step + (long)below(5) - 2);
        return replace(out, len, cap, a, b, rep, strlen(rep));
    case 2: /* dropped, with a comma beside it */
        if (b < len && out[b] == ',')
            b++;
        else if (a > 0 && out[a - 1] == ',')
            a--;
        else if (a > 1 && out[a - 1] == ' ' && out[a - 2] == ',')
            a -= 2;
        return replace(out, len, cap, a, b, "", 0);
    default: { /* repeated */
        char copy[64];
        size_t k = b - a < sizeof copy - 2 ? b - a : 0;
        if (k == 0)
            return len;
        memcpy(copy, out + a, k);
        copy[k] = ',';
        return replace(out, len, cap, a, a, copy, k + 1);
    }
    }
}

static size_t mutate(const blob *s, unsigned char *out, size_t cap)
{
    size_t len = s->len < cap ? s->len : cap;
    memcpy(out, s->data, len);
    if (below(2) == 0) { /* half the mutants stay JSON: op edits only */
        int rounds = 1 + (int)below(3);
        for (int r = 0; r < rounds; r++)
            len = mutate_op(out, len, cap);
        return len;
    }
    int rounds = 1 + (int)below(4);
    for (int r = 0; r < rounds; r++) {
        size_t at = below(len + 1);
        switch (below(9)) {
        case 8:
            len = mutate_op(out, len, cap);
            break;
        case 0: /* flip bits of a byte */
            if (len > 0)
                out[below(len)] ^= (unsigned char)(1u << below(8));
            break;
        case 1: /* set a byte to anything */
            if (len > 0)
                out[below(len)] = (unsigned char)below(256);
            break;
        case 2: /* insert a token */
        case 3: {
            const char *tok = tokens[below(sizeof tokens / sizeof tokens[0])];
            size_t n = strlen(tok);
            if (tok[0] == '\0')
                n = 1; /* the NUL token */
            if (len + n > cap)
                break;
            memmove(out + at + n, out + at, len - at);
            memcpy(out + at, tok, n);
            len += n;
            break;
        }
        case 4: { /* delete a range */
            size_t n = below(len - at < 16 ? len - at + 1 : 17);
            memmove(out + at, out + at + n, len - at - n);
            len -= n;
            break;
        }
        case 5: { /* repeat a range */
            size_t from = below(len + 1), n = below(len - from < 64 ? len - from + 1 : 65);
            if (len + n > cap)
                break;
            unsigned char tmp[64];
            memcpy(tmp, out + from, n);
            memmove(out + at + n, out + at, len - at);
            memcpy(out + at, tmp, n);
            len += n;
            break;
        }
        case 6: /* truncate */
            len = at;
            break;
        default: { /* splice: the head of this input, the tail of another seed */
            const blob *o = &seeds[below(n_seeds)];
            size_t from = below(o->len + 1), n = o->len - from;
            if (at + n > cap)
                n = cap - at;
            memcpy(out + at, o->data + from, n);
            len = at + n;
            break;
        }
        }
    }
    return len;
}

static void add_corpus(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "mutate: cannot open the corpus %s\n", dir);
        exit(1);
    }
    /* sorted names, so the run does not depend on the directory order */
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256)
        if (strstr(e->d_name, ".json") != NULL)
            names[n++] = strdup(e->d_name);
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    static unsigned char buf[MAX_SEED_BYTES];
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        if (f != NULL) {
            size_t len = fread(buf, 1, sizeof buf, f);
            fclose(f);
            add_seed(buf, len);
        }
        free(names[i]);
    }
}

/* Plans written by the solvers: valid ones, so mutants reach deep into the replay. */
static void add_solver_plans(void)
{
    static const struct { const char *solver; int64_t t, alpha, budget, slow; } cases[] = {
        {"full", 6, 2, 11, 0}, {"sqrt", 12, 3, 40, 0}, {"chen", 9, 2, 6, 0},
        {"revolve", 10, 1, 3, 0}, {"msm", 14, 3, 12, 0}, {"msm-free", 12, 4, 14, 0},
        {"ism", 8, 2, 12, 0}, {"hsm", 10, 2, 5, 0},
        /* version 2: levels on ops, a finite and an unlimited slow store */
        {"msm2", 12, 3, 6, 9}, {"msm2", 10, 2, 3, -1}, {"hrevolve", 12, 1, 3, 4},
    };
    /* transfers cheap enough that the solvers use the slow store */
    mb_time_costs cost = {1.0, 0.25, 0.25, 0.0, 0.0};
    mb_solve_options o = {0};
    o.cost = &cost;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mb_problem p = {cases[i].t, 1, cases[i].alpha, 0, cases[i].budget,
                        cases[i].slow < 0 ? MB_SLOW_UNLIMITED : cases[i].slow};
        mb_solution s;
        if (mb_solve(mb_solver_lookup(cases[i].solver), &p, &o, &s) != MB_OK || !s.feasible) {
            fprintf(stderr, "mutate: cannot solve %s: %s\n", cases[i].solver, mb_errmsg());
            exit(1);
        }
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (f == NULL || mb_plan_write_json(s.plan, f) != MB_OK || fclose(f) != 0)
            exit(1);
        add_seed((const unsigned char *)text, len);
        free(text);
        mb_plan_free(s.plan);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS-FOLDER\n", argv[0]);
        return 2;
    }
    add_corpus(argv[1]);
    size_t from_corpus = n_seeds;
    add_solver_plans();
    if (from_corpus < 50) {
        fprintf(stderr, "mutate: only %zu corpus files in %s\n", from_corpus, argv[1]);
        return 1;
    }
    static unsigned char buf[MAX_SEED_BYTES + 4096];
    long mutants = 0;
    for (size_t i = 0; i < n_seeds; i++) {
        fuzz_one(seeds[i].data, seeds[i].len); /* the seed itself */
        for (int m = 0; m < MUTANTS; m++, mutants++) {
            size_t len = mutate(&seeds[i], buf, sizeof buf);
            fuzz_one(buf, len);
        }
    }
    printf("mutate: %zu seeds (%zu corpus files, %zu solver plans), %ld mutants: %ld parse "
           "errors, %ld valid, %ld invalid, %ld counter overflows\n",
           n_seeds, from_corpus, n_seeds - from_corpus, mutants, n_parse_error, n_valid,
           n_invalid, n_range);
    /* the mutants must reach every outcome, or the test exercises less than it claims */
    if (n_parse_error == 0 || n_valid == 0 || n_invalid == 0) {
        fprintf(stderr, "mutate: some outcome never occurred\n");
        return 1;
    }
    for (size_t i = 0; i < n_seeds; i++)
        free(seeds[i].data);
    return 0;
}

#endif
