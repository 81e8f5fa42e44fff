'use strict';
// The admin console (src/ui/console.c) for Chromium scenarios: its
// password from the daemon's state directory and a sign-in through the
// form, found by label and role as a person would. Other scenarios
// require it:
//
//   const { consoleContext } = require('./console');
//   const { ctx, page } = await consoleContext(browser, base, stateDir);
//   // page shows the heading User Pools; base is https://localhost:PORT
//
// The daemon's certificate is self-signed: contexts ignore HTTPS errors.

const fs = require('fs');
const path = require('path');

const BROWSER = '/usr/bin/chromium';

// The console's password, as the first start wrote it.
function consolePassword(stateDir) {
	return fs.readFileSync(path.join(stateDir, 'console-password'),
	    'utf8').trim();
}

// Sign page in to the console at base; it ends on the pool list.
async function consoleSignIn(page, base, password) {
	await page.goto(base + '/console/');
	await page.getByLabel('Username', { exact: true }).fill('admin');
	await page.getByLabel('Password', { exact: true }).fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByRole('heading', { name: 'User Pools', level: 1 })
	    .waitFor();
}

// A new context of browser (options added to ignoreHTTPSErrors), signed
// in: { ctx, page }.
async function consoleContext(browser, base, stateDir, options) {
	const ctx = await browser.newContext(Object.assign(
	    { ignoreHTTPSErrors: true }, options || {}));
	const page = await ctx.newPage();
	await consoleSignIn(page, base, consolePassword(stateDir));
	return { ctx, page };
}

// The shared Chromium of BROWSER_WS, else a new headless one.
async function consoleBrowser(chromium) {
	if (process.env.BROWSER_WS)
		return await chromium.connect(process.env.BROWSER_WS);
	return await chromium.launch({ executablePath: BROWSER,
	    args: ['--no-sandbox'] });
}

module.exports = { BROWSER, consolePassword, consoleSignIn, consoleContext,
    consoleBrowser };
