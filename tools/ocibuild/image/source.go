package image

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Source is what the image records about the tree it was built from.
type Source struct {
	// Revision is the git commit, with "-dirty" appended when the files that
	// go into the binary differ from it.
	Revision string
	// Created is the image's creation time: $SOURCE_DATE_EPOCH if set, else
	// the commit's time, so that the same commit gives the same digest.
	Created time.Time
}

// GitSource reads the revision and time of the commit checked out at root.
// paths are the files that go into the binary (the function's directory,
// kit/): uncommitted changes there mark the revision dirty.
func GitSource(root string, paths ...string) (Source, error) {
	out, err := git(root, "log", "-1", "--format=%H %ct")
	if err != nil {
		return Source{}, err
	}
	rev, ct, _ := strings.Cut(out, " ")
	secs, err := strconv.ParseInt(ct, 10, 64)
	if err != nil {
		return Source{}, fmt.Errorf("commit time %q: %w", ct, err)
	}
	if epoch := os.Getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		if secs, err = strconv.ParseInt(epoch, 10, 64); err != nil {
			return Source{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: %w", epoch, err)
		}
	}
	status, err := git(root, append([]string{"status", "--porcelain", "--"}, paths...)...)
	if err != nil {
		return Source{}, err
	}
	if status != "" {
		rev += "-dirty"
	}
	return Source{Revision: rev, Created: time.Unix(secs, 0).UTC()}, nil
}

func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = strings.TrimSpace(string(ee.Stderr))
		}
		return "", fmt.Errorf("git %s: %v %s", strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out)), nil
}
