package harness

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// ProfileRuntimePolicies returns, for a profile namespace, its owner's
// e-mail and its Profile's uid, the run-time policies the runtime-sync
// controller's fixtures hold (controllers/runtime-sync/profiles/testdata/
// policies.yaml): the profile controller's ns-owner-access-istio (owned by
// the Profile) and a contributor's policy as kfam writes it when someone is
// added in the dashboard (user-jane-example-com-clusterrole-edit). The
// fixtures' own uids are left out: the server or the caller assigns them.
func ProfileRuntimePolicies(root string) (func(ns, owner, profileUID string) string, error) {
	b, err := os.ReadFile(filepath.Join(root, "controllers", "runtime-sync", "profiles", "testdata", "policies.yaml"))
	if err != nil {
		return nil, err
	}
	fixture := regexp.MustCompile(`(?m)^  uid: .*\n`).ReplaceAllString(string(b), "")
	tenant := regexp.MustCompile(`\balice\b`)
	return func(ns, owner, profileUID string) string {
		s := strings.ReplaceAll(fixture, "alice@example.com", "\x00owner\x00")
		s = strings.ReplaceAll(s, fixtureProfileUID, profileUID)
		s = tenant.ReplaceAllString(s, ns)
		return strings.ReplaceAll(s, "\x00owner\x00", owner)
	}, nil
}

// fixtureProfileUID is the uid of Profile alice in the fixtures'
// ownerReferences.
const fixtureProfileUID = "6a1c0d6e-0000-4000-8000-0000000000ff"

// Names of the policies ProfileRuntimePolicies returns.
const (
	OwnerAccessPolicy = "ns-owner-access-istio"
	ContributorPolicy = "user-jane-example-com-clusterrole-edit"
	ContributorEmail  = "jane@example.com"
)
