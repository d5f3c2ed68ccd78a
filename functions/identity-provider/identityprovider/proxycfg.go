package identityprovider

import (
	"fmt"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// proxyConfig is oauth2-proxy's config file (TOML, one setting a line, as
// the manifests write it), edited line by line so that every other line and
// comment stays as it is.
type proxyConfig struct {
	obj   *fn.KubeObject
	key   string
	lines []string
}

func readProxyConfig(o *fn.KubeObject, key string) (*proxyConfig, error) {
	s, found, err := o.NestedString("data", key)
	if err != nil || !found {
		return nil, kit.Errorf(o, "data."+key, "oauth2-proxy's config file is missing (%v)", err)
	}
	return &proxyConfig{obj: o, key: key, lines: strings.Split(s, "\n")}, nil
}

func (p *proxyConfig) write() error {
	return p.obj.SetNestedString(strings.Join(p.lines, "\n"), "data", p.key)
}

// find is the line index of a top-level setting (-1: none).
func (p *proxyConfig) find(key string) int {
	for i, l := range p.lines {
		if k, _, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == key && !strings.HasPrefix(strings.TrimSpace(l), "#") {
			return i
		}
	}
	return -1
}

// set writes key = "value" in place of the setting, or at the end.
func (p *proxyConfig) set(key, value string) error {
	line := fmt.Sprintf("%s = %q", key, value)
	i := p.find(key)
	if i < 0 {
		end := len(p.lines)
		if end > 0 && p.lines[end-1] == "" {
			p.lines = append(p.lines[:end-1], line, "")
		} else {
			p.lines = append(p.lines, line)
		}
		return nil
	}
	if strings.HasSuffix(strings.TrimSpace(p.lines[i]), "[") {
		return kit.Errorf(p.obj, "data."+p.key, "setting %s is a list, want a string", key)
	}
	p.lines[i] = line
	return nil
}

// remove drops a single-line setting and the comment lines right above it,
// which speak of it; it reports whether the setting was there.
func (p *proxyConfig) remove(key string) bool {
	i := p.find(key)
	if i < 0 {
		return false
	}
	start := i
	for start > 0 && strings.HasPrefix(strings.TrimSpace(p.lines[start-1]), "#") {
		start--
	}
	// A removed block leaves one blank line between its neighbours.
	end := i + 1
	if start > 0 && p.lines[start-1] == "" && end < len(p.lines) && p.lines[end] == "" {
		end++
	}
	p.lines = append(p.lines[:start], p.lines[end:]...)
	return true
}

// removeListEntry drops the entry of a multi-line list setting; it reports
// whether it was there.
func (p *proxyConfig) removeListEntry(key, entry string) bool {
	i := p.find(key)
	if i < 0 || !strings.HasSuffix(strings.TrimSpace(p.lines[i]), "[") {
		return false
	}
	for j := i + 1; j < len(p.lines) && strings.TrimSpace(p.lines[j]) != "]"; j++ {
		if strings.TrimSuffix(strings.TrimSpace(p.lines[j]), ",") == fmt.Sprintf("%q", entry) {
			p.lines = append(p.lines[:j], p.lines[j+1:]...)
			return true
		}
	}
	return false
}
