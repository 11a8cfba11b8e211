// SPDX-License-Identifier: GPL-2.0
/*
 * skap_random (include/skap/sym.h): OpenSSL's private DRBG behind a small
 * pool per thread.
 *
 * Each call into the DRBG costs about 0.8 us whatever its length (a lock, a
 * fork check by getpid, the CTR-DRBG's update around its output); a key
 * ticket draws three times, 12 to 48 bytes each. The pool draws POOL_LEN
 * bytes at once and hands each byte out once, wiping it from the pool as it
 * goes, so the pool never holds a byte that was already used. Its page:
 * - is wiped in a child process (MADV_WIPEONFORK: the count of bytes left
 *   reads 0 there, so a child draws afresh and never repeats its parent);
 * - is locked in memory, like the other secrets;
 * - is wiped and unmapped when its thread ends.
 * Where the kernel refuses either (before 4.14), or for a request larger
 * than half the pool, the bytes come from the DRBG directly.
 */

#include <skap/sym.h>

#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define POOL_LEN 1024

struct random_pool {
	size_t left; /* unused bytes, at the start of BYTES */
	uint8_t bytes[POOL_LEN];
};

static pthread_key_t pool_key;
static int pool_key_ok;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

/* NULL in a slot: this thread has no pool yet; NO_POOL: it cannot have one. */
static uint8_t no_pool_marker;
#define NO_POOL ((void *)&no_pool_marker)

static size_t pool_map_len(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = page > 0 ? (size_t)page : 4096;

	while (len < sizeof(struct random_pool))
		len *= 2;
	return len;
}

static void pool_free(void *p)
{
	if (p == NO_POOL || !p)
		return;
	OPENSSL_cleanse(p, sizeof(struct random_pool));
	(void)syscall(SYS_munlock, p, pool_map_len());
	munmap(p, pool_map_len());
}

static void pool_key_make(void)
{
	pool_key_ok = pthread_key_create(&pool_key, pool_free) == 0;
}

/*
 * mlock through the system call, as crypto_secret.c does: AddressSanitizer
 * turns the libc function into a no-op.
 */
static struct random_pool *pool_new(void)
{
	size_t len = pool_map_len();
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (madvise(p, len, MADV_WIPEONFORK) || madvise(p, len, MADV_DONTDUMP) ||
	    syscall(SYS_mlock, p, len)) {
		munmap(p, len);
		return NULL;
	}
	return p; /* zero-filled: nothing left */
}

/* This thread's pool, made at its first use; NULL when it cannot have one. */
static struct random_pool *pool_get(void)
{
	void *p;

	pthread_once(&pool_once, pool_key_make);
	if (!pool_key_ok)
		return NULL;
	p = pthread_getspecific(pool_key);
	if (p == NO_POOL)
		return NULL;
	if (p)
		return p;
	p = pool_new();
	if (pthread_setspecific(pool_key, p ? p : NO_POOL)) {
		pool_free(p);
		return NULL;
	}
	return p;
}

static int drbg(void *buf, size_t len)
{
	if (len > INT_MAX || RAND_priv_bytes(buf, (int)len) != 1) {
		OPENSSL_cleanse(buf, len);
		return -EIO;
	}
	return 0;
}

int skap_random(void *buf, size_t len)
{
	struct random_pool *pool;

	if (len > POOL_LEN / 2 || !(pool = pool_get()))
		return drbg(buf, len);
	if (pool->left < len) {
		if (drbg(pool->bytes, POOL_LEN)) {
			pool->left = 0;
			OPENSSL_cleanse(buf, len);
			return -EIO;
		}
		pool->left = POOL_LEN;
	}
	pool->left -= len;
	memcpy(buf, pool->bytes + pool->left, len);
	OPENSSL_cleanse(pool->bytes + pool->left, len);
	return 0;
}
