package kservegateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// jsonObject is a JSON object whose members keep their order and their
// values' bytes: KServe's config values are JSON documents edited by people,
// and an edit must change only the fields it sets.
type jsonObject struct {
	members []jsonMember
	// trailer is the whitespace after the closing brace, kept.
	trailer string
}

type jsonMember struct {
	key   string
	value json.RawMessage
}

// parseJSONObject reads one JSON object. Duplicate keys are an error:
// encoding/json (KServe's decoder) takes the last, which a reader of the
// ConfigMap would not expect.
func parseJSONObject(s string) (*jsonObject, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	obj := &jsonObject{trailer: s[len(strings.TrimRight(s, " \t\r\n")):]}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // the decoder only yields string keys in an object
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("value of %q: %w", key, err)
		}
		if seen[key] {
			return nil, fmt.Errorf("key %q given twice", key)
		}
		seen[key] = true
		obj.members = append(obj.members, jsonMember{key: key, value: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("text after the JSON object")
	}
	return obj, nil
}

// get returns the value of key, or nil.
func (o *jsonObject) get(key string) json.RawMessage {
	for _, m := range o.members {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

// set gives key the JSON encoding of v, in place, or appended when the
// object has no such key. It reports whether the value changed (compared
// compacted, so a reformatted equal value is no change).
func (o *jsonObject) set(key string, v any) (bool, error) {
	raw, err := marshal(v)
	if err != nil {
		return false, err
	}
	for i, m := range o.members {
		if m.key != key {
			continue
		}
		if equalJSON(m.value, raw) {
			return false, nil
		}
		o.members[i].value = raw
		return true, nil
	}
	o.members = append(o.members, jsonMember{key: key, value: raw})
	return true, nil
}

// String renders the object as KServe's own config files write it, one
// member a line with two spaces of indent, each value's bytes as they were
// read (a value set here as compact JSON), then the kept trailer.
func (o *jsonObject) String() string {
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, m := range o.members {
		key, _ := marshal(m.key) // a string always encodes
		b.WriteString("  ")
		b.Write(key)
		b.WriteString(": ")
		b.Write(m.value)
		if i < len(o.members)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}")
	b.WriteString(o.trailer)
	return b.String()
}

// marshal is json.Marshal without HTML escaping: templates hold no <, > or
// &, but a user's value might, and KServe reads either form the same.
func marshal(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func equalJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	return json.Compact(&ca, a) == nil && json.Compact(&cb, b) == nil && bytes.Equal(ca.Bytes(), cb.Bytes())
}
