'use strict';
// The seed walkthroughs (shared/seeds/*.txt) replayed click by click in
// the admin console with a headless Chromium (Debian's /usr/bin/chromium
// driven by playwright-core): every element is found by its role and
// accessible name, as console.md words them, and every step leaves a
// screenshot in the directory `shots`.
//
// Scenarios: seed001 and seed003 (Review defaults, then an app client,
// a domain and a test user on the pool's pages), seed000_classic and
// seed000_new (the two consoles of seed 000), seed004 (the defaults'
// review table, then MFA and verifications and an app client stepped
// through in the wizard); test_user, run after each on the pool it made:
// the test user made on the Users and groups page signs in on the hosted
// page with the temporary password and is asked for a new one;
// refused_domain and bad_name, the refusals shown beside their fields.
// Parameters: console (the console's URL), password (the admin's),
// shots, pool, client, domain, username, email, temp (the temporary
// password), callback, role (seed 004's SMS role).

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { main } = require('./harness');

const BROWSER = '/usr/bin/chromium';

async function openBrowser(chromium) {
	if (process.env.BROWSER_WS)
		return await chromium.connect(process.env.BROWSER_WS);
	return await chromium.launch({ executablePath: BROWSER,
	    args: ['--no-sandbox'] });
}

// A link or a button of that accessible name (console.md's "link or
// button").
function action(page, name) {
	return page.getByRole('link', { name, exact: true })
	    .or(page.getByRole('button', { name, exact: true }));
}

// The steps of one scenario, each followed by a numbered screenshot.
class Walk {
	constructor(run, page, shots) {
		this.run = run;
		this.page = page;
		this.shots = shots;
		this.n = 0;
	}

	async step(name, fn) {
		return await this.run.step(name, async () => {
			const v = await fn(this.page);
			this.n++;
			await this.page.screenshot({ fullPage: true,
			    path: path.join(this.shots, String(this.n)
			    .padStart(2, '0') + '-' + name + '.png') });
			return v;
		});
	}
}

async function text(page, field) {
	return (await page.locator('[data-field="' + field + '"]')
	    .first().textContent()).trim();
}

// The review or General settings table as { label: text }.
async function table(page) {
	const out = {};
	for (const row of await page.locator('table tr').all()) {
		const th = row.locator('th');
		if (await th.count() === 0)
			continue;
		out[(await th.first().textContent()).trim()] =
		    (await row.locator('td').first().textContent()).trim();
	}
	return out;
}

async function signIn(w, p) {
	await w.step('console-sign-in', async (page) => {
		await page.goto(p.console + '/');
		await page.getByLabel('Username').fill('admin');
		await page.getByLabel('Password').fill(p.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.getByRole('heading', { name: 'User Pools' })
		    .waitFor();
		return await page.title();
	});
}

// The pool page after Create pool: its heading, Pool Id and Pool ARN.
async function poolPage(w, p) {
	return await w.step('pool-page', async (page) => {
		await page.locator('[data-field="pool-id"]').waitFor();
		return {
			heading: (await page.getByRole('heading', { level: 1 })
			    .textContent()).trim(),
			id: await text(page, 'pool-id'),
			arn: await text(page, 'pool-arn'),
			general: await table(page),
		};
	});
}

// Name, then Review defaults: the review table.
async function reviewDefaults(w, p) {
	await w.step('create-a-user-pool', async (page) => {
		await action(page, 'Create a user pool').click();
		await page.getByLabel('Pool name').waitFor();
	});
	return await w.step('review-defaults', async (page) => {
		await page.getByLabel('Pool name').fill(p.pool);
		await page.getByRole('button', { name: 'Review defaults' })
		    .click();
		await page.getByRole('button', { name: 'Create pool' })
		    .waitFor();
		return await table(page);
	});
}

// Attributes: email address as the username (seeds 000 and 003).
async function emailAsUsername(w) {
	await w.step('attributes', async (page) => {
		await page.getByRole('link', { name: 'Attributes',
		    exact: true }).click();
		await page.getByLabel('Email address or phone number')
		    .check();
		await page.getByLabel('Allow email addresses').check();
	});
	await w.step('attributes-next-step', async (page) => {
		await page.getByRole('button', { name: 'Next step' }).click();
		await page.getByLabel('Minimum length').waitFor();
	});
}

async function review(w) {
	return await w.step('review', async (page) => {
		await page.getByRole('link', { name: 'Review',
		    exact: true }).click();
		await page.getByRole('button', { name: 'Create pool' })
		    .waitFor();
		return await table(page);
	});
}

async function createPool(w, p) {
	await w.step('create-pool', async (page) => {
		await page.getByRole('button', { name: 'Create pool' })
		    .click();
	});
	return await poolPage(w, p);
}

// App clients, Add an app client, the form, Create app client.
async function addAppClient(w, p, noSecret, serverAuth) {
	await w.step('app-clients', async (page) => {
		await page.getByRole('link', { name: 'App clients',
		    exact: true }).click();
		await action(page, 'Add an app client').click();
		await page.getByLabel('App client name').waitFor();
	});
	return await w.step('create-app-client', async (page) => {
		await page.getByLabel('App client name').fill(p.client);
		if (noSecret)
			await page.getByLabel('Generate client secret')
			    .uncheck();
		if (serverAuth)
			await page.getByLabel('Enable sign-in API for ' +
			    'server-based authentication (ADMIN_NO_SRP_AUTH)')
			    .check();
		await page.getByRole('button', { name: 'Create app client' })
		    .click();
		await page.locator('[data-field="client-id"]').waitFor();
		return await text(page, 'client-id');
	});
}

async function backToPool(page, poolId) {
	const back = page.getByRole('link', { name: 'Return to pool details' });
	if (await back.count() > 0)
		await back.first().click();
	else
		await page.goto(page.url().replace(/\/pools\/.*/,
		    '/pools/' + poolId));
}

async function domainName(w, p, poolId) {
	return await w.step('domain-name', async (page) => {
		await backToPool(page, poolId);
		await page.getByRole('link', { name: 'Domain name',
		    exact: true }).click();
		await page.getByLabel('Domain prefix').fill(p.domain);
		await page.getByRole('button', { name: 'Check availability' })
		    .click();
		await page.getByText('This domain is available').waitFor();
		await page.getByLabel('Domain prefix').fill(p.domain);
		await page.getByRole('button', { name: 'Save changes' })
		    .click();
		await page.locator('[data-field="domain-url"]').waitFor();
		return await text(page, 'domain-url');
	});
}

// App client settings: the hosted UI for the pool's one client.
async function appClientSettings(w, p) {
	await w.step('app-client-settings', async (page) => {
		await page.getByRole('link', { name: 'App client settings',
		    exact: true }).click();
		await page.getByLabel('Cognito User Pool').check();
		await page.getByLabel('Callback URL(s)').fill(p.callback);
		await page.getByLabel('Authorization code grant').check();
		await page.getByLabel('openid', { exact: true }).check();
		await page.getByLabel('email', { exact: true }).check();
		await page.getByRole('button', { name: 'Save changes' })
		    .click();
	});
}

// Users and groups, Create user with a temporary password and e-mail.
async function createUser(w, p) {
	await w.step('users-and-groups', async (page) => {
		await page.getByRole('link', { name: 'Users and groups',
		    exact: true }).click();
		await action(page, 'Create user').first().click();
		await page.getByLabel('Temporary password').waitFor();
	});
	return await w.step('create-user', async (page) => {
		await page.getByLabel('Username', { exact: true })
		    .fill(p.username);
		await page.getByLabel('Temporary password').fill(p.temp);
		const phone = page.getByLabel('Mark phone number as verified?');
		if (await phone.count() > 0)
			await phone.uncheck();
		await page.getByLabel('Email', { exact: true }).fill(p.email);
		const verified = page.getByLabel('Mark email as verified?');
		if (await verified.count() > 0)
			await verified.check();
		await page.getByRole('button', { name: 'Create user' }).last()
		    .click();
		await page.getByText('FORCE_CHANGE_PASSWORD').first()
		    .waitFor();
		return (await page.locator('main').textContent())
		    .includes(p.username.toLowerCase()) ||
		    (await page.locator('main').textContent())
		    .includes(p.username);
	});
}

// The hosted page: the temporary password, then a new one is asked.
async function hostedSignIn(w, p, clientId) {
	return await w.step('hosted-sign-in', async (page) => {
		// PKCE, which a client without a secret must use.
		const verifier = crypto.randomBytes(32).toString('base64url');
		const q = new URLSearchParams({ response_type: 'code',
		    client_id: clientId, redirect_uri: p.callback,
		    scope: 'openid email', state: 'seed',
		    code_challenge: crypto.createHash('sha256')
		    .update(verifier).digest('base64url'),
		    code_challenge_method: 'S256' });
		await page.goto(p.endpoint + '/' + p.domain +
		    '/oauth2/authorize?' + q.toString());
		await page.locator('#username').fill(p.username);
		await page.locator('#password').fill(p.temp);
		await page.locator('#password').press('Enter');
		const h = page.getByRole('heading', {
		    name: 'Choose a new password' });
		await h.waitFor();
		return (await h.textContent()).trim();
	});
}

// The test user's way in, on a pool a seed made: a domain and the
// client's hosted settings where the seed made none, the test user, the
// hosted sign-in (scenario test_user; params pool_id, client_id,
// need_domain, need_settings).
async function testUser(run, p) {
	return await withPage(run, p, async (w) => {
		await signIn(w, p);
		await w.step('pool', async (page) => {
			await page.getByRole('link', { name: p.pool,
			    exact: true }).click();
			await page.locator('[data-field="pool-id"]').waitFor();
			return await text(page, 'pool-id');
		});
		if (p.need_domain)
			await domainName(w, p, p.pool_id);
		if (p.need_settings) {
			await backToPool(w.page, p.pool_id);
			await appClientSettings(w, p);
		}
		await backToPool(w.page, p.pool_id);
		await createUser(w, p);
		await hostedSignIn(w, p, p.client_id);
	});
}

// Seed 001: Review defaults, Create pool, an app client (a secret by
// default), the test user.
async function seed001(run, p) {
	return await withPage(run, p, async (w) => {
		await signIn(w, p);
		await reviewDefaults(w, p);
		await createPool(w, p);
		await addAppClient(w, p, false, false);
	});
}

// Seed 003: email as username; an app client without a secret with
// the server-based sign-in; the domain notes-app; the test user.
async function seed003(run, p) {
	return await withPage(run, p, async (w) => {
		await signIn(w, p);
		await reviewDefaults(w, p);
		await emailAsUsername(w);
		await review(w);
		await createPool(w, p);
		await addAppClient(w, p, true, true);
	});
}

// Seed 000, original console: Review defaults, Attributes (email
// address), Review, Create pool; then the test user's way in.
async function seed000Classic(run, p) {
	return await withPage(run, p, async (w) => {
		await signIn(w, p);
		await reviewDefaults(w, p);
		await emailAsUsername(w);
		await review(w);
		await createPool(w, p);
		await addAppClient(w, p, true, false);
	});
}

// Seed 000, new console: the six steps, the hosted UI, domain and app
// client made with the pool.
async function seed000New(run, p) {
	return await withPage(run, p, async (w) => {
		await signIn(w, p);
		await w.step('new-wizard', async (page) => {
			await action(page, 'Create a user pool (new wizard)')
			    .click();
			await page.getByRole('heading', {
			    name: 'Configure sign-in experience' }).waitFor();
			await page.getByLabel('User name', { exact: true })
			    .uncheck();
			await page.getByLabel('Email', { exact: true }).check();
		});
		const next = async (page, heading) => {
			await page.getByRole('button', { name: 'Next',
			    exact: true }).click();
			await page.getByRole('heading', { name: heading })
			    .waitFor();
		};
		await w.step('security-requirements', (page) =>
		    next(page, 'Configure security requirements'));
		await w.step('sign-up-experience', (page) =>
		    next(page, 'Configure sign-up experience'));
		await w.step('message-delivery', (page) =>
		    next(page, 'Configure message delivery'));
		await w.step('integrate-your-app', async (page) => {
			await next(page, 'Integrate your app');
			await page.getByLabel('User pool name').fill(p.pool);
			await page.getByLabel('Use the Cognito Hosted UI')
			    .check();
			await page.getByLabel('Cognito domain').fill(p.domain);
			await page.getByLabel('App client name').fill(p.client);
			await page.getByLabel('Allowed callback URL')
			    .fill(p.callback);
		});
		await w.step('review-and-create', async (page) => {
			await next(page, 'Review and create');
			return await table(page);
		});
		await w.step('create-user-pool', async (page) => {
			await page.getByRole('button', {
			    name: 'Create user pool' }).click();
		});
		await poolPage(w, p);
	});
}

// Seed 004: the defaults' table, then MFA and verifications and an app
// client stepped through before Create pool.
async function seed004(run, p) {
	return await withPage(run, p, async (w) => {
		await signIn(w, p);
		await reviewDefaults(w, p);
		await w.step('mfa-and-verifications', async (page) => {
			await page.getByRole('link', {
			    name: 'MFA and verifications' }).click();
			await page.getByLabel('Optional', { exact: true })
			    .check();
			await page.getByLabel('Email or phone number',
			    { exact: true }).check();
			await page.getByLabel('New role name').fill(p.role);
			await page.getByRole('button', { name: 'Next step' })
			    .click();
			await page.getByRole('link', {
			    name: 'Message customizations' }).waitFor();
		});
		await w.step('wizard-app-clients', async (page) => {
			await page.getByRole('link', { name: 'App clients',
			    exact: true }).click();
			await action(page, 'Add an app client').click();
			await page.getByLabel('App client name').fill(p.client);
			await page.getByRole('button', {
			    name: 'Create app client' }).click();
			await page.getByText(p.client).first().waitFor();
		});
		await review(w);
		await createPool(w, p);
	});
}

// The new wizard up to Integrate your app, filled in.
async function newWizardFilled(w, p) {
	await w.step('new-wizard', async (page) => {
		await action(page, 'Create a user pool (new wizard)').click();
		await page.getByRole('heading', {
		    name: 'Configure sign-in experience' }).waitFor();
	});
	await w.step('integrate-your-app', async (page) => {
		for (const h of ['Configure security requirements',
		    'Configure sign-up experience',
		    'Configure message delivery', 'Integrate your app']) {
			await page.getByRole('button', { name: 'Next',
			    exact: true }).click();
			await page.getByRole('heading', { name: h }).waitFor();
		}
		await page.getByLabel('User pool name').fill(p.pool);
		await page.getByLabel('Use the Cognito Hosted UI').check();
		await page.getByLabel('Cognito domain').fill(p.domain);
		await page.getByLabel('App client name').fill(p.client);
		await page.getByLabel('Allowed callback URL').fill(p.callback);
	});
}

// A taken Cognito domain: the refusal beside the field, all kept.
async function refusedDomain(run, p) {
	return await withPage(run, p, async (w) => {
		await signIn(w, p);
		await newWizardFilled(w, p);
		await w.step('refused', async (page) => {
			await page.getByRole('button', { name: 'Next',
			    exact: true }).click();
			await page.getByRole('button', {
			    name: 'Create user pool' }).click();
			await page.locator('#domain-error').waitFor();
			return {
				message: (await page.locator('#domain-error')
				    .textContent()).trim(),
				name: await page.getByLabel('User pool name')
				    .inputValue(),
				domain: await page.getByLabel('Cognito domain')
				    .inputValue(),
			};
		});
	});
}

// A bad pool name: the refusal beside Pool name on the Name step.
async function badName(run, p) {
	return await withPage(run, p, async (w) => {
		await signIn(w, p);
		await reviewDefaults(w, p);
		await w.step('refused', async (page) => {
			await page.getByRole('button', { name: 'Create pool' })
			    .click();
			await page.locator('#name-error').waitFor();
			return {
				message: (await page.locator('#name-error')
				    .textContent()).trim(),
				name: await page.getByLabel('Pool name')
				    .inputValue(),
			};
		});
	});
}

// Open a page on the shared browser, run fn, close.
async function withPage(run, p, fn) {
	const { chromium } = require('playwright-core');
	fs.mkdirSync(p.shots, { recursive: true });
	const browser = await openBrowser(chromium);
	const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
	const page = await ctx.newPage();
	page.setDefaultTimeout(20000);
	try {
		await fn(new Walk(run, page, p.shots));
	} finally {
		await ctx.close();
		await browser.close();	/* a connected one: disconnects */
	}
}

main({
	seed001: (run, p) => seed001(run, p),
	seed003: (run, p) => seed003(run, p),
	seed000_classic: (run, p) => seed000Classic(run, p),
	seed000_new: (run, p) => seed000New(run, p),
	seed004: (run, p) => seed004(run, p),
	test_user: (run, p) => testUser(run, p),
	refused_domain: (run, p) => refusedDomain(run, p),
	bad_name: (run, p) => badName(run, p),
});
