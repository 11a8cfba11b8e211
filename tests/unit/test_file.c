// SPDX-License-Identifier: GPL-2.0
/*
 * Secret and state files: written atomically with their mode from the
 * start, read back within limits, refused when others could read them.
 */

#include <skap/file.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

FIXTURE(dir)
{
	char path[64];
	char file[96];
};

FIXTURE_SETUP(dir)
{
	strcpy(self->path, "/tmp/skap-file-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->path));
	snprintf(self->file, sizeof(self->file), "%s/dmk", self->path);
}

FIXTURE_TEARDOWN(dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->path);
	if (system(cmd))
		TH_LOG("cleanup of %s failed", self->path);
}

static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

TEST_F(dir, write_then_read_back_private)
{
	unsigned char *data;
	size_t len;
	struct stat st;

	ASSERT_EQ(0, skap_file_write_atomic(self->file, "secret-bytes", 12, 0600));
	ASSERT_EQ(0, stat(self->file, &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(1, count_entries(self->path)) TH_LOG("no temporary file is left");
	ASSERT_EQ(0, skap_file_read(self->file, 64, 1, &data, &len));
	EXPECT_EQ(12, len);
	EXPECT_EQ(0, memcmp(data, "secret-bytes", 12));
	EXPECT_EQ('\0', data[12]);
	skap_file_free(data, len);
}

TEST_F(dir, overwrite_replaces_whole)
{
	unsigned char *data;
	size_t len;

	ASSERT_EQ(0, skap_file_write_atomic(self->file, "a much longer first version", 27, 0600));
	ASSERT_EQ(0, skap_file_write_atomic(self->file, "v2", 2, 0600));
	ASSERT_EQ(0, skap_file_read(self->file, 64, 1, &data, &len));
	EXPECT_EQ(2, len);
	EXPECT_EQ(0, memcmp(data, "v2", 2));
	skap_file_free(data, len);
	EXPECT_EQ(1, count_entries(self->path));
}

TEST_F(dir, failure_changes_nothing)
{
	char missing[160];

	snprintf(missing, sizeof(missing), "%s/no/such/dir/dmk", self->path);
	EXPECT_EQ(-ENOENT, skap_file_write_atomic(missing, "x", 1, 0600));
	/* The target is a directory: rename fails, the temporary file goes. */
	ASSERT_EQ(0, mkdir(self->file, 0700));
	EXPECT_NE(0, skap_file_write_atomic(self->file, "x", 1, 0600));
	EXPECT_EQ(1, count_entries(self->path));
}

TEST_F(dir, read_limits)
{
	unsigned char *data = (unsigned char *)1;
	size_t len = 5;
	char link[160];

	ASSERT_EQ(0, skap_file_write_atomic(self->file, "0123456789", 10, 0600));
	EXPECT_EQ(-EFBIG, skap_file_read(self->file, 9, 1, &data, &len));
	EXPECT_EQ(NULL, data);
	EXPECT_EQ(0, len);
	ASSERT_EQ(0, skap_file_read(self->file, 10, 1, &data, &len));
	skap_file_free(data, len);

	ASSERT_EQ(0, chmod(self->file, 0640));
	EXPECT_EQ(-EPERM, skap_file_read(self->file, 64, 1, &data, &len));
	EXPECT_EQ(0, skap_file_read(self->file, 64, 0, &data, &len));
	skap_file_free(data, len);

	snprintf(link, sizeof(link), "%s/link", self->path);
	ASSERT_EQ(0, symlink(self->file, link));
	EXPECT_EQ(-ELOOP, skap_file_read(link, 64, 0, &data, &len));
	EXPECT_EQ(-EINVAL, skap_file_read(self->path, 64, 0, &data, &len));
	EXPECT_EQ(-ENOENT, skap_file_read("/nonexistent/skap", 64, 0, &data, &len));
}

TEST_HARNESS_MAIN
