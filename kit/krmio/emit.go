package krmio

// This file emits one ResourceList item the way go.yaml.in/yaml/v3's
// encoder does (through kyaml's encoder: indent 2, compact sequences),
// byte for byte, without yaml.v3's event queue. yaml.v3 appends every event
// of a document to a queue it never trims, so encoding an object allocates
// a few hundred bytes per node: three quarters of all the memory a
// function allocates on the Kubeflow render, which makes the garbage
// collector and page faults grow faster than the input.
//
// The emitter covers what Kubernetes objects hold: block mappings and
// sequences, empty collections, scalars in every style. Anything else
// (comments, anchors and aliases, flow collections, explicit tags, complex
// keys, invalid UTF-8) returns errUnsupported and the caller encodes the
// item with yaml.v3; the tests compare both on every corpus object and fuzz
// scalars against yaml.v3.
//
// The scalar analysis, style choice and writers below follow yaml.v3's
// emitterc.go, a Go port of libyaml:
//
//   Copyright (c) 2006-2010 Kirill Simonov
//   Copyright (c) 2006-2011 Kirill Simonov
//   Permission is hereby granted, free of charge, to any person obtaining a
//   copy of this software and associated documentation files (the
//   "Software"), to deal in the Software without restriction, including
//   without limitation the rights to use, copy, modify, merge, publish,
//   distribute, sublicense, and/or sell copies of the Software, and to
//   permit persons to whom the Software is furnished to do so, subject to
//   the following conditions: The above copyright notice and this
//   permission notice shall be included in all copies or substantial
//   portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT
//   WARRANTY OF ANY KIND, EXPRESS OR IMPLIED.
//
// and the tag resolution follows yaml.v3's resolve.go (Copyright 2011-2016
// Canonical Ltd., Apache License 2.0).

import (
	"errors"
	"unicode/utf8"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

var errUnsupported = errors.New("not covered by the fast emitter")

// bestIndent is the indentation kyaml's encoder sets.
const bestIndent = yaml.DefaultIndent

type emitter struct {
	out        []byte
	column     int
	indent     int
	whitespace bool // the last character written was whitespace
	indention  bool // only indentation has been written on the line
}

// emitItem appends the item as yaml.v3 encodes the document `[item]`: the
// item's lines as an element of `items:`.
func emitItem(out []byte, item *yaml.Node) ([]byte, error) {
	e := emitter{out: out, indent: -1, whitespace: true, indention: true}
	// the document's root: a block sequence with one item
	e.increaseIndent(false, false, false)
	e.writeIndent()
	e.writeIndicator("-", true, false, true)
	if err := e.node(item, false, false); err != nil {
		return out, err
	}
	// document end
	e.indent = -1
	e.writeIndent()
	return e.out, nil
}

// node emits n in the context yaml.v3's emit_node is given: as a mapping
// key or value (mapping), else as a sequence item.
func (e *emitter) node(n *yaml.Node, mapping, simpleKey bool) error {
	if n.Anchor != "" || n.HeadComment != "" || n.LineComment != "" || n.FootComment != "" {
		return errUnsupported
	}
	tag, forceQuoting := implicitTag(n)
	if tag != "" {
		return errUnsupported
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return e.scalar(n, forceQuoting, mapping, simpleKey)
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			e.writeIndicator("[", true, true, false)
			e.writeIndicator("]", false, false, false)
			return nil
		}
		if n.Style&yaml.FlowStyle != 0 || simpleKey {
			return errUnsupported
		}
		saved := e.indent
		compact := mapping && (e.column == 0 || !e.indention)
		e.increaseIndent(false, compact, !mapping)
		for _, c := range n.Content {
			e.writeIndent()
			e.writeIndicator("-", true, false, true)
			if err := e.node(c, false, false); err != nil {
				return err
			}
		}
		e.indent = saved
		return nil
	case yaml.MappingNode:
		if len(n.Content) == 0 {
			e.writeIndicator("{", true, true, false)
			e.writeIndicator("}", false, false, false)
			return nil
		}
		if n.Style&yaml.FlowStyle != 0 || simpleKey || len(n.Content)%2 != 0 {
			return errUnsupported
		}
		saved := e.indent
		e.increaseIndent(false, false, !mapping)
		for i := 0; i < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			e.writeIndent()
			if k.Kind != yaml.ScalarNode {
				return errUnsupported // only empty collections could be simple keys
			}
			if err := e.node(k, true, true); err != nil {
				return err
			}
			e.writeIndicator(":", false, false, false)
			if err := e.node(v, true, false); err != nil {
				return err
			}
		}
		e.indent = saved
		return nil
	}
	return errUnsupported
}

// implicitTag is yaml.v3's encoder rule for dropping a node's tag: the tag
// stays only when the value would not resolve to it; a !!str that would
// resolve to something else is quoted instead.
func implicitTag(n *yaml.Node) (tag string, forceQuoting bool) {
	tag = n.Tag
	if tag == "" || n.Style&yaml.TaggedStyle != 0 {
		return tag, false
	}
	stag := shortTag(tag)
	switch n.Kind {
	case yaml.ScalarNode:
		if stag == strTag && n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			return "", false
		}
		if rtag := resolveTag(n.Value); rtag == stag {
			return "", false
		} else if stag == strTag {
			return "", true
		}
	case yaml.MappingNode:
		if stag == "!!map" {
			return "", false
		}
	case yaml.SequenceNode:
		if stag == "!!seq" {
			return "", false
		}
	}
	return tag, false
}

type scalarStyle int

const (
	plainStyle scalarStyle = iota
	singleQuotedStyle
	doubleQuotedStyle
	literalStyle
	foldedStyle
)

func (e *emitter) scalar(n *yaml.Node, forceQuoting, mapping, simpleKey bool) error {
	value := n.Value
	if !utf8.ValidString(value) {
		return errUnsupported // yaml.v3 writes it as !!binary
	}
	style := plainStyle
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		style = doubleQuotedStyle
	case n.Style&yaml.SingleQuotedStyle != 0:
		style = singleQuotedStyle
	case n.Style&yaml.LiteralStyle != 0:
		style = literalStyle
	case n.Style&yaml.FoldedStyle != 0:
		style = foldedStyle
	case containsByte(value, '\n'):
		style = literalStyle
	case forceQuoting:
		style = doubleQuotedStyle
	}
	a := analyzeScalar(value)
	if simpleKey && (a.multiline || len(value) > 128) {
		return errUnsupported // a complex key ("? ")
	}
	// yaml_emitter_select_scalar_style, outside flow collections, without
	// tags and for simple keys only (never multiline)
	if style == plainStyle {
		if !a.blockPlainAllowed || len(value) == 0 && simpleKey {
			style = singleQuotedStyle
		}
	}
	if style == singleQuotedStyle && !a.singleQuotedAllowed {
		style = doubleQuotedStyle
	}
	if (style == literalStyle || style == foldedStyle) && (!a.blockAllowed || simpleKey) {
		style = doubleQuotedStyle
	}

	saved := e.indent
	e.increaseIndent(true, false, !mapping)
	switch style {
	case plainStyle:
		e.writePlain(value)
	case singleQuotedStyle:
		e.writeSingleQuoted(value)
	case doubleQuotedStyle:
		e.writeDoubleQuoted(value)
	case literalStyle:
		e.writeBlockScalar("|", value)
	case foldedStyle:
		e.writeBlockScalar(">", value)
	}
	e.indent = saved
	return nil
}

func containsByte(s string, b byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return true
		}
	}
	return false
}

// increaseIndent is yaml_emitter_increase_indent_compact (never indentless);
// seqItem is yaml.v3's check for an item of a block sequence on top of its
// state stack.
func (e *emitter) increaseIndent(flow, compactSeq, seqItem bool) {
	switch {
	case e.indent < 0:
		if flow {
			e.indent = bestIndent
		} else {
			e.indent = 0
		}
	case seqItem:
		e.indent += 2 // skip the "- " indicator
	default:
		e.indent = bestIndent * ((e.indent + bestIndent) / bestIndent)
		if compactSeq {
			e.indent -= 2
		}
	}
}

func (e *emitter) put(b byte) {
	e.out = append(e.out, b)
	e.column++
}

func (e *emitter) putBreak() {
	e.out = append(e.out, '\n')
	e.column = 0
	e.indention = true
}

// write copies one character of s at *i.
func (e *emitter) write(s string, i *int) {
	w := width(s[*i])
	e.out = append(e.out, s[*i:*i+w]...)
	e.column++
	*i += w
}

// writeBreak copies one line break of s at *i.
func (e *emitter) writeBreak(s string, i *int) {
	if s[*i] == '\n' {
		e.putBreak()
		*i++
		return
	}
	e.write(s, i)
	e.column = 0
	e.indention = true
}

func (e *emitter) writeIndent() {
	indent := max(e.indent, 0)
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.putBreak()
	}
	for e.column < indent {
		e.put(' ')
	}
	e.whitespace = true
}

func (e *emitter) writeIndicator(indicator string, needWhitespace, isWhitespace, isIndention bool) {
	if needWhitespace && !e.whitespace {
		e.put(' ')
	}
	e.out = append(e.out, indicator...)
	e.column += len(indicator)
	e.whitespace = isWhitespace
	e.indention = e.indention && isIndention
}

// writePlain is yaml_emitter_write_plain_scalar for a value that analysis
// allowed as plain: no line breaks, and lines are never folded (kyaml's
// encoder sets no width).
func (e *emitter) writePlain(value string) {
	if len(value) > 0 && !e.whitespace {
		e.put(' ')
	}
	for i := 0; i < len(value); {
		e.write(value, &i)
	}
	if len(value) > 0 {
		e.whitespace = false
	}
	e.indention = false
}

func (e *emitter) writeSingleQuoted(value string) {
	e.writeIndicator("'", true, false, false)
	breaks := false
	for i := 0; i < len(value); {
		switch {
		case isSpace(value, i):
			e.write(value, &i)
		case isBreak(value, i):
			if !breaks && value[i] == '\n' {
				e.putBreak()
			}
			e.writeBreak(value, &i)
			breaks = true
		default:
			if breaks {
				e.writeIndent()
			}
			if value[i] == '\'' {
				e.put('\'')
			}
			e.write(value, &i)
			e.indention = false
			breaks = false
		}
	}
	e.writeIndicator("'", false, false, false)
	e.whitespace = false
	e.indention = false
}

func (e *emitter) writeDoubleQuoted(value string) {
	e.writeIndicator(`"`, true, false, false)
	bom := len(value) >= 3 && value[0] == 0xEF && value[1] == 0xBB && value[2] == 0xBF // yaml.v3 looks at the start for every character
	for i := 0; i < len(value); {
		if !isPrintable(value, i) || bom || isBreak(value, i) || value[i] == '"' || value[i] == '\\' {
			v, w := utf8.DecodeRuneInString(value[i:])
			i += w
			e.put('\\')
			switch v {
			case 0x00:
				e.put('0')
			case 0x07:
				e.put('a')
			case 0x08:
				e.put('b')
			case 0x09:
				e.put('t')
			case 0x0A:
				e.put('n')
			case 0x0b:
				e.put('v')
			case 0x0c:
				e.put('f')
			case 0x0d:
				e.put('r')
			case 0x1b:
				e.put('e')
			case 0x22:
				e.put('"')
			case 0x5c:
				e.put('\\')
			case 0x85:
				e.put('N')
			case 0xA0:
				e.put('_')
			case 0x2028:
				e.put('L')
			case 0x2029:
				e.put('P')
			default:
				digits := 8
				switch {
				case v <= 0xFF:
					e.put('x')
					digits = 2
				case v <= 0xFFFF:
					e.put('u')
					digits = 4
				default:
					e.put('U')
				}
				for k := (digits - 1) * 4; k >= 0; k -= 4 {
					e.put("0123456789ABCDEF"[(v>>uint(k))&0x0F])
				}
			}
			continue
		}
		e.write(value, &i)
	}
	e.writeIndicator(`"`, false, false, false)
	e.whitespace = false
	e.indention = false
}

func (e *emitter) writeBlockScalarHints(value string) {
	if len(value) > 0 && (isSpace(value, 0) || isBreak(value, 0)) {
		e.writeIndicator(string(rune('0'+bestIndent)), false, false, false)
	}
	chomp := ""
	if len(value) == 0 {
		chomp = "-"
	} else {
		i := len(value) - 1
		for value[i]&0xC0 == 0x80 {
			i--
		}
		if !isBreak(value, i) {
			chomp = "-"
		} else if i == 0 {
			chomp = "+"
		} else {
			i--
			for value[i]&0xC0 == 0x80 {
				i--
			}
			if isBreak(value, i) {
				chomp = "+"
			}
		}
	}
	if chomp != "" {
		e.writeIndicator(chomp, false, false, false)
	}
}

// writeBlockScalar is yaml_emitter_write_literal_scalar (indicator "|")
// and yaml_emitter_write_folded_scalar (">"), which never folds long lines
// here (no width is set).
func (e *emitter) writeBlockScalar(indicator, value string) {
	folded := indicator == ">"
	e.writeIndicator(indicator, true, false, false)
	e.writeBlockScalarHints(value)
	e.putBreak()
	e.whitespace = true
	breaks := true
	leadingSpaces := true
	for i := 0; i < len(value); {
		if isBreak(value, i) {
			if folded && !breaks && !leadingSpaces && value[i] == '\n' {
				// an extra break keeps the line break when read back; yaml.v3
				// looks from the start of the value here
				k := 0
				for isBreak(value, k) {
					k += width(value[k])
				}
				if !isBlankz(value, k) {
					e.putBreak()
				}
			}
			e.writeBreak(value, &i)
			breaks = true
			continue
		}
		if breaks {
			e.writeIndent()
			leadingSpaces = isBlank(value, i)
		}
		e.write(value, &i)
		e.indention = false
		breaks = false
	}
}
