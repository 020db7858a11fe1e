// npm `jose` as an independent client of a running coved (issue #6 Must-show):
// the attestation token verifies with jwtVerify against /certs
// (createLocalJWKSet) and against its jku (createRemoteJWKSet), with the
// issuer and algorithm expected; the KBS resource's flattened JWE decrypts
// with flattenedDecrypt and the TEE private key that node generated and sent
// as tee-pubkey; the Secure Key Release JWS verifies with compactVerify and
// its key_hsm unwraps (RSA-OAEP SHA-1 + AES-KWP) to the stored key.
// Env: BASE (= coved's issuer), ALG (RS256, ES256 or ES384), ADMIN, PLAT, COVE_BIN.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as jose from 'jose';

const { BASE, ALG, ADMIN, PLAT, COVE_BIN } = process.env;
let fails = 0;
const fail = (m) => { console.log(`FAIL [${ALG}]: ${m}`); fails++; };
const check = (c, m) => { if (!c) fail(m); };
const MRE = 'e1'.repeat(32), MRS = '51'.repeat(32);

function jcs(v) {
	if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
	if (v && typeof v === 'object')
		return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${jcs(v[k])}`).join(',')}}`;
	return JSON.stringify(v);
}
function sgxQuote(reportDataHex) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jose-q-'));
	const out = path.join(dir, 'q.bin');
	execFileSync(COVE_BIN, ['sgx', 'emulate', '--state-dir', PLAT, '--mrenclave', MRE, '--mrsigner', MRS,
		'--report-data', reportDataHex, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
	const q = fs.readFileSync(out);
	fs.rmSync(dir, { recursive: true });
	return q;
}
async function call(method, p, { body, cookie, admin, raw } = {}) {
	const headers = {};
	if (cookie) headers.cookie = cookie;
	if (admin) headers.authorization = `Bearer ${ADMIN}`;
	const r = await fetch(BASE + p, { method, headers, body: body === undefined ? undefined : raw ? body : JSON.stringify(body) });
	const text = await r.text();
	let json = null;
	try { json = JSON.parse(text); } catch { /* not JSON */ }
	const sc = r.headers.get('set-cookie');
	return { status: r.status, json, text, cookie: sc ? sc.split(';')[0] : null };
}

const jwks = (await call('GET', '/certs')).json;
check(jwks && Array.isArray(jwks.keys) && jwks.keys.length > 0, '/certs is not a JWKS');
const JWKS = jose.createLocalJWKSet(jwks);
const remote = jose.createRemoteJWKSet(new URL(`${BASE}/certs`));
const opts = { issuer: BASE, algorithms: [ALG] };

async function verifyToken(token, what) {
	try {
		const { payload, protectedHeader } = await jose.jwtVerify(token, JWKS, opts);
		check(protectedHeader.alg === ALG, `${what}: alg ${protectedHeader.alg}`);
		check(protectedHeader.jku === `${BASE}/certs`, `${what}: jku ${protectedHeader.jku}`);
		check(typeof protectedHeader.kid === 'string', `${what}: no kid`);
		check(payload.exp > payload.iat, `${what}: exp`);
		await jose.jwtVerify(token, remote, opts);
		return payload;
	} catch (err) {
		fail(`${what}: jwtVerify: ${err.code || ''} ${err.message}`);
		return null;
	}
}

// ---- KBS: EC P-256 TEE key, ECDH-ES+A256KW ----
const secret = crypto.randomBytes(40);
const up = await call('POST', '/kbs/v0/resource/default/jose/s1', { body: secret, raw: true, admin: true });
check(up.status === 200, `resource upload: ${up.status} ${up.text}`);
const tee = await jose.generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true });
const teeJwk = { ...(await jose.exportJWK(tee.publicKey)), alg: 'ECDH-ES+A256KW' };
const a = await call('POST', '/kbs/v0/auth', { body: { version: '0.4.0', tee: 'sgx', 'extra-params': '' } });
check(a.status === 200 && a.cookie, `kbs auth: ${a.status} ${a.text}`);
const runtime = { nonce: a.json && a.json.nonce, 'tee-pubkey': teeJwk };
const rd = Buffer.concat([crypto.createHash('sha384').update(jcs(runtime)).digest(), Buffer.alloc(16)]);
const quote = sgxQuote(rd.toString('hex'));
const at = await call('POST', '/kbs/v0/attest', {
	cookie: a.cookie,
	body: { 'runtime-data': runtime, 'tee-evidence': { primary_evidence: { quote: quote.toString('base64') }, additional_evidence: '' } },
});
if (at.status !== 200) fail(`kbs attest: ${at.status} ${at.text}`);
else {
	const claims = await verifyToken(at.json.token, 'KBS token');
	if (claims) check(claims['x-ms-sgx-mrenclave'] === MRE, 'KBS token: x-ms-sgx-mrenclave');
	// A token with one flipped signature byte must not verify: the checks above can fail.
	const [h, p, s] = at.json.token.split('.');
	const sig = Buffer.from(s, 'base64url');
	sig[5] ^= 0x40;
	await jose.jwtVerify(`${h}.${p}.${sig.toString('base64url')}`, JWKS, opts).then(
		() => fail('a token with a corrupted signature verified'), () => {});
	await jose.jwtVerify(at.json.token, JWKS, { ...opts, issuer: 'https://other.example' }).then(
		() => fail('jwtVerify ignored the issuer'), () => {});
	const r = await call('GET', '/kbs/v0/resource/default/jose/s1', { cookie: at.cookie || a.cookie });
	if (r.status !== 200) fail(`resource GET: ${r.status} ${r.text}`);
	else {
		try {
			const { plaintext, protectedHeader } = await jose.flattenedDecrypt(r.json, tee.privateKey);
			check(protectedHeader.alg === 'ECDH-ES+A256KW' && protectedHeader.enc === 'A256GCM',
				`JWE header ${JSON.stringify(protectedHeader)}`);
			check(Buffer.from(plaintext).equals(secret), 'the decrypted resource is not the uploaded one');
		} catch (err) { fail(`flattenedDecrypt: ${err.code || ''} ${err.message}`); }
		const other = await jose.generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256' });
		await jose.flattenedDecrypt(r.json, other.privateKey).then(
			() => fail('another key decrypted the JWE'), () => {});
	}
}

// ---- MAA SgxEnclave + Secure Key Release to an RSA TEE key ----
const rsa = await jose.generateKeyPair('RSA-OAEP-256', { modulusLength: 2048, extractable: true });
const rsaJwk = { ...(await jose.exportJWK(rsa.publicKey)), key_ops: ['encrypt'], kid: 'jose-tee' };
const rtBytes = Buffer.from(JSON.stringify({ keys: [rsaJwk] }));
const q2 = sgxQuote(crypto.createHash('sha256').update(rtBytes).digest('hex'));
const maa = await call('POST', '/attest/SgxEnclave', {
	body: { quote: q2.toString('base64url'), runtimeData: { data: rtBytes.toString('base64url'), dataType: 'JSON' } },
});
if (maa.status !== 200) fail(`attest SgxEnclave: ${maa.status} ${maa.text}`);
else {
	const claims = await verifyToken(maa.json.token, 'MAA token');
	if (claims) {
		check(claims['x-ms-attestation-type'] === 'sgx', 'MAA token: x-ms-attestation-type');
		check(claims['x-ms-runtime'] && claims['x-ms-runtime'].keys[0].n === rsaJwk.n, 'MAA token: x-ms-runtime');
	}
	const key = crypto.randomBytes(32);
	const policy = { version: '1.0.0', anyOf: [{ authority: BASE, allOf: [{ claim: 'x-ms-attestation-type', equals: 'sgx' }] }] };
	const put = await call('PUT', '/keys/jk1', { admin: true, body: { key: { kty: 'oct', k: key.toString('base64url') }, release_policy: policy } });
	check(put.status === 200, `PUT /keys/jk1: ${put.status} ${put.text}`);
	const hashOf = { CKM_RSA_AES_KEY_WRAP: 'sha1', RSA_AES_KEY_WRAP_256: 'sha256', RSA_AES_KEY_WRAP_384: 'sha384' };
	for (const enc of [undefined, 'CKM_RSA_AES_KEY_WRAP', 'RSA_AES_KEY_WRAP_256']) {
	const rel = await call('POST', '/keys/jk1/release', { body: { target: maa.json.token, ...(enc ? { enc } : {}) } });
	if (rel.status !== 200) fail(`release (${enc || 'default enc'}): ${rel.status} ${rel.text}`);
	else {
		try {
			const { payload, protectedHeader } = await jose.compactVerify(rel.json.value, JWKS, { algorithms: [ALG] });
			check(protectedHeader.alg === ALG, `release JWS alg ${protectedHeader.alg}`);
			const body = JSON.parse(Buffer.from(payload).toString());
			const hsm = JSON.parse(Buffer.from(body.response.key.key.key_hsm, 'base64url'));
			check(hsm.header.kid === 'jose-tee', `key_hsm kid ${hsm.header.kid}`);
			check(!enc || hsm.header.enc === enc, `key_hsm enc ${hsm.header.enc}, asked for ${enc}`);
			check(hashOf[hsm.header.enc], `key_hsm enc ${hsm.header.enc}`);
			const wrapped = Buffer.from(hsm.ciphertext, 'base64url');
			const aes = crypto.privateDecrypt({ key: rsa.privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hashOf[hsm.header.enc] },
				wrapped.subarray(0, 256));
			const d = crypto.createDecipheriv('id-aes256-wrap-pad', aes, Buffer.from('A65959A6', 'hex'));
			const got = Buffer.concat([d.update(wrapped.subarray(256)), d.final()]);
			check(got.equals(key), 'the released key is not the stored one');
		} catch (err) { fail(`release JWS (${enc || 'default enc'}): ${err.code || ''} ${err.message}`); }
	}
	}
}

if (fails) { console.log(`${fails} check(s) failed`); process.exit(1); }
console.log(`jose [${ALG}]: all checks passed`);
