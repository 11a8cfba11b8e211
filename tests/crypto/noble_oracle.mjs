// SPDX-License-Identifier: GPL-2.0
//
// The independent side of the differential test: draws random deterministic
// inputs, runs them through npm's @noble/post-quantum (ml_kem768, and
// ml_kem768_x25519 = X-Wing) and writes, per KEM, a file of kemtool batch
// commands and a file of the answers noble gives ("ERROR" where noble
// refuses the input).
//
//   node noble_oracle.mjs NODE_DIR OUT_DIR CASES
//
// NODE_DIR holds node_modules/@noble/post-quantum (installed by the test into
// the build directory, never into the repository).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [nodeDir, outDir, casesArg] = process.argv.slice(2);
const cases = Number(casesArg);
if (!nodeDir || !outDir || !(cases > 0)) {
	console.error('usage: node noble_oracle.mjs NODE_DIR OUT_DIR CASES');
	process.exit(2);
}
const pkg = join(nodeDir, 'node_modules', '@noble', 'post-quantum');
const { ml_kem768 } = await import(pathToFileURL(join(pkg, 'ml-kem.js')).href);
const { ml_kem768_x25519: xwing } = await import(pathToFileURL(join(pkg, 'hybrid.js')).href);

const hex = (b) => Buffer.from(b).toString('hex');
const cat = (...a) => Buffer.concat(a.map((x) => Buffer.from(x)));
const eq = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
const attempt = (f) => {
	try {
		return f();
	} catch {
		return null;
	}
};

function mlkem() {
	const cmds = [], want = [];
	let rejected = 0, prevDk = null;
	for (let i = 0; i < cases; i++) {
		const d = randomBytes(32), z = randomBytes(32), m = randomBytes(32);
		const { publicKey: ek, secretKey: dk } = ml_kem768.keygen(cat(d, z));
		cmds.push(`keygen ${hex(d)} ${hex(z)}`);
		want.push(`${hex(ek)} ${hex(dk)}`);
		const { cipherText: ct, sharedSecret: k } = ml_kem768.encapsulate(ek, m);
		cmds.push(`encaps ${hex(ek)} ${hex(m)}`);
		want.push(`${hex(ct)} ${hex(k)}`);
		cmds.push(`decaps ${hex(dk)} ${hex(ct)}`);
		want.push(hex(ml_kem768.decapsulate(ct, dk)));
		// One flipped bit: implicit rejection, never the real secret.
		const bad = Buffer.from(ct);
		const bit = i % (bad.length * 8);
		bad[bit >> 3] ^= 1 << (bit & 7);
		const kbad = ml_kem768.decapsulate(bad, dk);
		if (eq(kbad, k))
			throw new Error('noble returned the real secret for a tampered ciphertext');
		cmds.push(`decaps ${hex(dk)} ${hex(bad)}`);
		want.push(hex(kbad));
		// The wrong key (the previous case's): its rejection value, never k.
		if (prevDk) {
			const kwrong = ml_kem768.decapsulate(ct, prevDk);
			if (eq(kwrong, k))
				throw new Error('noble returned the real secret under the wrong key');
			cmds.push(`decaps ${hex(prevDk)} ${hex(ct)}`);
			want.push(hex(kwrong));
		}
		prevDk = dk;
		// A random ciphertext.
		const rnd = randomBytes(1088);
		cmds.push(`decaps ${hex(dk)} ${hex(rnd)}`);
		want.push(hex(ml_kem768.decapsulate(rnd, dk)));
		// Every tenth case: a key with one coefficient in q..4095 (section 7.2).
		if (i % 10 === 0) {
			const badEk = Buffer.from(ek);
			const c = (i * 7) % 768, off = (c >> 1) * 3;
			const v = 3329 + (i % 767);
			if (c & 1) {
				badEk[off + 1] = (badEk[off + 1] & 0x0f) | ((v & 0x0f) << 4);
				badEk[off + 2] = v >> 4;
			} else {
				badEk[off] = v & 0xff;
				badEk[off + 1] = (badEk[off + 1] & 0xf0) | (v >> 8);
			}
			const r = attempt(() => ml_kem768.encapsulate(badEk, m));
			cmds.push(`encaps ${hex(badEk)} ${hex(m)}`);
			want.push(r ? `${hex(r.cipherText)} ${hex(r.sharedSecret)}` : 'ERROR');
			if (!r)
				rejected++;
		}
	}
	if (rejected !== Math.ceil(cases / 10))
		throw new Error(`noble accepted ${Math.ceil(cases / 10) - rejected} invalid keys`);
	return { cmds, want };
}

function xw() {
	const cmds = [], want = [];
	for (let i = 0; i < cases; i++) {
		const seed = randomBytes(32), eseed = randomBytes(64);
		const { publicKey: pk, secretKey: sk } = xwing.keygen(seed);
		cmds.push(`xwing-keygen ${hex(seed)}`);
		want.push(`${hex(pk)} ${hex(sk)}`);
		const { cipherText: ct, sharedSecret: ss } = xwing.encapsulate(pk, eseed);
		cmds.push(`xwing-encaps ${hex(pk)} ${hex(eseed)}`);
		want.push(`${hex(ct)} ${hex(ss)}`);
		cmds.push(`xwing-decaps ${hex(sk)} ${hex(ct)}`);
		want.push(hex(xwing.decapsulate(ct, sk)));
		// Tamper with the ML-KEM part (the X25519 share stays a valid point).
		const bad = Buffer.from(ct);
		const bit = (i * 13) % (1088 * 8);
		bad[bit >> 3] ^= 1 << (bit & 7);
		const sbad = xwing.decapsulate(bad, sk);
		if (eq(sbad, ss))
			throw new Error('noble returned the real X-Wing secret for a tampered ciphertext');
		cmds.push(`xwing-decaps ${hex(sk)} ${hex(bad)}`);
		want.push(hex(sbad));
	}
	return { cmds, want };
}

for (const [name, f] of [['mlkem', mlkem], ['xwing', xw]]) {
	const { cmds, want } = f();
	writeFileSync(join(outDir, `${name}.cmd`), cmds.join('\n') + '\n');
	writeFileSync(join(outDir, `${name}.want`), want.join('\n') + '\n');
}
