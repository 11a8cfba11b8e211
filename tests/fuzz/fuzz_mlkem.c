// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: ML-KEM-768 on bytes from outside. The first byte picks
 * the entry point:
 *   0: Encaps(ek, m) on any 1184 + 32 bytes: refused exactly when some
 *      coefficient of ek is q or more (checked here independently), and
 *      deterministic otherwise.
 *   1: Decaps(dk, ct) with dk from KeyGen(seed): never fails, deterministic.
 *   2: Decaps(dk, ct) on any dk: refused exactly when H(ek) != h.
 */

#include <skap/keccak.h>
#include <skap/mlkem.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Copies up to LEN bytes of input into OUT, zero-padding the rest. */
static void take(uint8_t *out, size_t len, const uint8_t **data, size_t *size)
{
	size_t n = *size < len ? *size : len;

	memcpy(out, *data, n);
	memset(out + n, 0, len - n);
	*data += n;
	*size -= n;
}

static int ek_valid(const uint8_t *ek)
{
	for (size_t i = 0; i < 1152; i += 3) {
		unsigned int a = ek[i] | (ek[i + 1] & 0x0f) << 8;
		unsigned int b = ek[i + 1] >> 4 | ek[i + 2] << 4;

		if (a >= 3329 || b >= 3329)
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t ek[SKAP_MLKEM768_EK_LEN], dk[SKAP_MLKEM768_DK_LEN];
	static uint8_t ct[SKAP_MLKEM768_CT_LEN], ct2[SKAP_MLKEM768_CT_LEN];
	uint8_t m[32], seed[64], ss[32], ss2[32], h[32];
	int ret;

	if (size < 1)
		return 0;
	switch (*data++ % 3) {
	case 0:
		size--;
		take(ek, sizeof(ek), &data, &size);
		take(m, sizeof(m), &data, &size);
		ret = skap_mlkem768_encaps_derand(ek, m, ct, ss);
		if ((ret == 0) != ek_valid(ek) || (ret && ret != -EINVAL))
			abort();
		if (!ret) {
			/* Deterministic in (ek, m). */
			if (skap_mlkem768_encaps_derand(ek, m, ct2, ss2) || memcmp(ct, ct2, sizeof(ct)) ||
			    memcmp(ss, ss2, 32))
				abort();
		}
		break;
	case 1:
		size--;
		take(seed, sizeof(seed), &data, &size);
		take(ct, sizeof(ct), &data, &size);
		skap_mlkem768_keygen_derand(seed, seed + 32, ek, dk);
		if (skap_mlkem768_decaps(dk, ct, ss) || skap_mlkem768_decaps(dk, ct, ss2) ||
		    memcmp(ss, ss2, 32))
			abort();
		break;
	case 2:
		size--;
		take(dk, sizeof(dk), &data, &size);
		take(ct, sizeof(ct), &data, &size);
		skap_sha3_256(dk + 1152, 1184, h);
		ret = skap_mlkem768_decaps(dk, ct, ss);
		if ((ret == 0) != (memcmp(h, dk + 1152 + 1184, 32) == 0) || (ret && ret != -EINVAL))
			abort();
		break;
	}
	return 0;
}
