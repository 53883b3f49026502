-- wrk script: every request carries "Authorization: Bearer <token>", taken in turn from the file $TOKENS.
-- $TOKEN_COUNT limits how many distinct tokens are used (e.g. 32: one per connection, each reused; 0: all of them,
-- a distinct token per request while the file lasts), starting after the first $TOKEN_OFFSET lines (optional: each
-- round of distinct-token runs takes its own slice). $DELAY_MS (optional) waits that long before each request on a
-- connection, to offer a fixed load below saturation.
local path = os.getenv("TOKENS")
local limit = tonumber(os.getenv("TOKEN_COUNT") or "0")
local offset = tonumber(os.getenv("TOKEN_OFFSET") or "0")
local pause = tonumber(os.getenv("DELAY_MS") or "0")
local requests = {}
local next_index = 0

-- Built per thread once wrk knows the target (wrk.format adds the Host header from it).
init = function()
  local skipped = 0
  for line in io.lines(path) do
    if skipped < offset then
      skipped = skipped + 1
    else
      requests[#requests + 1] = wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. line })
      if limit > 0 and #requests >= limit then break end
    end
  end
end

request = function()
  next_index = next_index % #requests + 1
  return requests[next_index]
end

if pause > 0 then
  delay = function() return pause end
end
