'use strict';
// The console's App integration pages (src/ui/console_clients.c) in
// headless Chromium, each element found by its role and accessible name
// as a person (or a screen reader) finds it: App clients, Add an app
// client, App client settings, Domain name (a taken prefix refused
// beside its field) and UI customization (the preview styled by the CSS
// as typed). The pytest side (test_console_clients.py) checks with the
// AWS CLI what was clicked.
//
// Parameters: base (https://localhost:PORT), stateDir, pool (its id),
// taken (a prefix another pool has), shots (a directory, optional).

const path = require('path');
const { chromium } = require('playwright-core');
const { main } = require('./harness');
const { consoleBrowser, consoleContext } = require('./console');

function link(page, name) {
	return page.getByRole('link', { name, exact: true });
}

function button(page, name) {
	return page.getByRole('button', { name, exact: true });
}

async function shot(page, params, name) {
	if (params.shots)
		await page.screenshot({ path: path.join(params.shots,
		    name + '.png'), fullPage: true });
}

async function addClient(page, params) {
	await page.goto(params.base + '/console/pools/' + params.pool +
	    '/clients');
	await link(page, 'Add an app client').click();
	await page.getByLabel('App client name').fill('chromium-web');
	await page.getByLabel('Refresh token expiration (days)').fill('5');
	await page.getByLabel('Generate client secret').uncheck();
	await page.getByLabel('Enable username-password (non-SRP) flow ' +
	    'for app-based authentication (USER_PASSWORD_AUTH)').check();
	await button(page, 'Create app client').click();
	const id = (await page.locator('[data-field="client-id"]')
	    .textContent()).trim();
	await shot(page, params, '1-client');
	await link(page, 'Return to pool details').waitFor();
	return id;
}

// The new client's part of the page: its region, named after it.
async function settings(page, params) {
	await link(page, 'App client settings').click();
	const app = page.getByRole('region', {
	    name: 'App client chromium-web' });
	await app.getByLabel('Cognito User Pool').check();
	await app.getByLabel('Callback URL(s)').fill(
	    'https://app.example.com/cb');
	await app.getByLabel('Sign out URL(s)').fill(
	    'https://app.example.com/bye');
	await app.getByLabel('Authorization code grant').check();
	await app.getByLabel('openid', { exact: true }).check();
	await app.getByLabel('profile', { exact: true }).check();
	await button(app, 'Save changes').click();
	await page.getByRole('heading', { name: 'App client settings' })
	    .waitFor();
	await shot(page, params, '2-settings');
	return await page.getByRole('region', {
	    name: 'App client chromium-web' }).getByLabel('Callback URL(s)')
	    .inputValue();
}

// A taken prefix: the message by the field, the field still filled.
async function takenDomain(page, params) {
	await link(page, 'Domain name').click();
	const field = page.getByLabel('Domain prefix');
	await field.fill(params.taken);
	await button(page, 'Check availability').click();
	await page.getByText('This domain is not available').waitFor();
	await button(page, 'Save changes').click();
	const err = page.getByRole('alert');
	await err.waitFor();
	const described = await page.getByLabel('Domain prefix')
	    .getAttribute('aria-describedby');
	await shot(page, params, '3-domain');
	return {
		value: await page.getByLabel('Domain prefix').inputValue(),
		message: (await err.textContent()).trim(),
		describedBy: (await page.locator('#' + described)
		    .textContent()).trim(),
	};
}

// The CSS typed, then Preview: the preview's Sign in is that colour.
async function preview(page, params) {
	await link(page, 'UI customization').click();
	await page.getByLabel('CSS', { exact: true }).fill(
	    '.submitButton-customizable { background-color: #aa0000; }');
	await button(page, 'Preview').click();
	const signIn = page.locator('[data-field="ui-preview"] ' +
	    '.submitButton-customizable');
	await signIn.waitFor();
	await shot(page, params, '4-preview');
	return await signIn.evaluate((e) =>
	    getComputedStyle(e).backgroundColor);
}

async function pagesFlow(run, params) {
	const browser = await consoleBrowser(chromium);
	try {
		const { ctx, page } = await consoleContext(browser,
		    params.base, params.stateDir);
		await run.step('client', () => addClient(page, params));
		await run.step('settings', () => settings(page, params));
		await run.step('domain', () => takenDomain(page, params));
		await run.step('preview', () => preview(page, params));
		await ctx.close();
	} finally {
		await browser.close();
	}
}

main({ pages: pagesFlow });
