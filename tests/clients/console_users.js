'use strict';
// The console's Users and groups section (src/ui/console_users.c) in
// headless Chromium, every element found by its role and accessible
// name as a person (or a screen reader) finds it: from the pool's
// navigation to Users and groups, Create user with a weak temporary
// password (the API's message beside the field, what was typed kept),
// then a good one; the new user in the list with its status; its page,
// Disable user; Create group and Add to group. test_console_users.py
// checks the pool with the AWS CLI afterwards.
//
// Parameters: base (https://localhost:PORT), stateDir, username, email,
// weak and strong (temporary passwords), group, shots (a directory for
// screenshots, optional).

const path = require('path');
const { chromium } = require('playwright-core');
const { config, main } = require('./harness');
const { consoleBrowser, consoleContext } = require('./console');

async function shot(page, params, name) {
	if (params.shots)
		await page.screenshot({ path: path.join(params.shots, name +
		    '.png'), fullPage: true });
}

// Fill the create-user form as console.md names its fields.
async function fillUser(page, params, password) {
	await page.getByLabel('Username', { exact: true }).fill(
	    params.username);
	await page.getByLabel('Temporary password', { exact: true }).fill(
	    password);
	await page.getByLabel('Email', { exact: true }).fill(params.email);
	await page.getByLabel('Mark phone number as verified?').uncheck();
}

// The text of the element that describes the field labelled name.
async function described(page, name) {
	const field = page.getByLabel(name, { exact: true });
	const id = await field.getAttribute('aria-describedby');
	return id ? await page.locator('#' + id).innerText() : null;
}

async function createUser(run, page, params) {
	await run.step('weak', async () => {
		await page.getByRole('button', { name: 'Create user' }).click();
		await fillUser(page, params, params.weak);
		await page.getByRole('button', { name: 'Create user' }).click();
		await page.getByRole('heading', { name: 'Create user' })
		    .waitFor();
		await shot(page, params, '02-weak-password');
		return {
			message: await described(page, 'Temporary password'),
			username: await page.getByLabel('Username',
			    { exact: true }).inputValue(),
			email: await page.getByLabel('Email',
			    { exact: true }).inputValue(),
		};
	});
	await run.step('created', async () => {
		await page.getByLabel('Temporary password', { exact: true })
		    .fill(params.strong);
		await page.getByRole('button', { name: 'Create user' }).click();
		await page.getByText('User created.').waitFor();
		await shot(page, params, '03-created');
		const row = page.getByRole('row').filter({ has:
		    page.getByRole('link', { name: params.username,
		    exact: true }) });
		return await row.getByRole('cell').nth(1).innerText();
	});
}

async function userPage(run, page, params) {
	await run.step('disabled', async () => {
		await page.getByRole('link', { name: params.username,
		    exact: true }).click();
		await page.getByRole('button', { name: 'Disable user' }).click();
		await page.getByText('User disabled.').waitFor();
		await shot(page, params, '04-disabled');
		return await page.getByRole('button', { name: 'Enable user' })
		    .count();
	});
	await run.step('grouped', async () => {
		await page.getByRole('link', { name: 'Back to Users and groups' })
		    .click();
		await page.getByRole('button', { name: 'Create group' }).click();
		await page.getByLabel('Name', { exact: true }).fill(params.group);
		await page.getByLabel('Precedence').fill('2');
		await page.getByRole('button', { name: 'Create group' }).click();
		await page.getByText('Group created.').waitFor();
		await page.getByRole('link', { name: 'Users and groups',
		    exact: true }).click();
		await page.getByRole('link', { name: params.username,
		    exact: true }).click();
		await page.getByLabel('Group', { exact: true }).selectOption(
		    params.group);
		await page.getByRole('button', { name: 'Add to group' }).click();
		await page.getByText('Added to group.').waitFor();
		await shot(page, params, '05-grouped');
		return true;
	});
}

async function usersFlow(run, params) {
	const browser = await consoleBrowser(chromium);
	try {
		const { ctx, page } = await consoleContext(browser, params.base,
		    params.stateDir);
		await run.step('section', async () => {
			await page.goto(params.base + '/console/pools/' +
			    config().poolId + '/users');
			await page.getByRole('heading', { name:
			    'Users and groups', level: 1 }).waitFor();
			await shot(page, params, '01-users');
			return true;
		});
		await createUser(run, page, params);
		await userPage(run, page, params);
		await ctx.close();
	} finally {
		await browser.close();
	}
}

main({ users: usersFlow });
