--[[
  Loads the state of one or more users: a single Redis takes the whole batch in one call; on a Cluster,
  where the users' keys span slots, each call carries one user.

  KEYS[2i-1]  state hash of user i ({u:<id>}:s), fields r (revision) and d (state document)
  KEYS[2i]    history list of user i ({u:<id>}:h), one entry per event, oldest first

  Returns  a flat array: revision, document and history entries (an array, empty when there are none) of
           each user in KEYS order; revision and document are false where the user has no state
]]
local out = {}
for i = 1, #KEYS / 2 do
  local v = redis.call('HMGET', KEYS[2 * i - 1], 'r', 'd')
  out[3 * i - 2] = v[1]
  out[3 * i - 1] = v[2]
  out[3 * i] = redis.call('LRANGE', KEYS[2 * i], 0, -1)
end
return out
