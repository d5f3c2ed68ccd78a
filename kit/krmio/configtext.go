package krmio

import (
	"bytes"
	"fmt"

	"github.com/kfgitops/kfgitops/kit"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// oversizedConfig refuses a functionConfig written in more than
// kit.MaxConfigTextBytes of YAML without parsing it (a huge scalar costs
// the parser several times its size): the block under a column-0
// "functionConfig:" line is replaced by `functionConfig: {}` and the rest
// parsed, which proves the block is the functionConfig when the parser puts
// that key, empty, on that line. rest is the document without its items.
func oversizedConfig(rest []byte) (error, bool) {
	start, end, ok := topLevelBlock(rest, "functionConfig")
	if !ok || end-start <= kit.MaxConfigTextBytes {
		return nil, false
	}
	skeleton, line := emptyBlock(rest, "functionConfig", "{}", start, end)
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(skeleton)).Decode(&doc); err != nil || len(doc.Content) != 1 {
		return nil, false
	}
	fc := field(doc.Content[0], "functionConfig")
	if fc == nil || fc.Kind != yaml.MappingNode || len(fc.Content) != 0 || fc.Line != line {
		return nil, false
	}
	return fmt.Errorf("functionConfig: %d bytes of YAML, over the limit of %d bytes (it may hold at most %d bytes of keys and values)",
		end-start, kit.MaxConfigTextBytes, kit.MaxConfigBytes), true
}

// emptyBlock is in with the block topLevelBlock found under key (from start
// to end) and its key line replaced by the one line `key: empty`, and the
// number of that line.
func emptyBlock(in []byte, key, empty string, start, end int) (out []byte, line int) {
	keyStart := start - len(key+":\n")
	out = make([]byte, 0, keyStart+len(in)-end+len(key)+len(empty)+3)
	out = append(out, in[:keyStart]...)
	out = append(out, key+": "+empty+"\n"...)
	out = append(out, in[end:]...)
	return out, bytes.Count(in[:keyStart], []byte("\n")) + 1
}

// topLevelBlock finds the lines after a column-0 "key:" line, up to the
// next line that starts at column 0 with anything but a line break.
func topLevelBlock(in []byte, key string) (start, end int, ok bool) {
	line := []byte(key + ":\n")
	i := 0
	if !bytes.HasPrefix(in, line) {
		if i = bytes.Index(in, append([]byte("\n"), line...)); i < 0 {
			return 0, 0, false
		}
		i++
	}
	start = i + len(line)
	for end = start; end < len(in); {
		nl := bytes.IndexByte(in[end:], '\n')
		if nl < 0 {
			nl = len(in) - end - 1
		}
		if in[end] != ' ' && in[end] != '\n' {
			break
		}
		end += nl + 1
	}
	return start, end, true
}
