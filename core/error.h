/* error.h: membptt's status codes, their names and messages, and the one macro that raises them. */
#ifndef MB_CORE_ERROR_H
#define MB_CORE_ERROR_H

/* One table generates the enum, the names and the messages (libuv's UV_ERRNO_MAP).
 * Each code also fixes the exit status of the command line, column 3. */
#define MB_ERROR_MAP(X)                                                          \
    X(MB_OK, 0, 0, "success")                                                    \
    X(MB_EINVAL, 1, 2, "invalid argument or input value")                        \
    X(MB_ERANGE, 2, 2, "value out of the representable or supported range")      \
    X(MB_EPARSE, 3, 2, "malformed input file")                                   \
    X(MB_EINFEASIBLE, 4, 3, "budget below the smallest feasible one")            \
    X(MB_EBADPLAN, 5, 4, "the plan violates the plan IR")                        \
    X(MB_ENOMEM, 6, 1, "out of memory")                                          \
    X(MB_EIO, 7, 1, "input/output error")                                       \
    X(MB_EINTERNAL, 8, 1, "internal inconsistency (a bug in membptt)")

typedef enum {
#define MB_X_ENUM(name, value, exit_status, text) name = value,
    MB_ERROR_MAP(MB_X_ENUM)
#undef MB_X_ENUM
} mb_status;

/* The symbolic name of a status ("MB_EINVAL"), or "MB_UNKNOWN". */
const char *mb_strerror_name(int status);

/* The one-line description of a status. */
const char *mb_strerror(int status);

/* The exit status the command line uses for a status (0, 1, 2, 3 or 4). */
int mb_exit_status(int status);

/* The message of the last error raised in this thread, with the place that raised it. The
 * buffer is thread-local and overwritten by the next error; it is "" when none was raised. */
const char *mb_errmsg(void);

/* Where the last error of this thread was raised ("solvers/dp.c:120"). */
const char *mb_errwhere(void);

/* Records a formatted message for status `code` and returns `code`. Use MB_ERROR. */
int mb_error_raise(int code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Raise an error where it is found: MB_ERROR(MB_EINVAL, "--steps %s: must be >= 1", s).
 * It evaluates to the code, so `return MB_ERROR(...)` is the idiom. One breakpoint on
 * mb_error_raise catches them all. */
#define MB_ERROR(code, ...) mb_error_raise((code), __FILE__, __LINE__, __VA_ARGS__)

/* Prints "membptt: FILE:LINE: cannot happen: COND" to stderr and aborts. Use MB_NEVER. */
void mb_assert_fail(const char *cond, const char *file, int line) __attribute__((noreturn));

/* A branch that cannot happen (SQLite's NEVER): the code has proved `cond` false, and the
 * branch is what keeps a broken proof from corrupting anything:
 *     if (MB_NEVER(n > STACK - 2))
 *         return MB_ERROR(MB_EINTERNAL, "...");
 * A debug build (no NDEBUG: the sanitizer build of .ci/run) aborts there with the place and
 * the condition, so a test that reaches it fails loudly; a release build evaluates to `cond`,
 * and the branch returns its clean MB_EINTERNAL (exit 1). Never for input a user can give,
 * nor for a branch a test provokes on purpose. `assert()` stays for proved invariants that
 * have no error path. */
#ifdef NDEBUG
#define MB_NEVER(cond) ((cond) != 0)
#else
#define MB_NEVER(cond) ((cond) ? (mb_assert_fail(#cond, __FILE__, __LINE__), 1) : 0)
#endif

#endif
