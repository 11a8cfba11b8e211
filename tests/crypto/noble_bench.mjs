// SPDX-License-Identifier: GPL-2.0
//
// @noble/post-quantum's ML-KEM-768 and X-Wing, operations per second, for
// bench/crypto.sh to set beside libskap's. Prints "name ops/s" lines with the
// names bench/crypto prints.
//
//   node noble_bench.mjs NODE_DIR [SECONDS_PER_OP]
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [nodeDir, secArg] = process.argv.slice(2);
const seconds = Number(secArg || 1);
const pkg = join(nodeDir, 'node_modules', '@noble', 'post-quantum');
const { ml_kem768 } = await import(pathToFileURL(join(pkg, 'ml-kem.js')).href);
const { ml_kem768_x25519: xwing } = await import(pathToFileURL(join(pkg, 'hybrid.js')).href);

function bench(name, op) {
	for (let i = 0; i < 20; i++) // warm up the JIT
		op();
	let n = 0;
	const t0 = process.hrtime.bigint();
	const end = t0 + BigInt(Math.round(seconds * 1e9));
	let t = t0;
	while (t < end) {
		for (let i = 0; i < 10; i++)
			op();
		n += 10;
		t = process.hrtime.bigint();
	}
	console.log(`${name} ${(n / (Number(t - t0) / 1e9)).toFixed(1)}`);
}

const seed = randomBytes(64), m = randomBytes(32);
const { publicKey: ek, secretKey: dk } = ml_kem768.keygen(seed);
const { cipherText: ct } = ml_kem768.encapsulate(ek, m);
bench('mlkem768_keygen', () => ml_kem768.keygen(seed));
bench('mlkem768_encaps', () => ml_kem768.encapsulate(ek, m));
bench('mlkem768_decaps', () => ml_kem768.decapsulate(ct, dk));
const xs = randomBytes(32);
const { publicKey: xpk, secretKey: xsk } = xwing.keygen(xs);
const { cipherText: xct } = xwing.encapsulate(xpk);
bench('xwing_keygen', () => xwing.keygen(xs));
bench('xwing_encaps', () => xwing.encapsulate(xpk));
bench('xwing_decaps', () => xwing.decapsulate(xct, xsk));
