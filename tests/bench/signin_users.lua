-- signin_users.lua: make wrk sign in as many users, USER_PASSWORD_AUTH,
-- so that no user has more than about one sign-in in flight (the
-- lockout counts attempts in flight per user; one user on every
-- connection would measure the lockout's queue, not the path). Users
-- are BENCH_USER_PREFIX0 .. N-1 (N = BENCH_USERS, at least the
-- connections), all with BENCH_PASSWORD, of client BENCH_CLIENT_ID;
-- thread t of BENCH_THREADS takes the users t, t + threads, ... in turn.
local prefix = assert(os.getenv("BENCH_USER_PREFIX"), "BENCH_USER_PREFIX")
local users = assert(tonumber(os.getenv("BENCH_USERS")), "BENCH_USERS")
local nthreads = assert(tonumber(os.getenv("BENCH_THREADS")),
	"BENCH_THREADS")
local client_id = assert(os.getenv("BENCH_CLIENT_ID"), "BENCH_CLIENT_ID")
local password = assert(os.getenv("BENCH_PASSWORD"), "BENCH_PASSWORD")
local made = 0

function setup(thread)
	thread:set("first", made)
	made = made + 1
end

function init(args)
	turn = 0
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
	wrk.headers["X-Amz-Target"] =
		"AWSCognitoIdentityProviderService.InitiateAuth"
end

function request()
	local user = first + nthreads * turn
	if user >= users then
		turn = 0
		user = first
	end
	turn = turn + 1
	return wrk.format(nil, nil, nil, string.format(
		'{"ClientId":"%s","AuthFlow":"USER_PASSWORD_AUTH",' ..
		'"AuthParameters":{"USERNAME":"%s%d","PASSWORD":"%s"}}',
		client_id, prefix, user, password))
end
