'use strict';
// A relying party built with openid-client, a headless Chromium driven by
// playwright-core (Debian's /usr/bin/chromium, never a downloaded one),
// and jose verifying tokens against the pool's JWKS: what a web app that
// adds "Sign in" with a standard OIDC library does against the hosted UI.
//
// Parameters: port (the relying party's callback server), username,
// password, shots (the directory for a screenshot of each page).
// Scenario code_flow: discovery, the authorization request with PKCE,
// a wrong password on the sign-in page, the right one, the code
// exchange, tokens verified with jose, userInfo, refresh, a second
// authorization signed in by the hosted-UI session, revocation and
// sign-out. Scenario signup_flow: sign-up, confirmation and sign-in in a
// phone-sized window. Scenario mfa_flow: authenticator-app set-up from the
// QR code page, then a sign-in with the app's code.
//
// With BROWSER_WS in the environment (the endpoint browser_server.js
// prints), the scenario connects to that running Chromium instead of
// launching its own: one Chromium serves a whole test file.

const http = require('http');
const path = require('path');
const { main, waitCode } = require('./harness');

const BROWSER = '/usr/bin/chromium';

// The relying party's own little server: /callback and /bye.
function relyingParty(port) {
	const waiting = [];
	const srv = http.createServer((req, res) => {
		const u = new URL(req.url, 'http://localhost:' + port);
		res.setHeader('Content-Type', 'text/html; charset=utf-8');
		if (u.pathname === '/callback') {
			res.end('<!DOCTYPE html><title>App</title><p>Signed in');
			const w = waiting.shift();
			if (w)
				w(u);
		} else if (u.pathname === '/bye') {
			res.end('<!DOCTYPE html><title>App</title><p>Signed out');
		} else {
			res.statusCode = 404;
			res.end();
		}
	});
	srv.listen(port);
	return {
		next: () => new Promise((resolve) => waiting.push(resolve)),
		close: () => srv.close(),
	};
}

// The shared Chromium of BROWSER_WS, else a new headless one; close()
// ends the scenario's contexts (and a launched browser).
async function openBrowser(chromium) {
	if (process.env.BROWSER_WS)
		return await chromium.connect(process.env.BROWSER_WS);
	return await chromium.launch({ executablePath: BROWSER,
	    args: ['--no-sandbox'] });
}

async function shot(page, dir, name) {
	await page.screenshot({ path: path.join(dir, name + '.png'),
	    fullPage: true });
}

async function codeFlow(run, p, cfg) {
	const client = await import('openid-client');
	const jose = await import('jose');
	const { chromium } = require('playwright-core');
	const issuer = new URL(cfg.endpoint + '/' + cfg.poolId);
	const redirect = 'http://localhost:' + p.port + '/callback';
	const rp = relyingParty(p.port);
	let config, browser;
	try {
		await run.step('discovery', async () => {
			config = await client.discovery(issuer, cfg.clientId);
			return config.serverMetadata();
		});
		browser = await openBrowser(chromium);
		const ctx = await browser.newContext({
		    ignoreHTTPSErrors: true });
		const page = await ctx.newPage();
		const request = async () => {
			const verifier = client.randomPKCECodeVerifier();
			const req = {
				verifier,
				state: client.randomState(),
				nonce: client.randomNonce(),
			};
			req.url = client.buildAuthorizationUrl(config, {
				redirect_uri: redirect,
				scope: 'openid email profile',
				code_challenge: await client
				    .calculatePKCECodeChallenge(verifier),
				code_challenge_method: 'S256',
				state: req.state,
				nonce: req.nonce,
			});
			return req;
		};
		const first = await request();
		await run.step('loginPage', async () => {
			await page.goto(first.url.href);
			await shot(page, p.shots, '1-login');
			return { title: await page.title(),
			    label: await page.textContent('label[for=username]') };
		});
		await run.step('wrongPassword', async () => {
			await page.fill('#username', p.username);
			await page.fill('#password', 'Wr0ng-passw0rd!');
			await page.click('button[type=submit]');
			await page.waitForSelector('#error');
			await shot(page, p.shots, '2-wrong-password');
			return await page.textContent('#error');
		});
		const back = rp.next();
		const callback = await run.step('signIn', async () => {
			await page.fill('#password', p.password);
			await page.click('button[type=submit]');
			const u = await back;
			await page.waitForLoadState();
			await shot(page, p.shots, '3-back-in-the-app');
			return u.href;
		});
		const tokens = await run.step('codeGrant', async () =>
		    await client.authorizationCodeGrant(config,
		    new URL(callback), { pkceCodeVerifier: first.verifier,
		    expectedState: first.state, expectedNonce: first.nonce }));
		const jwks = jose.createRemoteJWKSet(new URL(
		    config.serverMetadata().jwks_uri));
		const id = await run.step('verifyIdToken', async () =>
		    (await jose.jwtVerify(tokens.id_token, jwks, {
			issuer: issuer.href, audience: cfg.clientId,
			algorithms: ['RS256'] })).payload);
		await run.step('verifyAccessToken', async () =>
		    (await jose.jwtVerify(tokens.access_token, jwks, {
			issuer: issuer.href, algorithms: ['RS256'] })).payload);
		await run.step('userInfo', async () =>
		    await client.fetchUserInfo(config, tokens.access_token,
		    id.sub));
		await run.step('refresh', async () => {
			const t = await client.refreshTokenGrant(config,
			    tokens.refresh_token);
			await jose.jwtVerify(t.access_token, jwks, {
			    issuer: issuer.href });
			return { scope: t.scope || null,
			    access: !!t.access_token };
		});
		const second = await request();
		const again = rp.next();
		await run.step('singleSignOn', async () => {
			await page.goto(second.url.href);
			const u = await again;
			const t = await client.authorizationCodeGrant(config, u, {
			    pkceCodeVerifier: second.verifier,
			    expectedState: second.state,
			    expectedNonce: second.nonce });
			return { sub: t.claims().sub };
		});
		await run.step('revoke', async () => {
			await client.tokenRevocation(config, tokens.refresh_token);
			return true;
		});
		await run.fails('refreshRevoked', async () =>
		    await client.refreshTokenGrant(config,
		    tokens.refresh_token));
		await run.step('logout', async () => {
			const u = new URL(config.serverMetadata()
			    .end_session_endpoint);
			u.searchParams.set('client_id', cfg.clientId);
			u.searchParams.set('logout_uri',
			    'http://localhost:' + p.port + '/bye');
			await page.goto(u.href);
			await shot(page, p.shots, '4-signed-out');
			return page.url();
		});
		await run.step('loginAfterLogout', async () => {
			const third = await request();
			await page.goto(third.url.href);
			await shot(page, p.shots, '5-login-again');
			return await page.isVisible('#password');
		});
	} finally {
		if (browser)
			await browser.close();
		rp.close();
	}
}

// Sign-up in a phone-sized window: the sign-in page's "Sign up" link, the
// form, the code from the outbox on the confirmation page, then sign-in
// and the code exchange.
async function signupFlow(run, p, cfg) {
	const client = await import('openid-client');
	const { chromium } = require('playwright-core');
	const issuer = new URL(cfg.endpoint + '/' + cfg.poolId);
	const redirect = 'http://localhost:' + p.port + '/callback';
	const rp = relyingParty(p.port);
	let browser;
	try {
		const config = await client.discovery(issuer, cfg.clientId);
		const verifier = client.randomPKCECodeVerifier();
		const state = client.randomState();
		const url = client.buildAuthorizationUrl(config, {
			redirect_uri: redirect, scope: 'openid email',
			code_challenge: await client
			    .calculatePKCECodeChallenge(verifier),
			code_challenge_method: 'S256', state });
		browser = await openBrowser(chromium);
		const ctx = await browser.newContext({ ignoreHTTPSErrors: true,
		    viewport: { width: 390, height: 844 }, isMobile: true });
		const page = await ctx.newPage();
		await run.step('signupPage', async () => {
			await page.goto(url.href);
			await page.click('text=Sign up');
			await page.waitForSelector('#attr-email');
			await shot(page, p.shots, '1-signup');
			return await page.textContent('#password-rules');
		});
		await run.step('signUp', async () => {
			await page.fill('#username', p.username);
			await page.fill('#attr-email', p.email);
			await page.fill('#password', p.password);
			await page.click('button[type=submit]');
			await page.waitForSelector('#code');
			await shot(page, p.shots, '2-confirm');
			return await page.textContent('h1');
		});
		await run.step('confirm', async () => {
			const code = await waitCode(cfg.outbox, p.email, 1);
			await page.fill('#code', code);
			await page.click('button[value=confirm]');
			await page.waitForSelector('#notice');
			await shot(page, p.shots, '3-confirmed');
			return await page.textContent('#notice');
		});
		const back = rp.next();
		const callback = await run.step('signIn', async () => {
			await page.fill('#username', p.username);
			await page.fill('#password', p.password);
			await page.click('button[type=submit]');
			return (await back).href;
		});
		await run.step('codeGrant', async () => {
			const t = await client.authorizationCodeGrant(config,
			    new URL(callback), { pkceCodeVerifier: verifier,
			    expectedState: state });
			return t.claims();
		});
	} finally {
		if (browser)
			await browser.close();
		rp.close();
	}
}

// The code of an authenticator app at `offset` seconds from now, by
// Debian's oathtool.
function totp(secret, offset) {
	const { execFileSync } = require('child_process');
	const at = Math.floor(Date.now() / 1000) + offset;
	return execFileSync('oathtool', ['--totp', '-b', '-N', '@' + at,
	    secret]).toString().trim();
}

// MFA in a pool that requires it: the first sign-in sets up an
// authenticator app from the page's QR code (the test reads the key shown
// beside it), the second asks for the app's code.
async function mfaFlow(run, p, cfg) {
	const client = await import('openid-client');
	const { chromium } = require('playwright-core');
	const issuer = new URL(cfg.endpoint + '/' + cfg.poolId);
	const redirect = 'http://localhost:' + p.port + '/callback';
	const rp = relyingParty(p.port);
	let browser;
	try {
		const config = await client.discovery(issuer, cfg.clientId);
		browser = await openBrowser(chromium);
		const signIn = async (name) => {
			const verifier = client.randomPKCECodeVerifier();
			const state = client.randomState();
			const url = client.buildAuthorizationUrl(config, {
				redirect_uri: redirect, scope: 'openid',
				code_challenge: await client
				    .calculatePKCECodeChallenge(verifier),
				code_challenge_method: 'S256', state });
			const ctx = await browser.newContext({
			    ignoreHTTPSErrors: true });
			const page = await ctx.newPage();
			await page.goto(url.href);
			await page.fill('#username', p.username);
			await page.fill('#password', p.password);
			await page.click('button[type=submit]');
			await page.waitForSelector('#code, #answer');
			await shot(page, p.shots, name);
			return { page, verifier, state };
		};
		const exchange = async (s, u) => (await client
		    .authorizationCodeGrant(config, u, {
			pkceCodeVerifier: s.verifier, expectedState: s.state }))
		    .claims().sub;
		const first = await signIn('1-set-up-app');
		const secret = await run.step('setUpPage', async () => ({
			qr: await first.page.isVisible('svg[role=img]'),
			key: await first.page.inputValue('#key') }));
		let back = rp.next();
		await run.step('setUp', async () => {
			await first.page.fill('#code', totp(secret.key, 0));
			await first.page.click('button[type=submit]');
			return await exchange(first, await back);
		});
		const second = await signIn('2-app-code');
		back = rp.next();
		await run.step('appCode', async () => {
			await second.page.fill('#answer', totp(secret.key, 30));
			await second.page.click('button[type=submit]');
			return await exchange(second, await back);
		});
	} finally {
		if (browser)
			await browser.close();
		rp.close();
	}
}

main({ code_flow: codeFlow, signup_flow: signupFlow, mfa_flow: mfaFlow });
