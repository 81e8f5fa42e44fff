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

main({
	signup_flow: signupFlow,
	new_password: newPassword,
	errors: errors,
});
