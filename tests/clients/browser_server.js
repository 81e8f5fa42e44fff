'use strict';
// One headless Chromium (Debian's /usr/bin/chromium) that several
// browser.js scenarios share: playwright-core's browser server. Prints
// its websocket endpoint on one line (browser.js connects to it when
// BROWSER_WS names it) and runs until its standard input closes, the
// test file that started it being done.

const BROWSER = '/usr/bin/chromium';

async function serve() {
	const { chromium } = require('playwright-core');
	const server = await chromium.launchServer({ executablePath: BROWSER,
	    args: ['--no-sandbox'] });
	process.stdout.write(server.wsEndpoint() + '\n');
	process.stdin.resume();
	process.stdin.on('end', async () => {
		await server.close();
		process.exit(0);
	});
}

serve().catch((e) => {
	process.stderr.write(String(e && e.stack || e) + '\n');
	process.exit(1);
});
