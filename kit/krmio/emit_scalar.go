package krmio

// Scalar analysis and tag resolution for emit.go, following yaml.v3's
// emitterc.go, yamlprivateh.go (MIT, libyaml port) and resolve.go
// (Apache-2.0, Canonical Ltd.); see the notice in emit.go.

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

type scalarAnalysis struct {
	multiline           bool
	blockPlainAllowed   bool
	singleQuotedAllowed bool
	blockAllowed        bool
}

// analyzeScalar is yaml_emitter_analyze_scalar outside flow collections.
func analyzeScalar(value string) scalarAnalysis {
	if len(value) == 0 {
		return scalarAnalysis{blockPlainAllowed: true, singleQuotedAllowed: true}
	}
	var f scalarFlags
	f.blockIndicators = strings.HasPrefix(value, "---") || strings.HasPrefix(value, "...")
	precededByWhitespace := true
	for i, w := 0, 0; i < len(value); i += w {
		w = width(value[i])
		if isIndicator(value, i, w, precededByWhitespace) {
			f.blockIndicators = true
		}
		if value[i] == '\t' {
			f.tabCharacters = true
		} else if !isPrintable(value, i) {
			f.specialCharacters = true
		}
		f.noteWhitespace(value, i, w)
		precededByWhitespace = isBlankz(value, i)
	}
	return f.analysis()
}

// scalarFlags are what yaml_emitter_analyze_scalar notes on its walk over a
// scalar.
type scalarFlags struct {
	blockIndicators, lineBreaks, specialCharacters, tabCharacters bool
	leadingSpace, leadingBreak, trailingSpace, trailingBreak      bool
	breakSpace, spaceBreak                                        bool
	previousSpace, previousBreak                                  bool
}

// isIndicator tells whether the character at i, w bytes wide, is a YAML
// indicator where it stands (which rules out the plain style).
func isIndicator(value string, i, w int, precededByWhitespace bool) bool {
	followedByWhitespace := i+w >= len(value) || isBlank(value, i+w)
	if i == 0 {
		switch value[i] {
		case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
			return true
		case '?', ':', '-':
			return followedByWhitespace
		}
		return false
	}
	switch value[i] {
	case ':':
		return followedByWhitespace
	case '#':
		return precededByWhitespace
	}
	return false
}

// noteWhitespace records where the space or line break at i stands: first,
// last, or next to the other kind.
func (f *scalarFlags) noteWhitespace(value string, i, w int) {
	first, last := i == 0, i+w == len(value)
	switch {
	case isSpace(value, i):
		f.leadingSpace = f.leadingSpace || first
		f.trailingSpace = f.trailingSpace || last
		f.breakSpace = f.breakSpace || f.previousBreak
		f.previousSpace, f.previousBreak = true, false
	case isBreak(value, i):
		f.lineBreaks = true
		f.leadingBreak = f.leadingBreak || first
		f.trailingBreak = f.trailingBreak || last
		f.spaceBreak = f.spaceBreak || f.previousSpace
		f.previousSpace, f.previousBreak = false, true
	default:
		f.previousSpace, f.previousBreak = false, false
	}
}

// analysis is the styles the flags allow.
func (f scalarFlags) analysis() scalarAnalysis {
	a := scalarAnalysis{multiline: f.lineBreaks, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: true}
	if f.leadingSpace || f.leadingBreak || f.trailingSpace || f.trailingBreak || f.lineBreaks || f.blockIndicators {
		a.blockPlainAllowed = false
	}
	if f.trailingSpace {
		a.blockAllowed = false
	}
	if f.breakSpace || f.spaceBreak || f.tabCharacters || f.specialCharacters {
		a.blockPlainAllowed = false
		a.singleQuotedAllowed = false
	}
	if f.spaceBreak || f.specialCharacters {
		a.blockAllowed = false
	}
	return a
}

// Character classes of yamlprivateh.go; positions past the end read as NUL.
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func isSpace(s string, i int) bool { return at(s, i) == ' ' }

func isBlank(s string, i int) bool { c := at(s, i); return c == ' ' || c == '\t' }

func isBreak(s string, i int) bool {
	c := at(s, i)
	return c == '\r' || c == '\n' ||
		c == 0xC2 && at(s, i+1) == 0x85 || // NEL
		c == 0xE2 && at(s, i+1) == 0x80 && (at(s, i+2) == 0xA8 || at(s, i+2) == 0xA9) // LS, PS
}

func isBlankz(s string, i int) bool { return isBlank(s, i) || isBreak(s, i) || at(s, i) == 0 }

func isPrintable(s string, i int) bool {
	c := at(s, i)
	return c == 0x0A ||
		c >= 0x20 && c <= 0x7E ||
		c == 0xC2 && at(s, i+1) >= 0xA0 ||
		c > 0xC2 && c < 0xED ||
		c == 0xED && at(s, i+1) < 0xA0 ||
		c == 0xEE ||
		c == 0xEF && !(at(s, i+1) == 0xBB && at(s, i+2) == 0xBF) &&
			!(at(s, i+1) == 0xBF && (at(s, i+2) == 0xBE || at(s, i+2) == 0xBF))
}

func width(b byte) int {
	switch {
	case b&0x80 == 0x00:
		return 1
	case b&0xE0 == 0xC0:
		return 2
	case b&0xF0 == 0xE0:
		return 3
	case b&0xF8 == 0xF0:
		return 4
	}
	return 1 // not reached for valid UTF-8, which the caller checks
}

const (
	strTag        = "!!str"
	longTagPrefix = "tag:yaml.org,2002:"
)

func shortTag(tag string) string {
	if rest, ok := strings.CutPrefix(tag, longTagPrefix); ok {
		return "!!" + rest
	}
	return tag
}

var yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// resolveTag is the tag yaml.v3's resolve gives a plain scalar.
func resolveTag(in string) string {
	if in == "" {
		return "!!null"
	}
	switch in {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool"
	case "~", "null", "Null", "NULL":
		return "!!null"
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return "!!float"
	}
	switch c := in[0]; {
	case c == '.':
		if _, err := strconv.ParseFloat(in, 64); err == nil {
			return "!!float"
		}
	case c == '+' || c == '-' || c >= '0' && c <= '9':
		if isTimestamp(in) {
			return "!!timestamp"
		}
		plain := strings.ReplaceAll(in, "_", "")
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return "!!int"
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return "!!int"
		}
		if yamlStyleFloat.MatchString(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return "!!float"
			}
		}
		for _, p := range []struct {
			prefix string
			base   int
		}{{"0b", 2}, {"-0b", 2}, {"0o", 8}, {"-0o", 8}} {
			digits, ok := strings.CutPrefix(plain, p.prefix)
			if !ok {
				continue
			}
			if p.prefix[0] == '-' {
				digits = "-" + digits
			}
			if _, err := strconv.ParseInt(digits, p.base, 64); err == nil {
				return "!!int"
			}
			if p.prefix[0] != '-' {
				if _, err := strconv.ParseUint(digits, p.base, 64); err == nil {
					return "!!int"
				}
			}
		}
	}
	return strTag
}

var timestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

func isTimestamp(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, format := range timestampFormats {
		if _, err := time.Parse(format, s); err == nil {
			return true
		}
	}
	return false
}
