-- signed.lua: make wrk replay one pre-signed request, read from the file
-- named by $BENCH_REQUEST: the method on the first line, then
-- "Name: value" header lines, an empty line, and the body. bench.sh
-- writes the file with botocore's SigV4 signer just before the run; the
-- signature stays valid within the server's clock-skew allowance.
local path = assert(os.getenv("BENCH_REQUEST"), "BENCH_REQUEST not set")
local f = assert(io.open(path, "rb"))
local data = f:read("*a")
f:close()

local head, body = data:match("^(.-)\n\n(.*)$")
assert(head, "no empty line after the headers in " .. path)
local first = true
for line in head:gmatch("[^\n]+") do
	if first then
		wrk.method = line
		first = false
	else
		local name, value = line:match("^([^:]+):%s*(.*)$")
		wrk.headers[name] = value
	end
end
wrk.body = body
