package argocdapps

// HealthKey is the argocd-cm key of the health check for Applications.
const HealthKey = "resource.customizations.health.argoproj.io_Application"

// ApplicationHealthLua is the health check of argoproj.io/Application as a
// resource. Argo CD 1.8 removed the built-in one, so an app-of-apps parent
// creates its children wave after wave without waiting for any of them. This
// check restores the wait and closes the holes of the documented script: a
// child is Healthy only when it is Synced as well as Healthy (argo-cd#10550),
// has no sync operation requested or running, has no error condition
// (argo-cd#6507), and was compared against its current source, not a stale
// one (argo-cd#29649). A Degraded child or one with an error condition is
// Degraded, which fails the parent's sync; the parent's retry runs it again.
const ApplicationHealthLua = `local hs = {status = "Progressing", message = "waiting for the Application to be reconciled"}
if obj.status == nil or obj.status.health == nil or obj.status.sync == nil then
  return hs
end
if obj.operation ~= nil then
  hs.message = "sync operation requested"
  return hs
end
local op = obj.status.operationState
if op ~= nil and (op.phase == "Running" or op.phase == "Terminating") then
  hs.message = "sync operation " .. op.phase
  return hs
end
if obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type ~= nil and string.find(c.type, "Error$") ~= nil then
      hs.status = "Degraded"
      hs.message = c.type .. ": " .. (c.message or "")
      return hs
    end
  end
end
local health = obj.status.health.status
local sync = obj.status.sync.status
if health == "Degraded" then
  hs.status = "Degraded"
  hs.message = obj.status.health.message or "Degraded"
  return hs
end
local compared = obj.status.sync.comparedTo
if obj.spec.source ~= nil and compared ~= nil and compared.source ~= nil then
  local want, got = obj.spec.source, compared.source
  if want.repoURL ~= got.repoURL or want.path ~= got.path or want.targetRevision ~= got.targetRevision then
    hs.message = "comparison is of an older source"
    return hs
  end
end
if health == "Healthy" and sync == "Synced" then
  hs.status = "Healthy"
  hs.message = ""
  return hs
end
hs.message = "health " .. tostring(health) .. ", sync " .. tostring(sync)
return hs
`

// argoCDConfigNote is written above the health check in the argocd-cm
// document: applying it changes every Application on the Argo CD instance.
const argoCDConfigNote = `Cluster-wide: this key makes Argo CD judge the health of EVERY
argoproj.io/Application resource on this Argo CD instance (not only
kfgitops'): a parent app-of-apps waits, wave by wave, until each child
Application is Synced and Healthy, and fails its sync when a child is
Degraded. Apply it once with server-side apply so that the other keys of
argocd-cm are kept:
  kubectl apply --server-side -f bootstrap/argocd-cm.yaml`
