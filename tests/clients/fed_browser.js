'use strict';
// The hosted sign-in page's identity-provider buttons in headless Chromium
// (playwright-core, Debian's /usr/bin/chromium), for a relying party built
// on openid-client, tokens verified with jose against the pool's JWKS.
//
// Parameters: port (the relying party's callback server), provider (the
// button to click, #idp-<provider>; step 'button') or providers (a list:
// each button clicked in a browser context of its own, steps
// 'button-<name>'), email (typed into the e-mail field that picks a
// provider by IdpIdentifiers; step 'email', skipped without it), shots
// (screenshot directory).
// Scenario idp_buttons: discovery; the sign-in page and its buttons; a
// click on the provider's button, the provider signing the user in by
// itself (its auto_login knob), the code back at the relying party and
// its exchange; then, in a new browser context (no session), the same by
// the e-mail field. With BROWSER_WS, the running Chromium is used.

const http = require('http');
const path = require('path');
const { main } = require('./harness');

const BROWSER = '/usr/bin/chromium';

// The relying party's callback: each request resolves the next waiter.
function callbackServer(port) {
	const waiting = [];
	const srv = http.createServer((req, res) => {
		res.setHeader('Content-Type', 'text/html; charset=utf-8');
		res.end('<!DOCTYPE html><title>App</title><p>Back in the app');
		const w = waiting.shift();
		if (w)
			w(new URL(req.url, 'http://localhost:' + port));
	});
	srv.listen(port);
	return {
		next: () => new Promise((resolve) => waiting.push(resolve)),
		close: () => srv.close(),
	};
}

async function idpButtons(run, p, cfg) {
	const client = await import('openid-client');
	const jose = await import('jose');
	const { chromium } = require('playwright-core');
	const issuer = new URL(cfg.endpoint + '/' + cfg.poolId);
	const redirect = 'http://localhost:' + p.port + '/callback';
	const rp = callbackServer(p.port);
	let browser;
	try {
		const config = await run.step('discovery', async () =>
		    await client.discovery(issuer, cfg.clientId));
		const jwks = jose.createRemoteJWKSet(new URL(
		    config.serverMetadata().jwks_uri));
		browser = process.env.BROWSER_WS ?
		    await chromium.connect(process.env.BROWSER_WS) :
		    await chromium.launch({ executablePath: BROWSER,
		    args: ['--no-sandbox'] });
		const signIn = async (name, act) => {
			const ctx = await browser.newContext({
			    ignoreHTTPSErrors: true });
			const page = await ctx.newPage();
			const verifier = client.randomPKCECodeVerifier();
			const state = client.randomState();
			const nonce = client.randomNonce();
			const url = client.buildAuthorizationUrl(config, {
			    redirect_uri: redirect,
			    scope: 'openid email profile',
			    code_challenge: await client
				.calculatePKCECodeChallenge(verifier),
			    code_challenge_method: 'S256', state, nonce });
			await page.goto(url.href);
			const shown = {
			    buttons: await page.$$eval('a.idp-button',
				(as) => as.map((a) => a.className)),
			    email: await page.isVisible('#idp_identifier'),
			    password: await page.isVisible('#password') };
			await page.screenshot({ path: path.join(p.shots,
			    name + '.png'), fullPage: true });
			const back = rp.next();
			await act(page);
			const u = await back;
			const t = await client.authorizationCodeGrant(config, u, {
			    pkceCodeVerifier: verifier, expectedState: state,
			    expectedNonce: nonce });
			const id = (await jose.jwtVerify(t.id_token, jwks, {
			    issuer: issuer.href, audience: cfg.clientId,
			    algorithms: ['RS256'] })).payload;
			await ctx.close();
			return { shown, id };
		};
		const buttons = p.providers || [p.provider];
		for (const [i, name] of buttons.entries())
			await run.step(p.providers ? 'button-' + name : 'button',
			    async () => await signIn((i + 1) + '-' + name,
			    async (page) => await page.click('#idp-' + name)));
		if (p.email)
			await run.step('email', async () =>
			    await signIn('email', async (page) => {
				await page.fill('#idp_identifier', p.email);
				await page.click('#idp-email-submit');
			    }));
	} finally {
		if (browser)
			await browser.close();
		rp.close();
	}
}

main({ idp_buttons: idpButtons });
