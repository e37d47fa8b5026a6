/* error.c: the status table and the thread-local message of the last error. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char last_msg[512];
static _Thread_local char last_where[128];

const char *mb_strerror_name(int status)
{
    switch (status) {
#define MB_X_NAME(name, value, exit_status, text) \
    case value:                                   \
        return #name;
        MB_ERROR_MAP(MB_X_NAME)
#undef MB_X_NAME
    }
    return "MB_UNKNOWN";
}

const char *mb_strerror(int status)
{
    switch (status) {
#define MB_X_TEXT(name, value, exit_status, text) \
    case value:                                   \
        return text;
        MB_ERROR_MAP(MB_X_TEXT)
#undef MB_X_TEXT
    }
    return "unknown status";
}

int mb_exit_status(int status)
{
    switch (status) {
#define MB_X_EXIT(name, value, exit_status, text) \
    case value:                                   \
        return exit_status;
        MB_ERROR_MAP(MB_X_EXIT)
#undef MB_X_EXIT
    }
    return 1;
}

const char *mb_errmsg(void) { return last_msg; }

const char *mb_errwhere(void) { return last_where; }

int mb_error_raise(int code, const char *file, int line, const char *fmt, ...)
{
    /* formatted aside first, so a message may quote the previous one (mb_errmsg()) */
    char msg[sizeof last_msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    memcpy(last_msg, msg, sizeof msg);
    snprintf(last_where, sizeof last_where, "%s:%d", file, line);
    return code;
}

void mb_assert_fail(const char *cond, const char *file, int line)
{
    fprintf(stderr, "membptt: %s:%d: cannot happen: %s\n", file, line, cond);
    abort();
}
