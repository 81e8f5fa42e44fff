'use strict';
// userpoold driven by @aws-sdk/client-cognito-identity-provider (AWS SDK
// for JavaScript v3), the client Node back ends and Amplify's internals
// use: the operations at the wire level, with the server as `endpoint`.
// Unsigned operations go through a client with dummy credentials (the
// server ignores them, as Cognito does); Admin* calls are SigV4-signed with
// the server's admin key (ADMIN_KEY_ID, ADMIN_SECRET).
//
//   node sdk_v3.js SCENARIO '{"username": ..., ...}'

const idp = require('@aws-sdk/client-cognito-identity-provider');
const { main, waitCode } = require('./harness');

function client(cfg, keyId, secret) {
	return new idp.CognitoIdentityProviderClient({
		region: cfg.region,
		endpoint: cfg.endpoint,
		credentials: { accessKeyId: keyId, secretAccessKey: secret },
	});
}

function publicClient(cfg) {
	return client(cfg, 'AKIDEXAMPLEDUMMYKEY0', 'dummy-secret');
}

function adminClient(cfg) {
	if (!cfg.adminKeyId || !cfg.adminSecret)
		throw new Error('ADMIN_KEY_ID and ADMIN_SECRET are needed');
	return client(cfg, cfg.adminKeyId, cfg.adminSecret);
}

// Send a command; its output without the SDK's $metadata, plus the HTTP
// status.
async function send(c, command) {
	const out = await c.send(command);
	const { $metadata, ...rest } = out;
	rest.httpStatus = $metadata.httpStatusCode;
	return rest;
}

function attributeMap(list) {
	const out = {};
	for (const a of list || [])
		out[a.Name] = a.Value;
	return out;
}

function passwordAuth(c, cfg, username, password) {
	return send(c, new idp.InitiateAuthCommand({
		ClientId: cfg.clientId,
		AuthFlow: 'USER_PASSWORD_AUTH',
		AuthParameters: { USERNAME: username, PASSWORD: password },
	}));
}

function refreshAuth(c, cfg, refresh) {
	return send(c, new idp.InitiateAuthCommand({
		ClientId: cfg.clientId,
		AuthFlow: 'REFRESH_TOKEN_AUTH',
		AuthParameters: { REFRESH_TOKEN: refresh },
	}));
}

async function getUser(c, access) {
	const r = await send(c,
	    new idp.GetUserCommand({ AccessToken: access }));
	r.UserAttributes = attributeMap(r.UserAttributes);
	return r;
}

// SignUp, ConfirmSignUp with the code from the outbox, USER_PASSWORD_AUTH,
// GetUser, UpdateUserAttributes, REFRESH_TOKEN_AUTH,
// GetTokensFromRefreshToken, RevokeToken and GlobalSignOut with what each
// leaves usable.
async function signupFlow(run, p, cfg) {
	const c = publicClient(cfg);
	await run.step('SignUp', () => send(c, new idp.SignUpCommand({
		ClientId: cfg.clientId,
		Username: p.username,
		Password: p.password,
		UserAttributes: [
			{ Name: 'email', Value: p.email },
			{ Name: 'given_name', Value: p.givenName },
		],
	})));
	const code = await run.step('outboxCode',
	    () => waitCode(cfg.outbox, p.email, 1));
	await run.step('ConfirmSignUp', () => send(c,
	    new idp.ConfirmSignUpCommand({ ClientId: cfg.clientId,
	    Username: p.username, ConfirmationCode: code })));
	const first = await run.step('InitiateAuth',
	    () => passwordAuth(c, cfg, p.username, p.password));
	const access = first.AuthenticationResult.AccessToken;
	const refresh = first.AuthenticationResult.RefreshToken;
	await run.step('GetUser', () => getUser(c, access));
	await run.step('UpdateUserAttributes', () => send(c,
	    new idp.UpdateUserAttributesCommand({ AccessToken: access,
	    UserAttributes: [{ Name: 'given_name',
	    Value: p.newGivenName }] })));
	await run.step('GetUserAfterUpdate', () => getUser(c, access));
	await run.step('RefreshTokenAuth', () => refreshAuth(c, cfg, refresh));
	if (typeof idp.GetTokensFromRefreshTokenCommand === 'function')
		await run.step('GetTokensFromRefreshToken', () => send(c,
		    new idp.GetTokensFromRefreshTokenCommand({
		    ClientId: cfg.clientId, RefreshToken: refresh })));
	await run.step('RevokeToken', () => send(c, new idp.RevokeTokenCommand({
		ClientId: cfg.clientId, Token: refresh })));
	await run.fails('RefreshAfterRevoke',
	    () => refreshAuth(c, cfg, refresh));
	const second = await run.step('InitiateAuthAgain',
	    () => passwordAuth(c, cfg, p.username, p.password));
	await run.step('GlobalSignOut', () => send(c,
	    new idp.GlobalSignOutCommand({
	    AccessToken: second.AuthenticationResult.AccessToken })));
	await run.fails('GetUserAfterGlobalSignOut',
	    () => getUser(c, second.AuthenticationResult.AccessToken));
	await run.fails('RefreshAfterGlobalSignOut', () => refreshAuth(c, cfg,
	    second.AuthenticationResult.RefreshToken));
}

// AdminCreateUser (signed), sign-in with the temporary password,
// RespondToAuthChallenge NEW_PASSWORD_REQUIRED, AdminGetUser (signed).
async function newPassword(run, p, cfg) {
	const admin = adminClient(cfg);
	const c = publicClient(cfg);
	await run.step('AdminCreateUser', async () => {
		const r = await send(admin, new idp.AdminCreateUserCommand({
			UserPoolId: cfg.poolId,
			Username: p.username,
			TemporaryPassword: p.tempPassword,
			MessageAction: 'SUPPRESS',
			UserAttributes: [
				{ Name: 'email', Value: p.email },
				{ Name: 'email_verified', Value: 'true' },
			],
		}));
		r.User.Attributes = attributeMap(r.User.Attributes);
		return r;
	});
	const challenge = await run.step('InitiateAuth',
	    () => passwordAuth(c, cfg, p.username, p.tempPassword));
	await run.step('RespondToAuthChallenge', () => send(c,
	    new idp.RespondToAuthChallengeCommand({
		ClientId: cfg.clientId,
		ChallengeName: 'NEW_PASSWORD_REQUIRED',
		Session: challenge.Session,
		ChallengeResponses: {
			USERNAME: p.username,
			NEW_PASSWORD: p.newPassword,
		},
	})));
	await run.step('AdminGetUser', async () => {
		const r = await send(admin, new idp.AdminGetUserCommand({
			UserPoolId: cfg.poolId, Username: p.username }));
		r.UserAttributes = attributeMap(r.UserAttributes);
		return r;
	});
	await run.step('InitiateAuthNewPassword',
	    () => passwordAuth(c, cfg, p.username, p.newPassword));
}

// The SDK's exception classes for what a user gets wrong, and for an
// Admin* call with a key the server does not know.
async function errors(run, p, cfg) {
	const c = publicClient(cfg);
	await run.fails('wrongPassword',
	    () => passwordAuth(c, cfg, p.username, p.wrongPassword));
	await run.fails('unknownUser',
	    () => passwordAuth(c, cfg, p.unknown, p.password));
	await run.fails('duplicateSignUp', () => send(c, new idp.SignUpCommand({
		ClientId: cfg.clientId,
		Username: p.username,
		Password: p.password,
		UserAttributes: [{ Name: 'email', Value: p.email }],
	})));
	await run.fails('adminWithUnknownKey', () => send(c,
	    new idp.AdminGetUserCommand({ UserPoolId: cfg.poolId,
	    Username: p.username })));
}

// The client side of SRP at the wire level: A, then the signature over
// pool name, USER_ID_FOR_SRP, SECRET_BLOCK and the timestamp, computed
// with amazon-cognito-identity-js's AuthenticationHelper (the SDK has no
// SRP of its own; apps bring one).
async function srpRespond(c, cfg, username, password) {
	const cij = require('amazon-cognito-identity-js');
	const BigInteger =
	    require('amazon-cognito-identity-js/lib/BigInteger').default;
	const crypto = require('crypto');
	const pool = cfg.poolId.split('_')[1];
	const helper = new cij.AuthenticationHelper(pool);
	const A = await new Promise((resolve, reject) =>
	    helper.getLargeAValue((e, v) => (e ? reject(e) : resolve(v))));
	const init = await send(c, new idp.InitiateAuthCommand({
		ClientId: cfg.clientId, AuthFlow: 'USER_SRP_AUTH',
		AuthParameters: { USERNAME: username, SRP_A: A.toString(16) },
	}));
	const p = init.ChallengeParameters;
	const key = await new Promise((resolve, reject) =>
	    helper.getPasswordAuthenticationKey(p.USER_ID_FOR_SRP, password,
	    new BigInteger(p.SRP_B, 16), new BigInteger(p.SALT, 16),
	    (e, v) => (e ? reject(e) : resolve(v))));
	const now = new cij.DateHelper().getNowString();
	const sig = crypto.createHmac('sha256', Buffer.from(key))
	    .update(Buffer.concat([Buffer.from(pool), Buffer.from(
	    p.USER_ID_FOR_SRP), Buffer.from(p.SECRET_BLOCK, 'base64'),
	    Buffer.from(now)])).digest('base64');
	return send(c, new idp.RespondToAuthChallengeCommand({
		ClientId: cfg.clientId, ChallengeName: 'PASSWORD_VERIFIER',
		ChallengeResponses: { USERNAME: p.USER_ID_FOR_SRP,
		    PASSWORD_CLAIM_SECRET_BLOCK: p.SECRET_BLOCK,
		    PASSWORD_CLAIM_SIGNATURE: sig, TIMESTAMP: now },
	}));
}

function oathtool(secret, offset) {
	const { execFileSync } = require('child_process');
	const at = Math.floor(Date.now() / 1000) + offset;
	return execFileSync('oathtool', ['--totp', '-b', '-N', '@' + at,
	    secret]).toString().trim();
}

// USER_SRP_AUTH, then an authenticator app (AssociateSoftwareToken,
// VerifySoftwareToken, SetUserMFAPreference), then SRP again answered by
// SOFTWARE_TOKEN_MFA; a wrong password is NotAuthorizedException.
async function srpTotp(run, p, cfg) {
	const c = publicClient(cfg);
	const first = await run.step('srp', () => srpRespond(c, cfg,
	    p.username, p.password));
	const access = first.AuthenticationResult.AccessToken;
	const assoc = await run.step('AssociateSoftwareToken', () => send(c,
	    new idp.AssociateSoftwareTokenCommand({ AccessToken: access })));
	await run.step('VerifySoftwareToken', () => send(c,
	    new idp.VerifySoftwareTokenCommand({ AccessToken: access,
	    UserCode: oathtool(assoc.SecretCode, 0) })));
	await run.step('SetUserMFAPreference', () => send(c,
	    new idp.SetUserMFAPreferenceCommand({ AccessToken: access,
	    SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } })));
	const again = await run.step('srpAgain', () => srpRespond(c, cfg,
	    p.username, p.password));
	await run.step('SOFTWARE_TOKEN_MFA', () => send(c,
	    new idp.RespondToAuthChallengeCommand({ ClientId: cfg.clientId,
	    ChallengeName: again.ChallengeName, Session: again.Session,
	    ChallengeResponses: { USERNAME: p.username,
	    SOFTWARE_TOKEN_MFA_CODE: oathtool(assoc.SecretCode, 30) } })));
	await run.fails('wrongPassword', () => srpRespond(c, cfg, p.username,
	    p.password + 'x'));
}

main({
	srp_totp: srpTotp,
	signup_flow: signupFlow,
	new_password: newPassword,
	errors: errors,
});
