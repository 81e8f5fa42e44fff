'use strict';
// userpoold driven by amazon-cognito-identity-js, the library browser and
// React Native apps use, as an app uses it: a CognitoUserPool with the
// server as its `endpoint`, CognitoUser objects and their callbacks.
//
//   node identity_js.js SCENARIO '{"username": ..., ...}'
//
// The environment is described in harness.js; the scenarios' parameters
// are the test's (tests/integration/test_npm_clients.py).

const {
	AuthenticationDetails,
	AuthenticationHelper,
	CognitoRefreshToken,
	CognitoUser,
	CognitoUserAttribute,
	CognitoUserPool,
} = require('amazon-cognito-identity-js');
const { main, messages, waitCode } = require('./harness');

function userPool(cfg) {
	return new CognitoUserPool({
		UserPoolId: cfg.poolId,
		ClientId: cfg.clientId,
		endpoint: cfg.endpoint,
	});
}

function cognitoUser(pool, username) {
	return new CognitoUser({ Username: username, Pool: pool });
}

// A node-style callback API as a promise.
function call(fn) {
	return new Promise((resolve, reject) => {
		fn((err, result) => (err ? reject(err) : resolve(result)));
	});
}

// onSuccess/onFailure callbacks as a promise.
function callbacks(fn) {
	return new Promise((resolve, reject) => {
		fn({ onSuccess: resolve, onFailure: reject });
	});
}

function tokens(session) {
	return {
		id: session.getIdToken().getJwtToken(),
		access: session.getAccessToken().getJwtToken(),
		refresh: session.getRefreshToken().getToken(),
		valid: session.isValid(),
	};
}

// authenticateUser; {session} on success, {newPasswordRequired: {...}}
// when the user must choose a password, an error for other challenges.
function authenticate(user, password) {
	const details = new AuthenticationDetails({
		Username: user.getUsername(),
		Password: password,
	});
	return new Promise((resolve, reject) => {
		const unexpected = (name) => () =>
		    reject(new Error('unexpected challenge ' + name));
		user.authenticateUser(details, {
			onSuccess: (session) => resolve({ session }),
			onFailure: reject,
			newPasswordRequired: (userAttributes, required) =>
			    resolve({ newPasswordRequired: { userAttributes,
			    requiredAttributes: required } }),
			mfaRequired: unexpected('SMS_MFA'),
			totpRequired: unexpected('SOFTWARE_TOKEN_MFA'),
			selectMFAType: unexpected('SELECT_MFA_TYPE'),
			mfaSetup: unexpected('MFA_SETUP'),
			customChallenge: unexpected('CUSTOM_CHALLENGE'),
		});
	});
}

// Sign in with USER_PASSWORD_AUTH, the flow for servers and for clients
// that do not compute SRP; the session's tokens.
async function passwordSignIn(user, password) {
	user.setAuthenticationFlowType('USER_PASSWORD_AUTH');
	const r = await authenticate(user, password);
	if (!r.session)
		throw new Error('challenge instead of tokens: ' +
		    JSON.stringify(r));
	return tokens(r.session);
}

function attributeMap(list) {
	const out = {};
	for (const a of list)
		out[a.getName()] = a.getValue();
	return out;
}

// signUp with attributes, the code from the outbox, confirmRegistration,
// sign-in, the profile (getUserAttributes, updateAttributes) and
// changePassword.
async function signupAndProfile(run, p, cfg) {
	const pool = userPool(cfg);
	const attrs = [
		new CognitoUserAttribute({ Name: 'email', Value: p.email }),
		new CognitoUserAttribute({ Name: 'given_name',
		    Value: p.givenName }),
	];
	await run.step('signUp', async () => {
		const r = await call((cb) => pool.signUp(p.username, p.password,
		    attrs, null, cb));
		return {
			username: r.user.getUsername(),
			userConfirmed: r.userConfirmed,
			userSub: r.userSub,
			codeDeliveryDetails: r.codeDeliveryDetails,
		};
	});
	const code = await run.step('outboxCode',
	    () => waitCode(cfg.outbox, p.email, 1));
	const user = cognitoUser(pool, p.username);
	await run.step('confirmRegistration',
	    () => call((cb) => user.confirmRegistration(code, true, cb)));
	await run.step('authenticateUser',
	    () => passwordSignIn(user, p.password));
	await run.step('getUserAttributes',
	    async () => attributeMap(await call((cb) =>
	    user.getUserAttributes(cb))));
	await run.step('updateAttributes', () => call((cb) =>
	    user.updateAttributes([new CognitoUserAttribute({
	    Name: 'given_name', Value: p.newGivenName })], cb)));
	await run.step('getUserAttributesAfterUpdate',
	    async () => attributeMap(await call((cb) =>
	    user.getUserAttributes(cb))));
	await run.step('changePassword', () => call((cb) =>
	    user.changePassword(p.password, p.newPassword, cb)));
	await run.fails('authenticateOldPassword',
	    () => passwordSignIn(cognitoUser(pool, p.username), p.password));
	await run.step('authenticateNewPassword',
	    () => passwordSignIn(cognitoUser(pool, p.username),
	    p.newPassword));
}

// Sign-in, getSession from the cache, refreshSession, getCurrentUser,
// globalSignOut, and the refresh token refused after it.
async function sessionLifecycle(run, p, cfg) {
	const pool = userPool(cfg);
	const user = cognitoUser(pool, p.username);
	const first = await run.step('authenticateUser',
	    () => passwordSignIn(user, p.password));
	await run.step('getSessionCached',
	    async () => tokens(await call((cb) => user.getSession(cb))));
	await run.step('refreshSession', async () => tokens(await call((cb) =>
	    user.refreshSession(new CognitoRefreshToken({
	    RefreshToken: first.refresh }), cb))));
	await run.step('getSessionAfterRefresh',
	    async () => tokens(await call((cb) => user.getSession(cb))));
	await run.step('getCurrentUser', () => {
		const u = pool.getCurrentUser();
		return u === null ? null : u.getUsername();
	});
	await run.step('globalSignOut',
	    () => callbacks((cb) => user.globalSignOut(cb)));
	await run.step('getCurrentUserAfterSignOut', () => {
		const u = pool.getCurrentUser();
		return u === null ? null : u.getUsername();
	});
	// The library retries a failed refresh for about six seconds.
	await run.fails('refreshAfterGlobalSignOut',
	    async () => tokens(await call((cb) =>
	    cognitoUser(pool, p.username).refreshSession(
	    new CognitoRefreshToken({ RefreshToken: first.refresh }), cb))));
}

// signOut with a callback: the library revokes the refresh token
// (RevokeToken) when the access token carries origin_jti.
async function signOutRevoke(run, p, cfg) {
	const pool = userPool(cfg);
	const user = cognitoUser(pool, p.username);
	const t = await run.step('authenticateUser',
	    () => passwordSignIn(user, p.password));
	await run.step('signOut', () => new Promise((resolve, reject) => {
		user.signOut((err) => (err ? reject(err) : resolve('SUCCESS')));
	}));
	await run.step('getCurrentUserAfterSignOut', () => {
		const u = pool.getCurrentUser();
		return u === null ? null : u.getUsername();
	});
	await run.fails('refreshAfterSignOut',
	    async () => tokens(await call((cb) =>
	    cognitoUser(pool, p.username).refreshSession(
	    new CognitoRefreshToken({ RefreshToken: t.refresh }), cb))));
}

// forgotPassword, the code from the outbox, confirmPassword, sign-in with
// the new password and not with the old one.
async function forgotPassword(run, p, cfg) {
	const pool = userPool(cfg);
	const user = cognitoUser(pool, p.username);
	const before = messages(cfg.outbox, p.email).length;
	await run.step('forgotPassword', () => new Promise((res, rej) => {
		user.forgotPassword({
			onSuccess: (data) => res({ via: 'onSuccess', data }),
			onFailure: rej,
			inputVerificationCode: (data) =>
			    res({ via: 'inputVerificationCode', data }),
		});
	}));
	const code = await run.step('outboxCode',
	    () => waitCode(cfg.outbox, p.email, before + 1));
	await run.step('confirmPassword', () => callbacks((cb) =>
	    user.confirmPassword(code, p.newPassword, cb)));
	await run.fails('authenticateOldPassword',
	    () => passwordSignIn(cognitoUser(pool, p.username), p.password));
	await run.step('authenticateNewPassword',
	    () => passwordSignIn(cognitoUser(pool, p.username),
	    p.newPassword));
}

// An admin-created user signs in with the temporary password and sets
// a new one through completeNewPasswordChallenge.
async function newPasswordRequired(run, p, cfg) {
	const pool = userPool(cfg);
	const user = cognitoUser(pool, p.username);
	user.setAuthenticationFlowType('USER_PASSWORD_AUTH');
	await run.step('authenticateUser', async () => {
		const r = await authenticate(user, p.tempPassword);
		if (!r.newPasswordRequired)
			throw new Error('tokens, not NEW_PASSWORD_REQUIRED');
		return r.newPasswordRequired;
	});
	await run.step('completeNewPasswordChallenge',
	    async () => tokens(await new Promise((resolve, reject) => {
		user.completeNewPasswordChallenge(p.newPassword, {}, {
			onSuccess: resolve,
			onFailure: reject,
		});
	})));
	await run.step('authenticateNewPassword',
	    () => passwordSignIn(cognitoUser(pool, p.username),
	    p.newPassword));
}

// The errors an app shows: wrong password, unknown user, a taken name.
async function errors(run, p, cfg) {
	const pool = userPool(cfg);
	await run.fails('wrongPassword', () =>
	    passwordSignIn(cognitoUser(pool, p.username), p.wrongPassword));
	await run.fails('unknownUser',
	    () => passwordSignIn(cognitoUser(pool, p.unknown), p.password));
	await run.fails('duplicateSignUp', () => call((cb) =>
	    pool.signUp(p.username, p.password, [new CognitoUserAttribute({
	    Name: 'email', Value: p.email })], null, cb)));
}

// Sign-in with the library's default flow, USER_SRP_AUTH
// (PASSWORD_VERIFIER), then the tokens' use.
async function srpSignIn(run, p, cfg) {
	const pool = userPool(cfg);
	const user = cognitoUser(pool, p.username);
	await run.step('authenticateUser', async () => {
		const r = await authenticate(user, p.password);
		if (!r.session)
			throw new Error('challenge instead of tokens');
		return tokens(r.session);
	});
	await run.step('getUserAttributes',
	    async () => attributeMap(await call((cb) =>
	    user.getUserAttributes(cb))));
}

// The code of an authenticator app, computed by Debian's oathtool at
// `offset` seconds from now (a step already used is refused).
function oathtool(secret, offset) {
	const { execFileSync } = require('child_process');
	const at = Math.floor(Date.now() / 1000) + offset;
	return execFileSync('oathtool', ['--totp', '-b', '-N', '@' + at,
	    secret]).toString().trim();
}

// SRP sign-in, then an authenticator app set up from the session
// (associateSoftwareToken, verifySoftwareToken, setUserMfaPreference);
// the next SRP sign-in asks for its code (totpRequired), a wrong code is
// refused, sendMFACode with the right one completes it.
async function totpMfa(run, p, cfg) {
	const pool = userPool(cfg);
	const user = cognitoUser(pool, p.username);
	await run.step('authenticateUser', async () => {
		const r = await authenticate(user, p.password);
		return { session: !!r.session };
	});
	const secret = await run.step('associateSoftwareToken', () =>
	    new Promise((resolve, reject) => user.associateSoftwareToken({
		associateSecretCode: resolve, onFailure: reject })));
	await run.step('verifySoftwareToken', () => new Promise((resolve,
	    reject) => user.verifySoftwareToken(oathtool(secret, 0), 'phone', {
		onSuccess: (r) => resolve(r.Status), onFailure: reject })));
	await run.step('setUserMfaPreference', () => call((cb) =>
	    user.setUserMfaPreference(null, { PreferredMfa: true,
	    Enabled: true }, cb)));
	const again = cognitoUser(pool, p.username);
	await run.step('totpRequired', () => new Promise((resolve, reject) =>
	    again.authenticateUser(new AuthenticationDetails({
		Username: p.username, Password: p.password }), {
		onSuccess: () => reject(new Error('tokens without MFA')),
		onFailure: reject,
		totpRequired: (name) => resolve(name) })));
	await run.fails('wrongCode', () => new Promise((resolve, reject) =>
	    again.sendMFACode('000000', { onSuccess: resolve,
	    onFailure: reject }, 'SOFTWARE_TOKEN_MFA')));
	await run.step('sendMFACode', () => new Promise((resolve, reject) =>
	    again.sendMFACode(oathtool(secret, 30), {
		onSuccess: (session) => resolve(tokens(session)),
		onFailure: reject }, 'SOFTWARE_TOKEN_MFA')));
}

// SRP sign-in of a user with SMS MFA: mfaRequired, the code from the
// outbox (the SMS a phone would get), sendMFACode.
async function smsMfa(run, p, cfg) {
	const user = cognitoUser(userPool(cfg), p.username);
	await run.step('mfaRequired', () => new Promise((resolve, reject) =>
	    user.authenticateUser(new AuthenticationDetails({
		Username: p.username, Password: p.password }), {
		onSuccess: () => reject(new Error('tokens without MFA')),
		onFailure: reject,
		mfaRequired: (name, params) => resolve({ name, params }) })));
	const code = await run.step('code', () => waitCode(cfg.outbox,
	    p.phone, 1));
	await run.step('sendMFACode', () => new Promise((resolve, reject) =>
	    user.sendMFACode(code, {
		onSuccess: (session) => resolve(tokens(session)),
		onFailure: reject })));
}

// A remembered device: SRP sign-in with SMS MFA in a pool that tracks
// devices (the library confirms the new device itself),
// setDeviceStatusRemembered, then a second sign-in from the same storage
// goes through DEVICE_SRP_AUTH and needs no MFA code when the pool lets
// remembered devices bypass MFA (p.bypass), else a second code.
async function rememberedDevice(run, p, cfg) {
	const pool = userPool(cfg);
	const user = cognitoUser(pool, p.username);
	const details = () => new AuthenticationDetails({
		Username: p.username, Password: p.password });
	await run.step('mfaRequired', () => new Promise((resolve, reject) =>
	    user.authenticateUser(details(), {
		onSuccess: () => reject(new Error('tokens without MFA')),
		onFailure: reject,
		mfaRequired: (name) => resolve(name) })));
	const code = await run.step('code', () => waitCode(cfg.outbox,
	    p.phone, 1));
	await run.step('sendMFACode', () => new Promise((resolve, reject) =>
	    user.sendMFACode(code, {
		onSuccess: (session, confirmationNecessary) => resolve({
		    confirmationNecessary: !!confirmationNecessary,
		    deviceKey: user.deviceKey || null }),
		onFailure: reject })));
	await run.step('setDeviceStatusRemembered', () => new Promise(
	    (resolve, reject) => user.setDeviceStatusRemembered({
		onSuccess: resolve, onFailure: reject })));
	const again = cognitoUser(pool, p.username);
	await run.step('signInAgain', () => new Promise((resolve, reject) =>
	    again.authenticateUser(details(), {
		onSuccess: (session) => resolve(tokens(session)),
		onFailure: reject,
		mfaRequired: (name) => resolve({ mfaAgain: name }) })));
	if (!p.bypass) {
		const code2 = await run.step('code2', () => waitCode(
		    cfg.outbox, p.phone, 2));
		await run.step('sendMFACodeAgain', () => new Promise(
		    (resolve, reject) => again.sendMFACode(code2, {
			onSuccess: (session) => resolve(tokens(session)),
			onFailure: reject })));
	}
}

// SRP sign-ins with a new random password each time, set by the admin
// API: random salts, A, B, u and S against the server, live. The padding
// cases that come up about once in 256 exchanges are srpVectors' part.
async function srpMany(run, p, cfg) {
	const sdk = require('@aws-sdk/client-cognito-identity-provider');
	const crypto = require('crypto');
	const admin = new sdk.CognitoIdentityProviderClient({
		endpoint: cfg.endpoint,
		region: cfg.region,
		credentials: { accessKeyId: cfg.adminKeyId,
		    secretAccessKey: cfg.adminSecret },
	});
	const pool = userPool(cfg);
	const failures = [];
	let ok = 0;
	for (let i = 0; i < p.count; i++) {
		const password = 'Aa1!' + crypto.randomBytes(12).toString('base64');
		await admin.send(new sdk.AdminSetUserPasswordCommand({
			UserPoolId: cfg.poolId, Username: p.username,
			Password: password, Permanent: true }));
		try {
			const r = await authenticate(cognitoUser(pool, p.username),
			    password);
			if (r.session)
				ok++;
			else
				failures.push({ i, why: 'challenge' });
		} catch (e) {
			failures.push({ i, password, error: e.code || e.name,
			    message: e.message });
		}
	}
	await run.step('srpMany', async () => ({ ok, failures }));
}

// The library's AuthenticationHelper on the fixed vectors of the server's
// unit tests (tests/unit/srp_vectors.py): with each vector's secret a it
// must compute the vector's A, then from its B, salt, identity and
// password the vector's u and key K. The vectors show every padding case
// of A, B, S, u and the salt (set top bit, odd hex length, leading zero
// byte), and test_srp.c holds the server to the same values.
async function srpVectors(run, p) {
	const proto = AuthenticationHelper.prototype;
	const draw = proto.generateRandomSmallA;
	const out = [];
	try {
		for (const v of p.vectors) {
			// The helper draws a in its constructor: give it v.a.
			proto.generateRandomSmallA = function () {
				return new this.N.constructor(v.a, 16);
			};
			const helper = new AuthenticationHelper(v.group);
			const big = (hex) => new helper.N.constructor(hex, 16);
			const A = await call((cb) => helper.getLargeAValue(cb));
			const K = await call((cb) =>
			    helper.getPasswordAuthenticationKey(v.name,
			    v.password, big(v.B), big(v.salt), cb));
			out.push({
				A: A.equals(big(v.A)),
				u: helper.UValue.equals(big(v.u)),
				K: Buffer.from(K).toString('hex') === v.K,
			});
		}
	} finally {
		proto.generateRandomSmallA = draw;
	}
	await run.step('srpVectors', async () => out);
}

main({
	remembered_device: rememberedDevice,
	totp_mfa: totpMfa,
	sms_mfa: smsMfa,
	srp_many: srpMany,
	srp_vectors: srpVectors,
	signup_and_profile: signupAndProfile,
	session: sessionLifecycle,
	sign_out_revoke: signOutRevoke,
	forgot_password: forgotPassword,
	new_password_required: newPasswordRequired,
	errors: errors,
	srp: srpSignIn,
});
