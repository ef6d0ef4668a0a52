--[[
  Loads the state of many users in one call (single Redis only: the keys span slots, so the store
  sends one HMGET per user to a Cluster instead).

  KEYS[i]  state hash of user i ({u:<id>}:s), fields r (revision) and d (state JSON)

  Returns  a flat array: revision and document of each user in KEYS order, false where there is none
]]
local out = {}
for i = 1, #KEYS do
  local v = redis.call('HMGET', KEYS[i], 'r', 'd')
  out[2 * i - 1] = v[1]
  out[2 * i] = v[2]
end
return out
