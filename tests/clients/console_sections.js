'use strict';
// The admin console's pool sections (src/ui/console_sections.c) in
// Chromium, clicked through as a person would: each field found by its
// label, each section reached by its link in the pool's navigation,
// each form saved by its button. The pytest side
// (test_console_sections.py) checks with the AWS CLI that the pool is
// what was clicked.
//
// Parameters: base (https://localhost:PORT), stateDir, poolId, lambda
// (a trigger's value), shots (a directory for screenshots, optional).

const path = require('path');
const { chromium } = require('playwright-core');
const { main } = require('./harness');
const { consoleBrowser, consoleContext } = require('./console');

const SAVED = 'Your changes have been saved.';

async function shot(page, params, name) {
	if (params.shots)
		await page.screenshot({ path: path.join(params.shots,
		    name + '.png'), fullPage: true });
}

function field(page, label) {
	return page.getByLabel(label, { exact: true });
}

// Follow the navigation's link to a section.
async function open(page, name) {
	await page.getByRole('navigation', { name: 'Pool sections' })
	    .getByRole('link', { name, exact: true }).click();
	await page.getByRole('heading', { name, level: 1 }).waitFor();
}

async function save(page, params, name, button) {
	await shot(page, params, name + '-filled');
	await page.getByRole('button', { name: button || 'Save changes' })
	    .click();
	await page.getByRole('status').waitFor();
	await shot(page, params, name + '-saved');
	return await page.getByRole('status').innerText();
}

async function policies(page, params) {
	await field(page, 'Minimum length').fill('12');
	await field(page, 'Require special character').uncheck();
	await field(page, 'Only allow administrators to create users').check();
	await field(page, 'Days to expire').fill('3');
	return await save(page, params, 'policies');
}

// Minimum length 5: the API's message by the field, 5 still typed.
async function policiesRefused(page, params) {
	await field(page, 'Minimum length').fill('5');
	await page.getByRole('button', { name: 'Save changes' }).click();
	const alert = page.getByRole('alert');
	await alert.waitFor();
	await shot(page, params, 'policies-refused');
	const input = field(page, 'Minimum length');
	return {
		alert: await alert.innerText(),
		value: await input.inputValue(),
		invalid: await input.getAttribute('aria-invalid'),
		describedBy: await input.getAttribute('aria-describedby'),
		alertId: await alert.getAttribute('id'),
	};
}

async function mfa(page, params) {
	await open(page, 'MFA and verifications');
	await field(page, 'Optional').check();
	await field(page, 'Time-based One-time Password').check();
	await field(page, 'Email or phone number').check();
	return await save(page, params, 'mfa');
}

async function messages(page, params) {
	await open(page, 'Message customizations');
	await field(page, 'Email subject').fill('Your code');
	await field(page, 'Email message').fill('The code is {####}.');
	return await save(page, params, 'messages');
}

async function tags(page, params) {
	await open(page, 'Tags');
	await field(page, 'Tag 1 key').fill('team');
	await field(page, 'Tag 1 value').fill('blue');
	return await save(page, params, 'tags');
}

async function devices(page, params) {
	await open(page, 'Devices');
	await field(page, 'User Opt In').check();
	return await save(page, params, 'devices');
}

async function triggers(page, params) {
	await open(page, 'Triggers');
	await field(page, 'Pre sign-up').fill(params.lambda);
	return await save(page, params, 'triggers');
}

async function attributes(page, params) {
	await open(page, 'Attributes');
	await field(page, 'Attribute name').fill('tier');
	await field(page, 'Type').selectOption('Number');
	await field(page, 'Max value').fill('9');
	return await save(page, params, 'attributes', 'Add custom attribute');
}

async function sectionsFlow(run, params) {
	const browser = await consoleBrowser(chromium);
	try {
		let page;
		await run.step('signIn', async () => {
			({ page } = await consoleContext(browser, params.base,
			    params.stateDir));
			await page.goto(params.base + '/console/pools/' +
			    params.poolId + '/policies');
		});
		await run.step('policies', () => policies(page, params));
		await run.step('policiesRefused',
		    () => policiesRefused(page, params));
		for (const [name, fn] of [['mfa', mfa], ['messages', messages],
		    ['tags', tags], ['devices', devices],
		    ['triggers', triggers], ['attributes', attributes]])
			await run.step(name, () => fn(page, params));
	} finally {
		await browser.close();
	}
}

main({ sections: sectionsFlow });
