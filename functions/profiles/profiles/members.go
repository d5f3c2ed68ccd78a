package profiles

import (
	"fmt"
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation"
)

// roleRank orders the roles: a user given both gets the higher one.
var roleRank = map[string]int{RoleView: 1, RoleEdit: 2}

// members checks a profile's member list and expands its groups into one
// grant per user. A user reached more than once keeps the highest role
// (listing a group with edit and one of its users with view is ordinary);
// the owner reached through a group is left out (the profile controller
// already makes them admin). The same user or group listed twice, or the
// owner listed by name, are errors: they are slips, not intent.
func (c *checker) members(field string, p *Profile) ([]grant, []string) {
	byUser := map[string]grant{}
	seen := map[string]int{}
	var notes []string
	ownerSkipped := map[string]bool{}
	for j, m := range p.Members {
		f := fmt.Sprintf("%s.members[%d]", field, j)
		ids, key, ok := c.memberUsers(f, p, m)
		if !ok {
			continue
		}
		via := key
		if m.User != "" {
			via = "user"
		}
		if k, dup := seen[key]; dup {
			c.fail(f, "%s is listed twice (also members[%d])", key, k)
			continue
		}
		seen[key] = j
		for _, id := range ids {
			if id == p.Owner {
				ownerSkipped[via] = true
				continue
			}
			g := grant{user: c.users[id], role: m.Role, via: via}
			prev, had := byUser[id]
			switch {
			case !had:
				byUser[id] = g
			case prev.role != g.role:
				keep, drop := prev, g
				if roleRank[g.role] > roleRank[prev.role] {
					keep, drop = g, prev
				}
				byUser[id] = keep
				notes = append(notes, fmt.Sprintf("%s gets %s (through %s), the higher of %s and %s (through %s)",
					keep.user.Email, keep.role, keep.via, keep.role, drop.role, drop.via))
			}
		}
	}
	for _, via := range slices.Sorted(maps.Keys(ownerSkipped)) {
		notes = append(notes, fmt.Sprintf("owner %s left out of the members through %s: the profile controller makes the owner admin", p.Owner, via))
	}
	return c.grants(field, byUser), notes
}

// memberUsers checks one member entry and returns the user ids it names
// and its key ("user <id>" or "group <name>").
func (c *checker) memberUsers(f string, p *Profile, m Member) ([]string, string, bool) {
	if _, ok := roleRank[m.Role]; !ok {
		c.fail(f+".role", "%q: want %q or %q", m.Role, RoleView, RoleEdit)
	}
	switch {
	case (m.User == "") == (m.Group == ""):
		c.fail(f, "set exactly one of user and group")
	case m.User != "":
		if _, ok := c.users[m.User]; !ok {
			c.fail(f+".user", "%q is not a declared user", m.User)
		} else if m.User == p.Owner {
			c.fail(f+".user", "%q is the profile's owner, who has admin access already", m.User)
		} else {
			return []string{m.User}, "user " + m.User, true
		}
	default:
		if _, ok := c.groups[m.Group]; !ok {
			c.fail(f+".group", "%q is not a declared group", m.Group)
		} else {
			return c.expanded[m.Group], "group " + m.Group, true
		}
	}
	return nil, "", false
}

// grants orders the grants by binding name and rejects two users whose
// e-mails kfam's naming maps to the same binding.
func (c *checker) grants(field string, byUser map[string]grant) []grant {
	byName := map[string]grant{}
	for _, id := range slices.Sorted(maps.Keys(byUser)) {
		g := byUser[id]
		name := BindingName(g.user.Email, g.role)
		if other, dup := byName[name]; dup {
			c.fail(field+".members", "users %q (%s) and %q (%s) both get the binding name %s: kfam names bindings after the e-mail with every run of other characters than letters and digits replaced by '-', lowercased",
				other.user.ID, other.user.Email, g.user.ID, g.user.Email, name)
			continue
		}
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
			c.fail(field+".members", "user %q: binding name %s: %s", g.user.ID, name, k8sMessage(errs))
			continue
		}
		byName[name] = g
	}
	out := make([]grant, 0, len(byName))
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		out = append(out, byName[name])
	}
	return out
}
