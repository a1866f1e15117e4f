-- wrk asks for the flags as the models do: every code AA..ZZ in turn (lower case, the
-- demo's path), at the delay the server is told, so 194 of each 676 answers are flags
-- and the rest 404s.
--   wrk -t1 -c100 -d10s -s bench/wrk_flags.lua http://127.0.0.1:PORT
local letters = "abcdefghijklmnopqrstuvwxyz"
local index = 0

request = function()
  local first = math.floor(index / 26) % 26 + 1
  local second = index % 26 + 1
  local cc = letters:sub(first, first) .. letters:sub(second, second)
  index = index + 1
  return wrk.format("GET", "/flags/" .. cc .. "/" .. cc .. ".gif?delay_ms=0")
end
