package probes

import (
	"regexp/syntax"
	"strings"
)

// generate builds candidate strings for an RE2 pattern from its syntax tree:
// variant 0 takes every repetition its minimum number of times, variant 1
// takes optional parts once and repetitions twice; each variant k takes the
// k-th branch of every alternation (the last one when there are fewer).
// Candidates are filtered by the caller against the pattern itself.
func generate(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	var out []string
	for variant := 0; variant < 4; variant++ {
		var b strings.Builder
		gen(&b, re, variant)
		out = append(out, b.String())
	}
	return out
}

func gen(b *strings.Builder, re *syntax.Regexp, variant int) {
	rich := variant%2 == 1
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		b.WriteRune(classRune(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('x')
	case syntax.OpCapture:
		gen(b, re.Sub[0], variant)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			gen(b, s, variant)
		}
	case syntax.OpAlternate:
		k := variant / 2
		if k >= len(re.Sub) {
			k = len(re.Sub) - 1
		}
		gen(b, re.Sub[k], variant)
	case syntax.OpStar, syntax.OpQuest:
		if rich {
			gen(b, re.Sub[0], variant)
		}
	case syntax.OpPlus:
		gen(b, re.Sub[0], variant)
		if rich {
			gen(b, re.Sub[0], variant)
		}
	case syntax.OpRepeat:
		n := re.Min
		if rich && re.Max != re.Min {
			n++
		}
		for range n {
			gen(b, re.Sub[0], variant)
		}
	}
}

// classRune picks a rune of a character class (pairs of lo, hi): a lower
// case letter when the class has one, else its first rune.
func classRune(ranges []rune) rune {
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i] <= 'p' && 'p' <= ranges[i+1] {
			return 'p'
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i] <= 'a' && 'a' <= ranges[i+1] {
			return 'a'
		}
		if ranges[i] <= 'z' && ranges[i+1] >= 'a' {
			return max(ranges[i], 'a')
		}
	}
	if len(ranges) == 0 {
		return 'x'
	}
	return ranges[0]
}
