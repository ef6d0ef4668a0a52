--[[
  Arms and disarms timers in one partition's due index and returns what each member held before, so a
  write made for a user whose state write was refused can be undone (restore-timers-1.lua).
  The index lives in its own slot ({t:<p>}), apart from the users' keys: it cannot join the user's
  compare-and-set script on Redis Cluster, so it rides in the same pipeline as a separate command.

  KEYS[1]  due index of the partition ({t:<p>}), a sorted set: member = JSON [userId, timerId], score = dueAt
  ARGV     pairs: member, dueAt (epoch ms), or member, "" to remove it

  Returns  one entry per pair: the member's previous score as a string, or "" when it was absent
]]
local previous = {}
for i = 1, #ARGV, 2 do
  local member = ARGV[i]
  local old = redis.call('ZSCORE', KEYS[1], member)
  previous[#previous + 1] = old or ''
  if ARGV[i + 1] == '' then
    redis.call('ZREM', KEYS[1], member)
  else
    redis.call('ZADD', KEYS[1], ARGV[i + 1], member)
  end
end
return previous
