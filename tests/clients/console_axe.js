'use strict';
// The accessibility check of the admin console: axe-core (npm) run in
// headless Chromium over every console page reachable by links from the
// pool list and from the start paths given, signed in, and over the
// sign-in form (with and without its error message) signed out. Pages
// of any console file are found by crawling, so a new page is checked
// once something links to it. Each page's serious and critical
// violations are reported; the pytest side (test_console_a11y.py) fails
// on any.
//
// Parameters: base (https://localhost:PORT), stateDir, start (extra
// paths to visit), max (pages at most), shots (a directory for a
// screenshot of each page, optional).

const path = require('path');
const { chromium } = require('playwright-core');
const { main } = require('./harness');
const { consoleBrowser, consoleContext } = require('./console');

const AXE = require.resolve('axe-core/axe.min.js');
const BAD = ['serious', 'critical'];

// axe's violations (the contexts bypass the console's CSP, which
// would refuse the injected script) of the page that are serious or critical.
async function check(page) {
	await page.addScriptTag({ path: AXE });
	const res = await page.evaluate(() => window.axe.run(document, {
	    resultTypes: ['violations'] }));
	return res.violations.filter((v) => BAD.includes(v.impact)).map(
	    (v) => ({ id: v.id, impact: v.impact, help: v.help,
	    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}

// Console links of the page: path and query, no fragment, no static.
async function links(page, origin) {
	const hrefs = await page.$$eval('a[href]', (as) => as.map(
	    (a) => a.href));
	const out = [];
	for (const h of hrefs) {
		const u = new URL(h);
		if (u.origin !== origin || !u.pathname.startsWith('/console/') ||
		    u.pathname.startsWith('/console/static/'))
			continue;
		out.push(u.pathname + u.search);
	}
	return out;
}

async function shot(page, shots, n, p) {
	if (!shots)
		return;
	const name = String(n).padStart(3, '0') + p.replace(/[^A-Za-z0-9]+/g,
	    '-').slice(0, 80) + '.png';
	await page.screenshot({ path: path.join(shots, name), fullPage: true });
}

// Breadth first from the start paths; { path: {status, violations} }.
async function crawl(page, params) {
	const origin = new URL(params.base).origin;
	const seen = new Set(), queue = ['/console/'].concat(
	    params.start || []), out = {};
	const max = params.max || 300;
	while (queue.length > 0 && seen.size < max) {
		const p = queue.shift();
		if (seen.has(p))
			continue;
		seen.add(p);
		const resp = await page.goto(params.base + p);
		out[p] = { status: resp.status(), title: await page.title(),
		    violations: await check(page) };
		await shot(page, params.shots, seen.size, p);
		for (const l of await links(page, origin))
			if (!seen.has(l))
				queue.push(l);
	}
	return out;
}

// The sign-in form, as a person who is not signed in sees it.
async function signedOut(browser, params) {
	const ctx = await browser.newContext({ ignoreHTTPSErrors: true,
	    bypassCSP: true });
	const page = await ctx.newPage();
	const out = {};
	await page.goto(params.base + '/console/');
	out.form = await check(page);
	await page.getByLabel('Username', { exact: true }).fill('admin');
	await page.getByLabel('Password', { exact: true }).fill('wrong');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByText('Incorrect username or password.').waitFor();
	out.wrongPassword = await check(page);
	await ctx.close();
	return out;
}

async function axeFlow(run, params) {
	const browser = await consoleBrowser(chromium);
	try {
		await run.step('signedOut', () => signedOut(browser, params));
		let signed;
		await run.step('signIn', async () => {
			signed = await consoleContext(browser, params.base,
			    params.stateDir, { bypassCSP: true });
		});
		await run.step('pages', () => crawl(signed.page, params));
		await signed.ctx.close();
	} finally {
		await browser.close();
	}
}

main({ axe: axeFlow });
