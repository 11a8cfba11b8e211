// SPDX-License-Identifier: GPL-2.0
/*
 * Secret buffers (include/skap/secret.h). Layout of one mapping:
 *
 *   [guard page][header ... data, rounded up to pages][guard page]
 *
 * The data ends as close to the trailing guard page as alignment allows,
 * so that an overrun faults; the header (the mapping's size and the
 * caller's length) sits before it.
 */

#include <skap/secret.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct secret_hdr {
	size_t map_len; /* the whole mapping, guard pages included */
	size_t len;	/* what the caller asked for */
	uint8_t *base;	/* the mapping */
};

#define ALIGN 16

/*
 * mlock and munlock through the system call: AddressSanitizer replaces the
 * libc functions with no-ops, and the tests run under it must see the lock.
 */
static int lock_pages(void *p, size_t len)
{
	return syscall(SYS_mlock, p, len) ? -ENOMEM : 0;
}

static void unlock_pages(void *p, size_t len)
{
	(void)syscall(SYS_munlock, p, len);
}

void skap_wipe(void *p, size_t len)
{
	if (p && len)
		explicit_bzero(p, len);
}

static size_t page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (size_t)ps : 4096;
}

static struct secret_hdr *hdr_of(const void *p)
{
	return (struct secret_hdr *)((uintptr_t)p - sizeof(struct secret_hdr));
}

int skap_secret_alloc(size_t len, void **out)
{
	size_t ps = page_size(), padded, inner, map_len;
	struct secret_hdr *h;
	uint8_t *base, *data;

	*out = NULL;
	if (len == 0 || len > SIZE_MAX / 2)
		return -EINVAL;
	padded = (len + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	inner = (padded + sizeof(*h) + ps - 1) / ps * ps;
	map_len = inner + 2 * ps;
	base = mmap(NULL, map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -ENOMEM;
	if (mprotect(base + ps, inner, PROT_READ | PROT_WRITE) || lock_pages(base + ps, inner)) {
		munmap(base, map_len);
		return -ENOMEM;
	}
	/* Advice only: a kernel without them still gives a locked buffer. */
	(void)madvise(base + ps, inner, MADV_DONTDUMP);
#ifdef MADV_WIPEONFORK
	(void)madvise(base + ps, inner, MADV_WIPEONFORK);
#endif
	data = base + ps + inner - padded;
	h = hdr_of(data);
	h->map_len = map_len;
	h->len = len;
	h->base = base;
	/* Fresh anonymous pages are zero already; say so explicitly anyway. */
	memset(data, 0, padded);
	*out = data;
	return 0;
}

size_t skap_secret_len(const void *p)
{
	return p ? hdr_of(p)->len : 0;
}

void skap_secret_free(void *p)
{
	struct secret_hdr *h;
	size_t ps = page_size(), map_len;
	uint8_t *base;

	if (!p)
		return;
	h = hdr_of(p);
	base = h->base;
	map_len = h->map_len;
	explicit_bzero(base + ps, map_len - 2 * ps);
	unlock_pages(base + ps, map_len - 2 * ps);
	munmap(base, map_len);
}
