--[[
  Loads the state of one or more users: a single Redis takes the whole batch in one call; on a Cluster,
  where the users' keys span slots, each call carries one user.

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
