/* test_slowstore.c: the executor's slow store (exec/slowstore.h): what is written is read back
 * byte for byte (buffered, and O_DIRECT where the file system has it), the byte limit holds,
 * bad directories are refused with no file left, and a file whose directory vanishes during
 * the run is reported when the store closes. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/slowstore.h"
#include "test_util.h"

static char dir[256];

static int entries(const char *d)
{
    DIR *h = opendir(d);
    int n = 0;
    if (h == NULL)
        return -1;
    for (struct dirent *e; (e = readdir(h)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(h);
    return n;
}

static void roundtrip(mb_slow_mode mode)
{
    mb_slow_store s;
    int rc = mb_slow_open(&s, dir, mode, 10000, 4, 5000);
    if (rc == MB_EINVAL && mode == MB_SLOW_DIRECT) { /* tmpfs and others: no O_DIRECT */
        assert_non_null(strstr(mb_errmsg(), "O_DIRECT"));
        EXPECT_EQ(entries(dir), 0, "no file after a refused O_DIRECT open");
        return;
    }
    assert_int_equal(rc, MB_OK);
    EXPECT_EQ(entries(dir), 1, "one file while open");
    unsigned char a[5000], b[5000];
    for (int i = 0; i < 5000; i++)
        a[i] = (unsigned char)(i * 7 + 3);
    assert_int_equal(mb_slow_write(&s, 1, a, 5000), MB_OK);
    assert_int_equal(mb_slow_write(&s, 2, a + 17, 3000), MB_OK);
    EXPECT_EQ(s.used, 8000, "live bytes");
    /* the limit is hard: 8000 + 3000 > 10000 */
    EXPECT_EQ(mb_slow_write(&s, 3, a, 3000), MB_EINTERNAL, "a write past the limit");
    memset(b, 0, sizeof b);
    assert_int_equal(mb_slow_read(&s, 2, b), MB_OK);
    assert_memory_equal(b, a + 17, 3000);
    assert_int_equal(mb_slow_read(&s, 1, b), MB_OK);
    assert_memory_equal(b, a, 5000);
    assert_int_equal(mb_slow_free(&s, 1), MB_OK);
    EXPECT_EQ(mb_slow_read(&s, 1, b), MB_EINTERNAL, "a read of a freed checkpoint");
    assert_int_equal(mb_slow_write(&s, 3, a, 3000), MB_OK);
    EXPECT_EQ(s.n.peak_bytes, 8000, "peak live bytes");
    EXPECT_EQ(s.n.written_bytes, 11000, "bytes written");
    assert_int_equal(mb_slow_close(&s), MB_OK);
    EXPECT_EQ(entries(dir), 0, "no file after close");
}

static void test_roundtrip(void **state)
{
    (void)state;
    roundtrip(MB_SLOW_BUFFERED);
    roundtrip(MB_SLOW_DIRECT);
}

static void test_bad_directories(void **state)
{
    (void)state;
    mb_slow_store s;
    char path[300];
    snprintf(path, sizeof path, "%s/missing", dir);
    EXPECT_EQ(mb_slow_open(&s, path, MB_SLOW_BUFFERED, 100, 2, 10), MB_EINVAL, "missing dir");
    assert_non_null(strstr(mb_errmsg(), "missing"));
    mb_slow_close(&s);
    snprintf(path, sizeof path, "%s/file", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    EXPECT_EQ(mb_slow_open(&s, path, MB_SLOW_BUFFERED, 100, 2, 10), MB_EINVAL, "a file");
    assert_non_null(strstr(mb_errmsg(), "not a directory"));
    mb_slow_close(&s);
    unlink(path);
    EXPECT_EQ(entries(dir), 0, "nothing left by failed opens");
}

/* The directory removed while the file is open: writes go on through the descriptor, and
 * the close says the store vanished (exit 1 in run), with nothing left behind. */
static void test_directory_vanishes(void **state)
{
    (void)state;
    char sub[300];
    snprintf(sub, sizeof sub, "%s/gone", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    mb_slow_store s;
    assert_int_equal(mb_slow_open(&s, sub, MB_SLOW_BUFFERED, 1000, 4, 100), MB_OK);
    unsigned char a[100] = {1, 2, 3};
    assert_int_equal(mb_slow_write(&s, 0, a, 100), MB_OK);
    assert_int_equal(unlink(s.path), 0);
    assert_int_equal(rmdir(sub), 0);
    assert_int_equal(mb_slow_write(&s, 1, a, 100), MB_OK);
    EXPECT_EQ(mb_slow_close(&s), MB_EIO, "close after the directory vanished");
    assert_non_null(strstr(mb_errmsg(), "removed during the run"));
    EXPECT_EQ(entries(dir), 0, "nothing left");
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/membptt-slowstore.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_bad_directories),
        cmocka_unit_test(test_directory_vanishes),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(dir);
    return rc;
}
