// The KBS protocol 0.4.0 against a running coved, with node's own crypto only
// (no JOSE library: the flattened JWE is taken apart by hand, RFC 7516/7518):
// auth -> nonce + cookie; runtime-data {nonce, tee-pubkey} bound by
// SHA-384(JCS(runtime-data)) in an emulated SGX quote's report data; attest ->
// token; admin upload of a resource; GET it with the cookie -> flattened JWE,
// ECDH-ES+A256KW / A256GCM decrypted with the TEE private key; the RSA-OAEP-256
// variant too; and the refusals: wrong nonce, no session, version 0.2.0.
// Env: BASE, ADMIN, COVE_BIN, PLAT.  Exit 0 when every check passes.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const { BASE, ADMIN, COVE_BIN, PLAT } = process.env;
let fails = 0;
const fail = (m) => { console.log(`FAIL: ${m}`); fails++; };
const check = (c, m) => { if (!c) fail(m); };
const b64u = (b) => Buffer.from(b).toString('base64url');
const MRE = 'e1'.repeat(32), MRS = '51'.repeat(32);

// RFC 8785 for what runtime-data holds (objects, strings, arrays).
function jcs(v) {
	if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
	if (v && typeof v === 'object')
		return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${jcs(v[k])}`).join(',')}}`;
	return JSON.stringify(v);
}

async function call(method, p, { body, cookie, admin, raw } = {}) {
	const headers = {};
	if (body !== undefined && !raw) headers['content-type'] = 'application/json';
	if (cookie) headers.cookie = cookie;
	if (admin) headers.authorization = `Bearer ${ADMIN}`;
	const r = await fetch(BASE + p, { method, headers, body: body === undefined ? undefined : raw ? body : JSON.stringify(body) });
	const text = await r.text();
	let json = null;
	try { json = JSON.parse(text); } catch { /* not JSON */ }
	const sc = r.headers.get('set-cookie');
	return { status: r.status, json, text, cookie: sc ? sc.split(';')[0] : null };
}

function sgxQuote(reportDataHex) {
	const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kbs-q-')), 'q.bin');
	execFileSync(COVE_BIN, ['sgx', 'emulate', '--state-dir', PLAT, '--mrenclave', MRE, '--mrsigner', MRS,
		'--report-data', reportDataHex, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
	const q = fs.readFileSync(out);
	fs.rmSync(path.dirname(out), { recursive: true });
	return q;
}

// Concat KDF (RFC 7518 4.6.2) for ECDH-ES+A256KW: 256 bits of key for the AES key wrap.
function concatKdf(z, alg, apu, apv, bits) {
	const be32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
	const lp = (b) => Buffer.concat([be32(b.length), b]);
	const other = Buffer.concat([lp(Buffer.from(alg)), lp(apu), lp(apv), be32(bits)]);
	return crypto.createHash('sha256').update(Buffer.concat([be32(1), z, other])).digest().subarray(0, bits / 8);
}

function decryptJwe(jwe, priv) {
	for (const f of ['protected', 'encrypted_key', 'iv', 'ciphertext', 'tag'])
		if (typeof jwe[f] !== 'string') throw new Error(`JWE member ${f} missing`);
	const hdr = JSON.parse(Buffer.from(jwe.protected, 'base64url'));
	if (hdr.enc !== 'A256GCM') throw new Error(`enc ${hdr.enc}`);
	let cek;
	if (hdr.alg === 'ECDH-ES+A256KW') {
		const epk = crypto.createPublicKey({ key: hdr.epk, format: 'jwk' });
		const z = crypto.diffieHellman({ privateKey: priv, publicKey: epk });
		const kek = concatKdf(z, hdr.alg, Buffer.from(hdr.apu || '', 'base64url'), Buffer.from(hdr.apv || '', 'base64url'), 256);
		const d = crypto.createDecipheriv('id-aes256-wrap', kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
		cek = Buffer.concat([d.update(Buffer.from(jwe.encrypted_key, 'base64url')), d.final()]);
	} else if (hdr.alg === 'RSA-OAEP-256') {
		cek = crypto.privateDecrypt({ key: priv, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
			Buffer.from(jwe.encrypted_key, 'base64url'));
	} else throw new Error(`alg ${hdr.alg}`);
	const aad = jwe.aad ? `${jwe.protected}.${jwe.aad}` : jwe.protected;
	const g = crypto.createDecipheriv('aes-256-gcm', cek, Buffer.from(jwe.iv, 'base64url'));
	g.setAAD(Buffer.from(aad, 'ascii'));
	g.setAuthTag(Buffer.from(jwe.tag, 'base64url'));
	return { hdr, plain: Buffer.concat([g.update(Buffer.from(jwe.ciphertext, 'base64url')), g.final()]) };
}

// One attested session for a TEE key pair; returns {cookie, token} or null.
async function session(pub, { alg, hash = 'sha384', tamperNonce = false } = {}) {
	const a = await call('POST', '/kbs/v0/auth', { body: { version: '0.4.0', tee: 'sgx', 'extra-params': '' } });
	if (a.status !== 200) { fail(`auth: ${a.status} ${a.text}`); return null; }
	check(typeof a.json.nonce === 'string' && Buffer.from(a.json.nonce, 'base64').length >= 16, `auth nonce: ${a.text}`);
	check(a.cookie && a.cookie.startsWith('kbs-session-id='), `auth cookie: ${a.cookie}`);
	const jwk = pub.export({ format: 'jwk' });
	const runtime = { nonce: tamperNonce ? b64u(crypto.randomBytes(32)) : a.json.nonce, 'tee-pubkey': { ...jwk, alg } };
	const md = crypto.createHash(hash).update(jcs(runtime)).digest();
	const rd = Buffer.concat([md, Buffer.alloc(64 - md.length)]);
	const quote = sgxQuote(rd.toString('hex'));
	const t = await call('POST', '/kbs/v0/attest', {
		cookie: a.cookie,
		body: { 'runtime-data': runtime, 'tee-evidence': { primary_evidence: { quote: quote.toString('base64') }, additional_evidence: '' } },
	});
	return { status: t.status, json: t.json, text: t.text, cookie: t.cookie || a.cookie, token: t.json && t.json.token, runtime, nonce: a.json.nonce, authCookie: a.cookie, quote };
}

const secret = crypto.randomBytes(48);
const up = await call('POST', '/kbs/v0/resource/default/test/secret1', { body: secret, raw: true, admin: true });
check(up.status === 200, `admin resource upload: ${up.status} ${up.text}`);
const up2 = await call('POST', '/kbs/v0/resource/default/test/json1', { body: { data: Buffer.from('hello tee').toString('base64') }, admin: true });
check(up2.status === 200, `admin resource upload (JSON form): ${up2.status} ${up2.text}`);
const noadm = await call('POST', '/kbs/v0/resource/default/test/secret2', { body: 'x', raw: true });
check(noadm.status === 401, `resource upload without admin: ${noadm.status}`);

// EC P-256, ECDH-ES+A256KW.
const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const s1 = await session(ec.publicKey, { alg: 'ECDH-ES+A256KW' });
if (s1 && s1.status === 200) {
	const claims = JSON.parse(Buffer.from(s1.token.split('.')[1], 'base64url'));
	check(claims['x-ms-attestation-type'] === 'sgx', `token type ${claims['x-ms-attestation-type']}`);
	check(claims['tee-pubkey'] && claims['tee-pubkey'].x === s1.runtime['tee-pubkey'].x, 'token lacks tee-pubkey');
	const r = await call('GET', '/kbs/v0/resource/default/test/secret1', { cookie: s1.cookie });
	if (r.status !== 200) fail(`resource GET: ${r.status} ${r.text}`);
	else {
		try {
			const { hdr, plain } = decryptJwe(r.json, ec.privateKey);
			check(hdr.alg === 'ECDH-ES+A256KW', `JWE alg ${hdr.alg}`);
			check(plain.equals(secret), 'the decrypted resource is not the uploaded one');
		} catch (err) { fail(`JWE decryption: ${err.message}`); }
		// Tampering with the ciphertext breaks the tag: the check above could fail.
		const bad = { ...r.json, ciphertext: b64u(Buffer.from(r.json.ciphertext, 'base64url').map((b, i) => (i === 0 ? b ^ 1 : b))) };
		let threw = false;
		try { decryptJwe(bad, ec.privateKey); } catch { threw = true; }
		check(threw, 'a tampered JWE decrypted');
	}
	const j = await call('GET', '/kbs/v0/resource/default/test/json1', { cookie: s1.cookie });
	try { check(j.status === 200 && decryptJwe(j.json, ec.privateKey).plain.toString() === 'hello tee', `JSON-form resource: ${j.status}`); }
	catch (err) { fail(`JSON-form resource: ${err.message}`); }
	// Bearer token instead of the cookie.
	const b = await fetch(`${BASE}/kbs/v0/resource/default/test/secret1`, { headers: { authorization: `Bearer ${s1.token}` } });
	const bj = await b.json().catch(() => null);
	try { check(b.status === 200 && decryptJwe(bj, ec.privateKey).plain.equals(secret), `resource with a Bearer token: ${b.status}`); }
	catch (err) { fail(`resource with a Bearer token: ${err.message}`); }
	const missing = await call('GET', '/kbs/v0/resource/default/test/nope', { cookie: s1.cookie });
	check(missing.status === 404, `missing resource: ${missing.status}`);
	// Someone else's key: the session is tied to its tee-pubkey, so another key cannot decrypt.
	const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const r2 = await call('GET', '/kbs/v0/resource/default/test/secret1', { cookie: s1.cookie });
	let threw = false;
	try { decryptJwe(r2.json, other.privateKey); } catch { threw = true; }
	check(threw, 'another private key decrypted the resource');
} else fail(`attest (EC): ${s1 && s1.status} ${s1 && s1.text}`);

// Resource policies (release policies over the session's claims, coved as authority).
const pol = (t) => ({ version: '1.0.0', anyOf: [{ authority: BASE, allOf: [{ claim: 'x-ms-attestation-type', equals: t }] }] });
const upP = await call('POST', '/kbs/v0/resource/default/test/sgxonly', { admin: true, body: { data: secret.toString('base64'), policy: pol('sgx') } });
const upD = await call('POST', '/kbs/v0/resource/default/test/snponly', { admin: true, body: { data: secret.toString('base64'), policy: pol('sevsnpvm') } });
check(upP.status === 200 && upD.status === 200, `uploads with policies: ${upP.status} ${upD.status} ${upD.text}`);
if (s1 && s1.status === 200) {
	const ok = await call('GET', '/kbs/v0/resource/default/test/sgxonly', { cookie: s1.cookie });
	try { check(ok.status === 200 && decryptJwe(ok.json, ec.privateKey).plain.equals(secret), `resource whose policy holds: ${ok.status} ${ok.text}`); }
	catch (err) { fail(`resource whose policy holds: ${err.message}`); }
	const no = await call('GET', '/kbs/v0/resource/default/test/snponly', { cookie: s1.cookie });
	check(no.status === 401 || no.status === 403, `resource whose policy does not hold: ${no.status} ${no.text}`);
	check(!(no.json && no.json.ciphertext), 'a denied resource carries a JWE');
}
// An MAA token (no tee-pubkey) is no KBS credential.
const maaQuote = sgxQuote('00');
const maa = await call('POST', '/attest/SgxEnclave', { body: { quote: maaQuote.toString('base64url') } });
check(maa.status === 200, `MAA attest: ${maa.status}`);
if (maa.status === 200) {
	const r = await fetch(`${BASE}/kbs/v0/resource/default/test/secret1`, { headers: { authorization: `Bearer ${maa.json.token}` } });
	const t = await r.text();
	check(r.status >= 400 && r.status < 500 && !/ciphertext/.test(t), `resource with an MAA token: ${r.status} ${t}`);
}

// RSA-2048, RSA-OAEP-256; and SHA-256 as the binding hash.
const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const s2 = await session(rsa.publicKey, { alg: 'RSA-OAEP-256', hash: 'sha256' });
if (s2 && s2.status === 200) {
	const r = await call('GET', '/kbs/v0/resource/default/test/secret1', { cookie: s2.cookie });
	try {
		const { hdr, plain } = decryptJwe(r.json, rsa.privateKey);
		check(hdr.alg === 'RSA-OAEP-256' && plain.equals(secret), `RSA JWE: alg ${hdr.alg}`);
	} catch (err) { fail(`RSA JWE: ${r.status} ${err.message}`); }
} else fail(`attest (RSA): ${s2 && s2.status} ${s2 && s2.text}`);

// Refusals.
const wrong = await session(ec.publicKey, { alg: 'ECDH-ES+A256KW', tamperNonce: true });
check(wrong && wrong.status === 401, `wrong nonce: ${wrong && wrong.status} ${wrong && wrong.text}`);
check(!(wrong && wrong.json && wrong.json.token), 'a token for a wrong nonce');
const afterWrong = await call('GET', '/kbs/v0/resource/default/test/secret1', { cookie: wrong.authCookie });
check(afterWrong.status === 401, `resource with a session that failed attestation: ${afterWrong.status}`);
const v2 = await call('POST', '/kbs/v0/auth', { body: { version: '0.2.0', tee: 'sgx', 'extra-params': '' } });
check(v2.status === 400 && v2.json && /ProtocolVersion/.test(v2.json.type || ''), `version 0.2.0: ${v2.status} ${v2.text}`);
check(!v2.cookie, 'a cookie for version 0.2.0');
const tee = await call('POST', '/kbs/v0/auth', { body: { version: '0.4.0', tee: 'az-snp-vtpm-nonsense' } });
check(tee.status === 400, `unknown tee: ${tee.status}`);
const noSess = await call('POST', '/kbs/v0/attest', { body: s1 ? { 'runtime-data': s1.runtime, 'tee-evidence': { primary_evidence: { quote: s1.quote.toString('base64') } } } : {} });
check(noSess.status === 401, `attest without a session: ${noSess.status} ${noSess.text}`);
const bogus = await call('POST', '/kbs/v0/attest', { cookie: 'kbs-session-id=0123456789abcdef0123456789abcdef', body: {} });
check(bogus.status === 401, `attest with an unknown session: ${bogus.status}`);
const noCookie = await call('GET', '/kbs/v0/resource/default/test/secret1');
check(noCookie.status === 401, `resource without a session: ${noCookie.status}`);
// A session not yet attested gets no resource.
const a = await call('POST', '/kbs/v0/auth', { body: { version: '0.4.0', tee: 'sgx', 'extra-params': '' } });
const early = await call('GET', '/kbs/v0/resource/default/test/secret1', { cookie: a.cookie });
check(early.status === 401, `resource before attest: ${early.status}`);
// Evidence bound to a different runtime-data (the report data of another nonce).
if (s1) {
	const runtime = { nonce: a.json.nonce, 'tee-pubkey': s1.runtime['tee-pubkey'] };
	const t = await call('POST', '/kbs/v0/attest', { cookie: a.cookie, body: { 'runtime-data': runtime, 'tee-evidence': { primary_evidence: { quote: s1.quote.toString('base64') }, additional_evidence: '' } } });
	check(t.status === 401 && !(t.json && t.json.token), `replayed quote under a new nonce: ${t.status} ${t.text}`);
}
const badJson = await call('POST', '/kbs/v0/auth', { body: '{"version": ', raw: true });
check(badJson.status === 400, `malformed auth JSON: ${badJson.status}`);

if (fails) { console.log(`${fails} check(s) failed`); process.exit(1); }
console.log('kbs: all checks passed');
