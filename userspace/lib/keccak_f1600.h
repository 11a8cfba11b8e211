/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keccak-f[1600] written once for two lane types: keccak.c includes it with
 * 64-bit lanes, keccak_x4.c with vectors of four 64-bit lanes (four
 * independent states, one per vector element; GCC's vector extensions give
 * the same operators). The includer defines KECCAK_LANE, KECCAK_F1600_NAME
 * and KECCAK_F1600_ATTR (empty, or a target attribute).
 */

#define ROTL64(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

static const uint64_t KECCAK_RC[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
	0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
	0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
	0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/*
 * One permutation, each round written out lane by lane (theta, rho and pi,
 * chi, iota of FIPS 202 section 3.2) so that the lanes stay in registers.
 * The rho offsets are ((t + 1)(t + 2) / 2) mod 64 along the (x, y) ->
 * (y, 2x + 3y) walk from (1, 0), as in section 3.2.2.
 */
KECCAK_F1600_ATTR static void KECCAK_F1600_NAME(KECCAK_LANE s[25])
{
	KECCAK_LANE a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24;
	KECCAK_LANE b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22, b23, b24;
	KECCAK_LANE c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;

	a0 = s[0];
	a1 = s[1];
	a2 = s[2];
	a3 = s[3];
	a4 = s[4];
	a5 = s[5];
	a6 = s[6];
	a7 = s[7];
	a8 = s[8];
	a9 = s[9];
	a10 = s[10];
	a11 = s[11];
	a12 = s[12];
	a13 = s[13];
	a14 = s[14];
	a15 = s[15];
	a16 = s[16];
	a17 = s[17];
	a18 = s[18];
	a19 = s[19];
	a20 = s[20];
	a21 = s[21];
	a22 = s[22];
	a23 = s[23];
	a24 = s[24];
	for (int round = 0; round < 24; round++) {
		/* theta */
		c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
		c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
		c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
		c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
		c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
		d0 = c4 ^ ROTL64(c1, 1);
		d1 = c0 ^ ROTL64(c2, 1);
		d2 = c1 ^ ROTL64(c3, 1);
		d3 = c2 ^ ROTL64(c4, 1);
		d4 = c3 ^ ROTL64(c0, 1);
		/* rho and pi: B[y][2x + 3y] = rot(A[x][y] ^ D[x], r[x][y]) */
		b0 = a0 ^ d0;
		b10 = ROTL64(a1 ^ d1, 1);
		b20 = ROTL64(a2 ^ d2, 62);
		b5 = ROTL64(a3 ^ d3, 28);
		b15 = ROTL64(a4 ^ d4, 27);
		b16 = ROTL64(a5 ^ d0, 36);
		b1 = ROTL64(a6 ^ d1, 44);
		b11 = ROTL64(a7 ^ d2, 6);
		b21 = ROTL64(a8 ^ d3, 55);
		b6 = ROTL64(a9 ^ d4, 20);
		b7 = ROTL64(a10 ^ d0, 3);
		b17 = ROTL64(a11 ^ d1, 10);
		b2 = ROTL64(a12 ^ d2, 43);
		b12 = ROTL64(a13 ^ d3, 25);
		b22 = ROTL64(a14 ^ d4, 39);
		b23 = ROTL64(a15 ^ d0, 41);
		b8 = ROTL64(a16 ^ d1, 45);
		b18 = ROTL64(a17 ^ d2, 15);
		b3 = ROTL64(a18 ^ d3, 21);
		b13 = ROTL64(a19 ^ d4, 8);
		b14 = ROTL64(a20 ^ d0, 18);
		b24 = ROTL64(a21 ^ d1, 2);
		b9 = ROTL64(a22 ^ d2, 61);
		b19 = ROTL64(a23 ^ d3, 56);
		b4 = ROTL64(a24 ^ d4, 14);
		/* chi */
		a0 = b0 ^ (~b1 & b2);
		a1 = b1 ^ (~b2 & b3);
		a2 = b2 ^ (~b3 & b4);
		a3 = b3 ^ (~b4 & b0);
		a4 = b4 ^ (~b0 & b1);
		a5 = b5 ^ (~b6 & b7);
		a6 = b6 ^ (~b7 & b8);
		a7 = b7 ^ (~b8 & b9);
		a8 = b8 ^ (~b9 & b5);
		a9 = b9 ^ (~b5 & b6);
		a10 = b10 ^ (~b11 & b12);
		a11 = b11 ^ (~b12 & b13);
		a12 = b12 ^ (~b13 & b14);
		a13 = b13 ^ (~b14 & b10);
		a14 = b14 ^ (~b10 & b11);
		a15 = b15 ^ (~b16 & b17);
		a16 = b16 ^ (~b17 & b18);
		a17 = b17 ^ (~b18 & b19);
		a18 = b18 ^ (~b19 & b15);
		a19 = b19 ^ (~b15 & b16);
		a20 = b20 ^ (~b21 & b22);
		a21 = b21 ^ (~b22 & b23);
		a22 = b22 ^ (~b23 & b24);
		a23 = b23 ^ (~b24 & b20);
		a24 = b24 ^ (~b20 & b21);
		/* iota */
		a0 ^= KECCAK_RC[round];
	}
	s[0] = a0;
	s[1] = a1;
	s[2] = a2;
	s[3] = a3;
	s[4] = a4;
	s[5] = a5;
	s[6] = a6;
	s[7] = a7;
	s[8] = a8;
	s[9] = a9;
	s[10] = a10;
	s[11] = a11;
	s[12] = a12;
	s[13] = a13;
	s[14] = a14;
	s[15] = a15;
	s[16] = a16;
	s[17] = a17;
	s[18] = a18;
	s[19] = a19;
	s[20] = a20;
	s[21] = a21;
	s[22] = a22;
	s[23] = a23;
	s[24] = a24;
}

#undef ROTL64
