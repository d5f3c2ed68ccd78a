// Package events names the Events runtime-sync puts on the objects it reads
// (reasons are part of its interface: docs/troubleshooting.md lists them)
// and emits each refusal once per version of the object, so that a
// reconcile that its own clean-up triggers does not repeat it.
package events

import (
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/recorder"
)

// Component is the reporting controller of every Event.
const Component = "runtime-sync"

// Reasons.
const (
	// Unconvertible: the VirtualService cannot be converted exactly (a
	// warning finding of the converter); no route is written.
	Unconvertible = "Unconvertible"
	// Malformed: the object cannot be read as its kind (a field of the wrong
	// type, an invalid value); nothing is derived from it.
	Malformed = "Malformed"
	// TenancyRefused: a route would reach outside the namespace's prefixes,
	// hosts or Services; no route is written.
	TenancyRefused = "TenancyRefused"
	// NotHandled: a VirtualService that is not runtime-sync's to convert
	// (KServe Serverless, Knative); it stays as it is.
	NotHandled = "NotHandled"
	// Conflict: a derived object's name is taken by an object runtime-sync
	// does not manage; nothing is written over it.
	Conflict = "Conflict"
	// Synced: derived objects were created or changed.
	Synced = "Synced"
	// PolicyNotMigrated: an AuthorizationPolicy cannot be enforced at the
	// waypoint; nothing is derived from it (ztunnel alone enforces it, which
	// denies what its L7 rules allowed).
	PolicyNotMigrated = "PolicyNotMigrated"
	// PolicyMigrationWarning: the policy is migrated, but under ambient it
	// denies more than with sidecars (never less).
	PolicyMigrationWarning = "PolicyMigrationWarning"
)

// Recorder emits Events on sources.
type Recorder struct {
	rec recorder.EventRecorder
	mu  sync.Mutex
	// seen is "namespace/name" → resourceVersion the last refusal was
	// emitted for.
	seen map[string]string
}

// New wraps the manager's recorder for Component.
func New(rec recorder.EventRecorder) *Recorder {
	return &Recorder{rec: rec, seen: map[string]string{}}
}

// Refusal is one Warning Event.
type Refusal struct {
	Reason, Message string
}

// Refused emits the refusals on o, once per resourceVersion of o: the
// reconcile that follows the clean-up of o's derived objects does not repeat
// them; an edit of o does.
func (r *Recorder) Refused(o *unstructured.Unstructured, action string, refusals []Refusal) {
	key := o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
	r.mu.Lock()
	if r.seen[key] == o.GetResourceVersion() {
		r.mu.Unlock()
		return
	}
	r.seen[key] = o.GetResourceVersion()
	r.mu.Unlock()
	for _, f := range refusals {
		r.rec.Eventf(o, nil, corev1.EventTypeWarning, f.Reason, action, "%s", f.Message)
	}
}

// Accepted forgets o's last refusal, so that a later refusal of the same
// resourceVersion (after a configuration change) is reported again.
func (r *Recorder) Accepted(o *unstructured.Unstructured) {
	r.mu.Lock()
	delete(r.seen, o.GetKind()+" "+o.GetNamespace()+"/"+o.GetName())
	r.mu.Unlock()
}

// Forget drops what is remembered of a deleted object.
func (r *Recorder) Forget(kind, namespace, name string) {
	r.mu.Lock()
	delete(r.seen, kind+" "+namespace+"/"+name)
	r.mu.Unlock()
}

// Normal emits a Normal Event.
func (r *Recorder) Normal(o *unstructured.Unstructured, reason, action, format string, a ...any) {
	r.rec.Eventf(o, nil, corev1.EventTypeNormal, reason, action, "%s", fmt.Sprintf(format, a...))
}

// FieldText prefixes a message with the field it is about.
func FieldText(field, message string) string {
	if field == "" {
		return message
	}
	return field + ": " + message
}
