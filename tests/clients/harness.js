'use strict';
// What the scenario scripts share: the configuration that
// tests/integration/test_npm_clients.py passes in the environment, the
// outbox reader, and the step recorder whose JSON the pytest side reads.
//
// A scenario is an async function (run, params) that calls run.step() for
// each thing a user of the library does. A step that throws ends the
// scenario (later steps build on it); run.fails() is for a step that is
// meant to fail: its error is recorded and the scenario goes on. The
// script prints one JSON object on stdout:
//   {"scenario": NAME, "steps": {STEP: {"ok": true, "value": ...} |
//    {"ok": false, "error": {name, code, message, status, fault}}},
//    "aborted": STEP or null}

const fs = require('fs');
const path = require('path');

const CODE_TIMEOUT_MS = 15000;

function env(name) {
	const v = process.env[name];
	if (!v)
		throw new Error('missing environment variable ' + name);
	return v;
}

// COGNITO_ENDPOINT, COGNITO_POOL_ID, COGNITO_CLIENT_ID and OUTBOX_DIR;
// ADMIN_KEY_ID and ADMIN_SECRET only where a scenario signs Admin* calls.
function config() {
	return {
		endpoint: env('COGNITO_ENDPOINT'),
		region: 'us-east-1',
		poolId: env('COGNITO_POOL_ID'),
		clientId: env('COGNITO_CLIENT_ID'),
		outbox: env('OUTBOX_DIR'),
		adminKeyId: process.env.ADMIN_KEY_ID || null,
		adminSecret: process.env.ADMIN_SECRET || null,
	};
}

// Delivered outbox messages to `to` (case-insensitive), oldest first: the
// daemon writes one file per message, header lines, a blank line, the body.
function messages(outbox, to) {
	let names;
	try {
		names = fs.readdirSync(outbox).sort();
	} catch (e) {
		if (e.code === 'ENOENT')
			return [];
		throw e;
	}
	const out = [];
	for (const name of names) {
		if (name.endsWith('.tmp'))
			continue;
		const text = fs.readFileSync(path.join(outbox, name), 'utf8');
		const cut = text.indexOf('\n\n');
		const head = cut < 0 ? text : text.slice(0, cut);
		const msg = { body: cut < 0 ? '' : text.slice(cut + 2) };
		for (const line of head.split('\n')) {
			const i = line.indexOf(': ');
			if (i > 0) {
				const key = line.slice(0, i).toLowerCase();
				msg[key] = line.slice(i + 2);
			}
		}
		if ((msg.to || '').toLowerCase() === to.toLowerCase())
			out.push(msg);
	}
	return out;
}

// The 6-digit code of message number `count` (1-based) to `to`, once
// it is delivered.
async function waitCode(outbox, to, count) {
	const deadline = Date.now() + CODE_TIMEOUT_MS;
	for (;;) {
		const msgs = messages(outbox, to);
		if (msgs.length >= count) {
			const m = /\b(\d{6})\b/.exec(msgs[count - 1].body);
			if (!m)
				throw new Error('no code in message to ' + to);
			return m[1];
		}
		if (Date.now() > deadline)
			throw new Error('no message ' + count + ' to ' + to +
			    ' in ' + outbox);
		await new Promise((res) => setTimeout(res, 50));
	}
}

// What the pytest side needs of an error from either library.
function errorOf(e) {
	if (!(e instanceof Error))
		return { name: typeof e, message: String(e) };
	return {
		name: e.name,
		code: e.code === undefined ? null : e.code,
		message: e.message,
		status: (e.$metadata && e.$metadata.httpStatusCode) ||
		    e.statusCode || null,
		fault: e.$fault || null,
	};
}

class Aborted extends Error {
}

class Run {
	constructor(scenario) {
		this.out = { scenario: scenario, steps: {}, aborted: null };
	}

	record(name, entry) {
		if (name in this.out.steps)
			throw new Error('step ' + name + ' recorded twice');
		this.out.steps[name] = entry;
	}

	// A step that must succeed; its value (JSON-able) is recorded.
	async step(name, fn) {
		let value;
		try {
			value = await fn();
		} catch (e) {
			this.record(name, { ok: false, error: errorOf(e) });
			this.out.aborted = name;
			throw new Aborted(name);
		}
		this.record(name, { ok: true,
		    value: value === undefined ? null : value });
		return value;
	}

	// A step that is meant to fail; either outcome is recorded and the
	// scenario goes on.
	async fails(name, fn) {
		try {
			const value = await fn();
			this.record(name, { ok: true,
			    value: value === undefined ? null : value });
		} catch (e) {
			this.record(name, { ok: false, error: errorOf(e) });
		}
	}
}

// Run the scenario named by argv[2] with the JSON parameters of argv[3]
// and print the result.
function main(scenarios) {
	const name = process.argv[2];
	const fn = scenarios[name];
	if (!fn) {
		process.stderr.write('usage: node ' +
		    path.basename(process.argv[1]) + ' SCENARIO [JSON]\n' +
		    'scenarios: ' + Object.keys(scenarios).join(' ') + '\n');
		process.exit(2);
	}
	const params = JSON.parse(process.argv[3] || '{}');
	const run = new Run(name);
	fn(run, params, config()).catch((e) => {
		if (!(e instanceof Aborted)) {
			run.out.aborted = '(script)';
			run.out.crash = e && e.stack ? e.stack : String(e);
		}
	}).then(() => {
		process.stdout.write(JSON.stringify(run.out) + '\n');
	});
}

module.exports = { config, messages, waitCode, errorOf, main };
