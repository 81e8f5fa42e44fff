-- codes.lua: make wrk exchange a fresh authorization code with every
-- request. $BENCH_CODES names a file of codes, one a line (written by
-- tests/bench/oauth_codes.py, rows already in oauth_codes); thread i of
-- $BENCH_NTHREADS takes lines i, i + n, i + 2n, ... so no code is sent
-- twice. Each request is POST <url path> with grant_type=
-- authorization_code, the code and $BENCH_REDIRECT_URI (form-encoded
-- already), and the headers of $BENCH_REQUEST (read as signed.lua does:
-- method line, header lines, empty line; its body is ignored). When a
-- thread has no codes left it sends code=exhausted, which fails (400)
-- and so shows in the non-2xx count rather than replaying a used code.
local counter = 0

function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
end

local codes, next_code, headers, redirect = {}, 1, {}, nil

function init(args)
	-- (assert returns its message too: keep it out of the calls)
	local n = tonumber((assert(os.getenv("BENCH_NTHREADS"),
	    "BENCH_NTHREADS not set")))
	local i = 0
	for line in io.lines((assert(os.getenv("BENCH_CODES"),
	    "BENCH_CODES not set"))) do
		if i % n == id and line ~= "" then
			codes[#codes + 1] = line
		end
		i = i + 1
	end
	redirect = (assert(os.getenv("BENCH_REDIRECT_URI"),
	    "BENCH_REDIRECT_URI not set"))
	local f = assert(io.open((assert(os.getenv("BENCH_REQUEST"),
	    "BENCH_REQUEST not set")), "rb"))
	local head = f:read("*a"):match("^(.-)\n\n")
	f:close()
	local first = true
	for line in head:gmatch("[^\n]+") do
		if first then
			first = false
		else
			local name, value = line:match("^([^:]+):%s*(.*)$")
			headers[name] = value
		end
	end
end

function request()
	local code = codes[next_code] or "exhausted"
	next_code = next_code + 1
	local h = {}
	for k, v in pairs(headers) do
		h[k] = v
	end
	return wrk.format("POST", nil, h, "grant_type=authorization_code&code="
	    .. code .. "&redirect_uri=" .. redirect)
end
