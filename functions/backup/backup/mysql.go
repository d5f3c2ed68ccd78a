package backup

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// database is a MySQL (or MariaDB) container of the bundle and how to dump
// it, or why it cannot be.
type database struct {
	w         workload
	container corev1.Container
	// dumpFile is where the hook writes the dump: on the claim-backed
	// volume, so that the volume's backup carries it.
	dumpFile, claim string
	// tool is the dump client of the server's image.
	tool string
	// command is the hook's command; nil when the database cannot be
	// dumped, and problem says why.
	command []string
	problem string
}

// mysqlImages are the image names of the servers whose dump tool and
// entrypoint environment the hook relies on (the official images).
var mysqlImages = map[string]string{"mysql": "mysqldump", "mariadb": "mariadb-dump"}

// DumpFileName is the file the hook writes in the data volume's mount.
const DumpFileName = "kfgitops-mysqldump.sql"

// findDatabases lists every MySQL container of the bundle's workloads.
func findDatabases(b *bundle) []database {
	var out []database
	for _, w := range b.workloads {
		for _, c := range w.pod.Spec.Containers {
			tool, ok := mysqlImages[imageName(c.Image)]
			if !ok {
				continue
			}
			out = append(out, dumpPlan(w, c, tool))
		}
	}
	return out
}

// dumpPlan is how to dump one server consistently: mysqldump with
// --single-transaction (one InnoDB snapshot for every table, without
// locking writers) as root, the password read from the container's own
// environment at run time (so no secret value is ever written out), into a
// file on the persistent volume, renamed into place only when complete.
func dumpPlan(w workload, c corev1.Container, tool string) database {
	d := database{w: w, container: c, tool: tool}
	mount, claim, ok := w.persistentMount(c)
	if !ok {
		d.problem = "no volume of its mounts is a PersistentVolumeClaim, so a dump would not be in the backup"
		return d
	}
	d.dumpFile, d.claim = strings.TrimSuffix(mount, "/")+"/"+DumpFileName, claim
	password, ok := rootCredentials(c)
	if !ok {
		d.problem = "its environment has no root password variable (MYSQL_ROOT_PASSWORD, MARIADB_ROOT_PASSWORD) and no MYSQL_ALLOW_EMPTY_PASSWORD, so the hook cannot log in"
		return d
	}
	auth := ""
	if password != "" {
		auth = fmt.Sprintf(`MYSQL_PWD="$%s" `, password)
	}
	script := fmt.Sprintf(`set -eu; umask 077; f=%s; %s%s --user=root --single-transaction --quick --routines --events --triggers --all-databases --result-file="$f.tmp" && mv "$f.tmp" "$f"`,
		shellQuote(d.dumpFile), auth, tool)
	d.command = []string{"/bin/sh", "-c", script}
	return d
}

// rootCredentials is the variable holding root's password (its value, from
// a Secret or not, stays in the cluster), or "" with ok when the server
// allows root without one.
func rootCredentials(c corev1.Container) (variable string, ok bool) {
	names := map[string]bool{}
	for _, e := range c.Env {
		if e.Value != "" || e.ValueFrom != nil {
			names[e.Name] = true
		}
	}
	for _, v := range []string{"MYSQL_ROOT_PASSWORD", "MARIADB_ROOT_PASSWORD"} {
		if names[v] {
			return v, true
		}
	}
	for _, e := range c.Env {
		if slices.Contains([]string{"MYSQL_ALLOW_EMPTY_PASSWORD", "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD"}, e.Name) && e.Value != "" && e.ValueFrom == nil {
			return "", true
		}
	}
	return "", false
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'" }

func (d database) describe() string {
	return fmt.Sprintf("%s container %s", d.w.describe(), d.container.Name)
}
