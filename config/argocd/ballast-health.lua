-- Argo CD health check for ballast.dev LoadBalancerPolicy and BackendPool (the same script serves both).
--   Healthy      Programmed=True for the current generation: every connected ingress replica runs it.
--   Progressing  no status yet, the operator has not observed this generation, or the replicas are still
--                applying it (Programmed=False with reason Pending).
--   Degraded     anything else (not accepted, no replica connected, ...), with the condition's message.
local hs = { status = "Progressing", message = "Waiting for the Ballast operator to observe this resource" }
local generation = obj.metadata and obj.metadata.generation or nil
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
if generation ~= nil and obj.status.observedGeneration ~= nil and obj.status.observedGeneration < generation then
  hs.message = "Generation " .. generation .. " not yet observed by the operator (status is for " .. obj.status.observedGeneration .. ")"
  return hs
end
local programmed = nil
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Programmed" then
    programmed = condition
  end
end
if programmed == nil then
  return hs
end
if generation ~= nil and programmed.observedGeneration ~= nil and programmed.observedGeneration < generation then
  hs.message = "Generation " .. generation .. " not yet observed by the operator (Programmed is for " .. programmed.observedGeneration .. ")"
  return hs
end
local message = programmed.message or programmed.reason or ""
if programmed.status == "True" then
  hs.status = "Healthy"
  hs.message = message
  return hs
end
if programmed.status == "False" and programmed.reason == "Pending" then
  hs.message = message
  return hs
end
hs.status = "Degraded"
hs.message = message
-- Prefer the Accepted condition's message when the resource was rejected: it names the field.
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Accepted" and condition.status == "False" and condition.message ~= nil then
    hs.message = condition.message
  end
end
return hs
