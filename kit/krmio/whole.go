package krmio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// SDKReaderEnv, set to 1, makes Read parse every input as one document, as
// the SDK's fn.ParseResourceList does, instead of item by item: for triage
// of a suspected difference (docs/troubleshooting.md).
const SDKReaderEnv = "KFGITOPS_SDK_READER"

func sdkReaderForced() bool { return os.Getenv(SDKReaderEnv) == "1" }

// readWhole parses the input as one YAML stream with the parser the SDK
// uses (yaml.v3, as fn.ParseResourceList does), and takes it apart with
// readTop. The stream must hold exactly one document.
func readWhole(in []byte) (*document, error) {
	dec := yaml.NewDecoder(bytes.NewReader(in))
	var top *yaml.Node
	for docs := 0; ; docs++ {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("input is not a ResourceList: %s", yamlError(err, in))
		}
		if len(doc.Content) == 0 {
			continue // an empty document, which the SDK skips too
		}
		if top != nil {
			return nil, fmt.Errorf("input is not one ResourceList: a second YAML document starts at line %d", doc.Content[0].Line)
		}
		top = doc.Content[0]
	}
	if top == nil {
		return nil, fmt.Errorf("empty input: expected a ResourceList on stdin")
	}
	return readTop(top)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlError rewrites a parser error to say what it is about: yaml.v3 reads
// a key longer than 1024 characters written without "? " as no key at all,
// and says so in terms of the grammar.
func yamlError(err error, in []byte) string {
	msg := oneLine(err.Error())
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	line, _ := strconv.Atoi(m[1])
	for _, l := range []int{line, line - 1} {
		if key, ok := longKeyAt(in, l); ok {
			return fmt.Sprintf("yaml: line %d: a key of %d bytes: YAML reads a key written without \"? \" only up to 1024 characters", l, len(key))
		}
	}
	return msg
}

// longKeyAt reports a key over 1024 bytes on line l (1-based) of in.
func longKeyAt(in []byte, l int) (string, bool) {
	if l < 1 {
		return "", false
	}
	start := 0
	for i := 1; i < l; i++ {
		nl := bytes.IndexByte(in[start:], '\n')
		if nl < 0 {
			return "", false
		}
		start += nl + 1
	}
	text := in[start:]
	if nl := bytes.IndexByte(text, '\n'); nl >= 0 {
		text = text[:nl]
	}
	key, _, found := strings.Cut(strings.TrimLeft(string(text), " -"), ":")
	return key, found && len(key) > 1024
}
