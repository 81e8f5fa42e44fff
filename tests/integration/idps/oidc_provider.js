'use strict';
// oidc_provider.js: a real OpenID Connect provider on loopback for the
// federation tests (generic OIDC, and the Google preset through overridden
// endpoints), built on the npm package oidc-provider, which the test
// harness installs into tests/clients/node_modules.
//
//   node oidc_provider.js [CONFIG-JSON]      (or CONFIG-JSON in $OIDC_IDP_CONFIG)
//
// It listens on 127.0.0.1 (port 0 unless CONFIG.port), and prints the port
// alone on a line on stdout once it answers. The issuer is
// http://127.0.0.1:<port> (plain HTTP on loopback, which userpoold allows for
// tests). It exits when its standard input closes, so that a killed pytest
// leaves no provider behind (when standard input is a pipe).
//
// CONFIG (every key optional):
//   {"clients": [CLIENT...], "users": [USER...], "knobs": {KNOBS}}
// CLIENT: {"client_id", "client_secret", "redirect_uris": [...],
//   "token_endpoint_auth_method": "client_secret_post" (the default here) |
//   "client_secret_basic" | "none", any other oidc-provider client metadata}.
// USER: {"sub", "username" (the login name; the sub if absent), "email",
//   "email_verified", "name", "given_name", "family_name", "picture", ...
//   any other claim}. Standard claims travel by scope (openid, email,
//   profile, phone, address), in the ID token as well as from userinfo, as
//   Google does; any other claim of a user goes into both always.
//
// Endpoints are oidc-provider's, as discovery lists them:
// /.well-known/openid-configuration, /auth, /token, /me (userinfo), /jwks,
// /session/end. PKCE (S256) is accepted and, with the require_pkce knob,
// required. Sign-in: /interaction/<uid> shows a login page (input#username,
// input#password which is ignored, button#submit "Sign in", button#cancel
// "Cancel" that answers access_denied). Non-interactive sign-in, for
// scripted clients with a cookie jar: a login_hint naming a known user
// (username, sub or email), or the auto_login knob, signs that user in
// without a page; either way the next hop is a 303 to /auth/<uid> and then
// the 303 to the client's redirect_uri with code and state. Consent is
// never asked.
//
// Test administration (JSON bodies, JSON answers, no authentication; it is
// loopback):
//   POST /test/users     USER or [USER...]: add, or merge into the user with
//                        that sub (a null value removes a claim)
//   GET  /test/users     every user;  DELETE /test/users/<sub>
//   POST /test/clients   CLIENT or [CLIENT...]: add or replace
//   POST /test/knobs     merge KNOBS;  GET /test/knobs;  POST /test/reset
//                        (knobs back to their defaults, log emptied)
//   GET  /test/log       what clients sent, oldest first: [{endpoint, method,
//                        params (authorize query / token form with secrets
//                        replaced by true), auth ("basic", "post", "bearer",
//                        "query", "none"), time}]
// KNOBS (defaults in brackets):
//   auto_login [null]      username or sub signed in without a page
//   login_hint [true]      login_hint naming a user signs in without a page
//   deny [null]            an error code (access_denied) the sign-in answers
//   require_pkce [false]   refuse authorization requests without PKCE
//   id_token [null]        rewrite the ID token of the next token answers:
//     {"key": "current" | "second" (another RSA key, own kid, unpublished
//       unless publish_second_key) | "second_same_kid" (another key under
//       the published kid) | "none" (alg none, no signature) | "hs256"
//       (HMAC keyed with the published key's PEM) | "hs256_secret" (HMAC
//       keyed with the client secret),
//      "claims": {claim: value or null to remove}, e.g. {"aud": "x"},
//      {"iss": "http://evil"}, {"nonce": "n"},
//      "exp_in": seconds from now for exp (negative: already expired)}
//   publish_second_key [false]  JWKS lists the second key too (a rotation)
//   delay_ms [{}]          {endpoint: ms} before answering, endpoint one of
//                          discovery, authorize, token, userinfo, jwks
//   fail [{}]              {endpoint: status or {"status", "body"}}
// The logins counter in GET /test/knobs counts finished sign-ins.

const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const url = require('node:url');
const querystring = require('node:querystring');

const LOG_MAX = 200;
const BODY_MAX = 65536;
const STORE_MAX = 50000;	// entries of one model kept at most
const STANDARD_CLAIMS = {
	openid: ['sub'],
	email: ['email', 'email_verified'],
	profile: ['name', 'given_name', 'family_name', 'middle_name',
	    'nickname', 'preferred_username', 'profile', 'picture', 'website',
	    'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at'],
	phone: ['phone_number', 'phone_number_verified'],
	address: ['address'],
};
const KNOWN_CLAIMS = new Set([].concat(...Object.values(STANDARD_CLAIMS)));
// Request paths of the provider and the names the knobs and log use.
const ENDPOINTS = {
	'/.well-known/openid-configuration': 'discovery',
	'/auth': 'authorize',
	'/token': 'token',
	'/me': 'userinfo',
	'/jwks': 'jwks',
};

function defaultKnobs() {
	return {
		auto_login: null, login_hint: true, deny: null,
		require_pkce: false, id_token: null,
		publish_second_key: false, delay_ms: {}, fail: {},
	};
}

const state = {
	users: new Map(),	// sub -> claims (with username)
	knobs: defaultKnobs(),
	log: [],
	logins: 0,
	keys: null,		// {current, second}: {kid, privateKey, publicKey}
	clientSecrets: new Map(),
};

// An in-memory adapter for every oidc-provider model: the clients added at
// run time live here too (oidc-provider looks them up on each request).
const stores = new Map();

class MemoryAdapter {
	constructor(name) {
		this.name = name;
		if (!stores.has(name))
			stores.set(name, new Map());
		this.store = stores.get(name);
	}

	async upsert(id, payload, expiresIn) {
		const exp = expiresIn ? Date.now() + expiresIn * 1000 : null;
		this.store.delete(id);
		this.store.set(id, { payload, exp });
		// A benchmark signs in without end: the oldest entries go.
		if (this.store.size > STORE_MAX && this.name !== 'Client')
			this.store.delete(this.store.keys().next().value);
	}

	async find(id) {
		const e = this.store.get(id);
		if (!e)
			return undefined;
		if (e.exp !== null && e.exp < Date.now()) {
			this.store.delete(id);
			return undefined;
		}
		return e.payload;
	}

	async findByUid(uid) {
		for (const [id, e] of this.store)
			if (e.payload.uid === uid)
				return this.find(id);
		return undefined;
	}

	async findByUserCode() {
		return undefined;
	}

	async consume(id) {
		const e = this.store.get(id);
		if (e)
			e.payload.consumed = Math.floor(Date.now() / 1000);
	}

	async destroy(id) {
		this.store.delete(id);
	}

	async revokeByGrantId(grantId) {
		for (const [id, e] of this.store)
			if (e.payload.grantId === grantId)
				this.store.delete(id);
	}
}

// Drop expired entries now and then (a benchmark makes many).
function sweepStores() {
	const now = Date.now();
	for (const store of stores.values())
		for (const [id, e] of store)
			if (e.exp !== null && e.exp < now)
				store.delete(id);
}

function makeKey(kid) {
	const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa',
	    { modulusLength: 2048 });
	return { kid, privateKey, publicKey };
}

function publicJwk(key) {
	return { ...key.publicKey.export({ format: 'jwk' }), kid: key.kid,
	    alg: 'RS256', use: 'sig' };
}

function clientMetadata(c) {
	const meta = { token_endpoint_auth_method: 'client_secret_post',
	    ...c };
	if (!meta.client_id)
		throw new Error('a client needs a client_id');
	if (meta.token_endpoint_auth_method === 'none')
		delete meta.client_secret;
	return meta;
}

function addClient(c) {
	const meta = clientMetadata(c);
	new MemoryAdapter('Client').upsert(meta.client_id, meta);
	state.clientSecrets.set(meta.client_id, meta.client_secret);
}

function addUser(u) {
	if (!u || typeof u.sub !== 'string' || !u.sub)
		throw new Error('a user needs a sub');
	const merged = { ...(state.users.get(u.sub) || {}), ...u };
	for (const k of Object.keys(merged))
		if (merged[k] === null)
			delete merged[k];
	state.users.set(u.sub, merged);
}

function findUser(name) {
	if (!name)
		return undefined;
	if (state.users.has(name))
		return state.users.get(name);
	for (const u of state.users.values())
		if (u.username === name || u.email === name)
			return u;
	return undefined;
}

function claimsOf(u) {
	const c = { ...u };
	delete c.username;
	delete c.password;
	return c;
}

function extraClaims(u) {
	const c = claimsOf(u);
	for (const k of Object.keys(c))
		if (KNOWN_CLAIMS.has(k))
			delete c[k];
	return c;
}

function b64url(buf) {
	return Buffer.from(buf).toString('base64url');
}

// Sign header.payload as the id_token knob says.
function signJwt(header, payload, how, clientId) {
	const keys = state.keys;
	let key = keys.current;
	let alg = 'RS256';
	let kid = keys.current.kid;
	let hmacKey = null;

	switch (how || 'current') {
	case 'current':
		break;
	case 'second':
		key = keys.second;
		kid = keys.second.kid;
		break;
	case 'second_same_kid':
		key = keys.second;
		break;
	case 'none':
		alg = 'none';
		kid = undefined;
		break;
	case 'hs256':
		alg = 'HS256';
		hmacKey = keys.current.publicKey.export({ type: 'spki',
		    format: 'pem' });
		break;
	case 'hs256_secret':
		alg = 'HS256';
		hmacKey = state.clientSecrets.get(clientId) || '';
		break;
	default:
		throw new Error('unknown id_token key ' + how);
	}
	const h = { ...header, alg };
	if (kid === undefined)
		delete h.kid;
	else
		h.kid = kid;
	const input = b64url(JSON.stringify(h)) + '.' +
	    b64url(JSON.stringify(payload));
	if (alg === 'none')
		return input + '.';
	let sig;
	if (hmacKey !== null)
		sig = crypto.createHmac('sha256', hmacKey).update(input).digest();
	else
		sig = crypto.sign('sha256', Buffer.from(input), key.privateKey);
	return input + '.' + b64url(sig);
}

function decodeJwt(token) {
	const [h, p] = token.split('.');
	return {
		header: JSON.parse(Buffer.from(h, 'base64url')),
		payload: JSON.parse(Buffer.from(p, 'base64url')),
	};
}

// The ID token as the knobs and the user's extra claims want it.
function rewriteIdToken(token) {
	const knob = state.knobs.id_token;
	const { header, payload } = decodeJwt(token);
	const user = state.users.get(payload.sub);
	const extra = user ? extraClaims(user) : {};
	if (!knob && Object.keys(extra).length === 0)
		return token;
	const p = { ...payload, ...extra };
	if (knob && knob.claims)
		for (const [k, v] of Object.entries(knob.claims)) {
			if (v === null)
				delete p[k];
			else
				p[k] = v;
		}
	if (knob && typeof knob.exp_in === 'number') {
		p.exp = Math.floor(Date.now() / 1000) + knob.exp_in;
		p.iat = Math.min(p.iat, p.exp - 60);
	}
	const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
	return signJwt(header, p, knob ? knob.key : 'current', aud);
}

function record(ctx, endpoint) {
	const body = (ctx.oidc && ctx.oidc.body) || {};
	const params = ctx.method === 'POST' ? { ...body } : { ...ctx.query };
	for (const k of ['client_secret', 'code_verifier', 'code',
	    'refresh_token', 'access_token'])
		if (k in params)
			params[k] = true;
	const authz = ctx.get('authorization');
	let auth = 'none';
	if (/^basic /i.test(authz))
		auth = 'basic';
	else if (/^bearer /i.test(authz))
		auth = 'bearer';
	else if (body.client_secret)
		auth = 'post';
	else if (ctx.query.access_token || body.access_token)
		auth = 'query';
	state.log.push({ endpoint, method: ctx.method, params, auth,
	    time: Date.now() / 1000 });
	if (state.log.length > LOG_MAX)
		state.log.shift();
}

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

// Koa middleware in front of oidc-provider's routes: the log, the delay
// and fail knobs, and the ID token and JWKS rewrites.
async function knobsMiddleware(ctx, next) {
	const endpoint = ENDPOINTS[ctx.path];
	if (!endpoint)
		return next();
	const delay = state.knobs.delay_ms[endpoint];
	if (delay)
		await sleep(delay);
	const fail = state.knobs.fail[endpoint];
	if (fail) {
		const f = typeof fail === 'object' ? fail : { status: fail };
		ctx.status = f.status || 500;
		ctx.body = f.body || { error: 'server_error',
		    error_description: 'failed by the fail knob' };
		record(ctx, endpoint);
		return undefined;
	}
	await next();
	record(ctx, endpoint);
	if (ctx.status !== 200 || !ctx.body || typeof ctx.body !== 'object')
		return undefined;
	if (endpoint === 'token' && ctx.body.id_token)
		ctx.body = { ...ctx.body,
		    id_token: rewriteIdToken(ctx.body.id_token) };
	else if (endpoint === 'userinfo') {
		const user = state.users.get(ctx.body.sub);
		if (user)
			ctx.body = { ...ctx.body, ...extraClaims(user) };
	} else if (endpoint === 'jwks' && state.knobs.publish_second_key)
		ctx.body = { keys: [...ctx.body.keys,
		    publicJwk(state.keys.second)] };
	return undefined;
}

function escapeHtml(s) {
	return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid, clientId, message) {
	return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Test IdP sign-in</title></head>
<body><h1>Test IdP</h1>
<p>Sign in to continue to ${escapeHtml(clientId)}</p>
${message ? `<p id="error">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>Username <input id="username" name="username" autofocus></label>
<label>Password <input id="password" name="password" type="password"></label>
<button id="submit" type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${escapeHtml(uid)}/abort">
<button id="cancel" type="submit">Cancel</button>
</form></body></html>
`;
}

function readBody(req) {
	return new Promise((resolve, reject) => {
		let size = 0;
		const chunks = [];
		req.on('data', (c) => {
			size += c.length;
			if (size > BODY_MAX) {
				reject(new Error('body too large'));
				req.destroy();
			}
			chunks.push(c);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString()));
		req.on('error', reject);
	});
}

function sendJson(res, status, obj) {
	const body = JSON.stringify(obj);
	res.writeHead(status, { 'content-type': 'application/json',
	    'content-length': Buffer.byteLength(body) });
	res.end(body);
}

async function finishLogin(provider, req, res, user) {
	state.logins++;
	await provider.interactionFinished(req, res,
	    { login: { accountId: user.sub } },
	    { mergeWithLastSubmission: false });
}

async function interaction(provider, req, res, uid, action) {
	const details = await provider.interactionDetails(req, res);
	if (details.uid !== uid)
		throw new Error('interaction mismatch');
	const clientId = details.params.client_id;
	if (action === 'abort' || state.knobs.deny) {
		await provider.interactionFinished(req, res, {
			error: state.knobs.deny || 'access_denied',
			error_description: 'the user cancelled the sign-in',
		}, { mergeWithLastSubmission: false });
		return;
	}
	if (details.prompt.name !== 'login') {
		// Consent: loadExistingGrant makes the grant, so this is rare.
		const grant = new provider.Grant({ accountId:
		    details.session.accountId, clientId });
		grant.addOIDCScope(details.params.scope);
		await provider.interactionFinished(req, res,
		    { consent: { grantId: await grant.save() } },
		    { mergeWithLastSubmission: true });
		return;
	}
	if (action === 'login') {
		const form = querystring.parse(await readBody(req));
		const user = findUser(form.username);
		if (user)
			return finishLogin(provider, req, res, user);
		res.writeHead(200, { 'content-type': 'text/html' });
		res.end(loginPage(uid, clientId, 'Unknown user'));
		return;
	}
	const auto = findUser(state.knobs.auto_login) ||
	    (state.knobs.login_hint && findUser(details.params.login_hint));
	if (auto)
		return finishLogin(provider, req, res, auto);
	res.writeHead(200, { 'content-type': 'text/html' });
	res.end(loginPage(uid, clientId));
}

async function admin(provider, req, res, path) {
	const method = req.method;
	const body = method === 'POST' ? await readBody(req) : '';
	const json = body ? JSON.parse(body) : {};
	const list = Array.isArray(json) ? json : [json];

	if (path === '/test/users' && method === 'POST') {
		list.forEach(addUser);
		return sendJson(res, 200, list.map((u) => state.users.get(u.sub)));
	}
	if (path === '/test/users' && method === 'GET')
		return sendJson(res, 200, [...state.users.values()]);
	if (path.startsWith('/test/users/') && method === 'DELETE') {
		const sub = decodeURIComponent(path.slice('/test/users/'.length));
		return sendJson(res, 200, { deleted: state.users.delete(sub) });
	}
	if (path === '/test/clients' && method === 'POST') {
		// Refused here rather than at the first authorization request.
		for (const c of list)
			await provider.Client.validate(clientMetadata(c));
		list.forEach(addClient);
		return sendJson(res, 200, { ok: true });
	}
	if (path === '/test/knobs' && method === 'POST') {
		Object.assign(state.knobs, json);
		return sendJson(res, 200, { ...state.knobs,
		    logins: state.logins });
	}
	if (path === '/test/knobs' && method === 'GET')
		return sendJson(res, 200, { ...state.knobs,
		    logins: state.logins });
	if (path === '/test/reset' && method === 'POST') {
		state.knobs = defaultKnobs();
		state.log = [];
		return sendJson(res, 200, { ok: true });
	}
	if (path === '/test/log' && method === 'GET')
		return sendJson(res, 200, state.log);
	return sendJson(res, 404, { error: 'no such admin endpoint' });
}

function configuration() {
	const claims = {};
	for (const [scope, names] of Object.entries(STANDARD_CLAIMS))
		claims[scope] = names;
	return {
		adapter: MemoryAdapter,
		clients: [],
		claims,
		conformIdTokenClaims: false,
		acceptQueryParamAccessTokens: true,
		jwks: { keys: [{ ...state.keys.current.privateKey.export(
		    { format: 'jwk' }), kid: state.keys.current.kid,
		    alg: 'RS256', use: 'sig' }] },
		cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
		features: {
			devInteractions: { enabled: false },
			revocation: { enabled: true },
			rpInitiatedLogout: { enabled: true },
		},
		pkce: { required: () => state.knobs.require_pkce },
		interactions: {
			url: (ctx, interaction) => `/interaction/${interaction.uid}`,
		},
		findAccount: async (ctx, sub) => {
			const user = state.users.get(sub);
			if (!user)
				return undefined;
			return { accountId: sub,
			    claims: async () => claimsOf(state.users.get(sub) ||
			        user) };
		},
		loadExistingGrant: async (ctx) => {
			const oidc = ctx.oidc;
			const grantId = oidc.result?.consent?.grantId ||
			    oidc.session.grantIdFor(oidc.client.clientId);
			let grant = grantId ?
			    await oidc.provider.Grant.find(grantId) : undefined;
			if (grant && grant.accountId !== oidc.session.accountId)
				grant = undefined;
			if (!grant)
				grant = new oidc.provider.Grant({
					clientId: oidc.client.clientId,
					accountId: oidc.session.accountId,
				});
			grant.addOIDCScope(oidc.params.scope || 'openid');
			await grant.save();
			return grant;
		},
		renderError: async (ctx, out) => {
			ctx.type = 'html';
			ctx.body = '<!DOCTYPE html><title>error</title>' +
			    `<pre id="error">${escapeHtml(JSON.stringify(out))}</pre>`;
		},
	};
}

function readConfig() {
	const text = process.argv[2] || process.env.OIDC_IDP_CONFIG || '{}';
	return JSON.parse(text);
}

async function main() {
	// The package lives in tests/clients/node_modules (ESM: found by path).
	const entry = require.resolve('oidc-provider',
	    { paths: [path.join(__dirname, '..', '..', 'clients')] });
	const { default: Provider } = await import(url.pathToFileURL(entry));
	const cfg = readConfig();
	const server = http.createServer();
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(cfg.port || 0, '127.0.0.1', resolve);
	});
	const port = server.address().port;
	const issuer = `http://127.0.0.1:${port}`;
	state.keys = { current: makeKey('test-key-1'),
	    second: makeKey('test-key-2') };
	(cfg.clients || []).forEach(addClient);
	(cfg.users || []).forEach(addUser);
	Object.assign(state.knobs, cfg.knobs || {});

	const provider = new Provider(issuer, configuration());
	provider.use(knobsMiddleware);
	provider.on('server_error', (ctx, err) => console.error(err));
	const callback = provider.callback();
	const route = /^\/interaction\/([^/]+)(?:\/(login|abort))?$/;

	server.on('request', (req, res) => {
		const path = req.url.split('?')[0];
		const m = route.exec(path);
		let p;
		if (path.startsWith('/test/'))
			p = admin(provider, req, res, path);
		else if (m)
			p = interaction(provider, req, res, m[1], m[2]);
		else
			return callback(req, res);
		p.catch((err) => {
			console.error(err);
			if (!res.headersSent)
				sendJson(res, 400, { error: String(err.message),
				    error_description: err.error_description });
		});
		return undefined;
	});
	setInterval(sweepStores, 60000).unref();
	if (fs.fstatSync(0).isFIFO()) {
		process.stdin.on('end', () => process.exit(0));
		process.stdin.resume();
	}
	process.stdout.write(`${port}\n`);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
