-- Each connection is one signed-in tenant: bench/run starts one wrk thread
-- per connection (-t = -c) and this script gives each thread a line of the
-- file BENCH_TENANTS names: "cookie<TAB>path" (path empty: the URL's).
-- The request is then built once per thread, as wrk does for static ones.

local lines = {}
local count = 0

function setup(thread)
   if #lines == 0 then
      for line in io.lines(os.getenv("BENCH_TENANTS")) do
         lines[#lines + 1] = line
      end
   end
   count = count + 1
   local line = lines[(count - 1) % #lines + 1]
   local c, p = line:match("^([^\t]*)\t?(.*)$")
   thread:set("tenant_cookie", c)
   thread:set("tenant_path", p)
end

function init(args)
   if tenant_cookie ~= "" then
      wrk.headers["Cookie"] = "portail_session=" .. tenant_cookie
   end
   if tenant_path ~= "" then
      wrk.path = tenant_path
   end
end

dofile("bench/wrk/report.lua")
