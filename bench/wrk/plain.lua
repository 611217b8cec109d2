-- The URL as given, no cookie (static files).
dofile("bench/wrk/report.lua")
