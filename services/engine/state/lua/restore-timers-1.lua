--[[
  Undoes timer writes of set-timers-1.lua for users whose state write was refused, member by member and
  only where the index still holds what we wrote: if the winning writer has set the member since, its
  value stays.

  KEYS[1]  due index of the partition ({t:<p>})
  ARGV     triples: member, the score we wrote ("" = we removed it), the score to restore ("" = absent)

  Returns  the number of members restored
]]
local restored = 0
for i = 1, #ARGV, 3 do
  local member = ARGV[i]
  local current = redis.call('ZSCORE', KEYS[1], member)
  local ours = ARGV[i + 1]
  local unchanged
  if ours == '' then
    unchanged = not current
  else
    unchanged = current and tonumber(current) == tonumber(ours)
  end
  if unchanged then
    if ARGV[i + 2] == '' then
      redis.call('ZREM', KEYS[1], member)
    else
      redis.call('ZADD', KEYS[1], ARGV[i + 2], member)
    end
    restored = restored + 1
  end
end
return restored
