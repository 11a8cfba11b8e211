// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: X-Wing on bytes from outside. Byte 0 even: Encaps on
 * any public key and encapsulation seed (refused only for an ML-KEM part
 * that fails the modulus check or a low-order X25519 share); odd: Decaps
 * of any ciphertext under a key from the input's seed, deterministic.
 */

#include <skap/xwing.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void take(uint8_t *out, size_t len, const uint8_t **data, size_t *size)
{
	size_t n = *size < len ? *size : len;

	memcpy(out, *data, n);
	memset(out + n, 0, len - n);
	*data += n;
	*size -= n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pk[SKAP_XWING_PK_BYTES], ct[SKAP_XWING_CT_BYTES];
	uint8_t sk[SKAP_XWING_SK_LEN], eseed[SKAP_XWING_ESEED_LEN], ss[32], ss2[32];
	int ret, ret2;

	if (size < 1)
		return 0;
	size--;
	if (!(*data++ & 1)) {
		take(pk, sizeof(pk), &data, &size);
		take(eseed, sizeof(eseed), &data, &size);
		ret = skap_xwing_encaps_derand(pk, eseed, ct, ss);
		if (ret && ret != -EINVAL && ret != -EIO)
			abort();
	} else {
		take(sk, sizeof(sk), &data, &size);
		take(ct, sizeof(ct), &data, &size);
		if (skap_xwing_public_key(sk, pk))
			abort();
		ret = skap_xwing_decaps(sk, ct, ss);
		ret2 = skap_xwing_decaps(sk, ct, ss2);
		if (ret != ret2 || (!ret && memcmp(ss, ss2, 32)))
			abort();
	}
	return 0;
}
